/**
 * A stub HttpClient for the Verify client: records every request (form
 * bodies read back into their pairs, repeated keys kept) and answers from a
 * handler, so program tests see exactly what would go on the wire.
 */
import { HttpClient } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { Layer, Redacted } from "effect"
import { RetryPolicy, VerifyService } from "../../src/verify/index.js"
import { json, recordingClient, type Reply } from "./stub.js"

export interface SentRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  /** The form body's pairs, in order. */
  readonly form: ReadonlyArray<readonly [string, string]>
  readonly rawBody: string
}

export { json, type Reply } from "./stub.js"

export const accountSid = `AC${"a".repeat(32)}`
export const authToken = "stub-auth-token-0123456789abcdef"
export const serviceSid = `VA${"b".repeat(32)}`
export const baseUrl = "https://verify.twilio.test"
export const lookupUrl = "https://lookups.twilio.test"


/** Twilio's error body. */
export const twilioError = (status: number, code: number, message: string, headers?: Record<string, string>): Reply =>
  json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers)

const textOf = (request: HttpClientRequest.HttpClientRequest): string =>
  request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""

/** A stub whose `sent` array fills as requests go out. */
export const makeStub = (handler: (request: SentRequest) => Reply) => {
  const { client, sent } = recordingClient((request, url): SentRequest => {
    const rawBody = textOf(request)
    return { method: request.method, url, headers: request.headers, form: [...new URLSearchParams(rawBody)], rawBody }
  }, handler)
  // Retries are off unless a test turns them on: most tests are about one exchange.
  const layer = (options: Partial<VerifyService.Options> = {}) =>
    VerifyService.layer({
      accountSid,
      authToken: Redacted.make(authToken),
      serviceSid,
      baseUrl,
      lookupUrl,
      retry: RetryPolicy.disabled,
      ...options
    }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
  return { sent, layer }
}

/** The form body as an object (the last value of a repeated key). */
export const formOf = (request: SentRequest): Record<string, string> => Object.fromEntries(request.form)
