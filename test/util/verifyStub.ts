/**
 * A stub HttpClient for the Verify client: records every request (form
 * bodies read back into their pairs, repeated keys kept) and answers from a
 * handler, so program tests see exactly what would go on the wire.
 */
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"
import { RetryPolicy, VerifyService } from "../../src/verify/index.js"

export interface SentRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  /** The form body's pairs, in order. */
  readonly form: ReadonlyArray<readonly [string, string]>
  readonly rawBody: string
}

export type Reply =
  | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly fail: "ECONNREFUSED" | "ECONNRESET" | "ENOTFOUND" }
  | { readonly hang: true }

export const accountSid = `AC${"a".repeat(32)}`
export const authToken = "stub-auth-token-0123456789abcdef"
export const serviceSid = `VA${"b".repeat(32)}`
export const baseUrl = "https://verify.twilio.test"
export const lookupUrl = "https://lookups.twilio.test"

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body: typeof body === "string" ? body : JSON.stringify(body),
  ...(headers ? { headers } : {})
})

/** Twilio's error body. */
export const twilioError = (status: number, code: number, message: string, headers?: Record<string, string>): Reply =>
  json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers)

const textOf = (request: HttpClientRequest.HttpClientRequest): string =>
  request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""

/** A stub whose `sent` array fills as requests go out. */
export const makeStub = (handler: (request: SentRequest) => Reply) => {
  const sent: Array<SentRequest> = []
  const client = HttpClient.make((request, url) => {
    const rawBody = textOf(request)
    const seen: SentRequest = {
      method: request.method,
      url,
      headers: request.headers,
      form: [...new URLSearchParams(rawBody)],
      rawBody
    }
    sent.push(seen)
    const reply = handler(seen)
    if ("hang" in reply) return Effect.never
    if ("fail" in reply) {
      const cause = Object.assign(new Error("fetch failed"), { cause: Object.assign(new Error(reply.fail), { code: reply.fail }) })
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
    }
    return Effect.succeed(
      HttpClientResponse.fromWeb(
        request,
        new Response(reply.body === "" ? null : reply.body, { status: reply.status, headers: reply.headers ?? {} })
      )
    )
  })
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
