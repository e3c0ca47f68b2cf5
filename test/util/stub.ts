/**
 * A stub HttpClient: records every request and answers from a handler, so
 * endpoint tests see exactly what would go on the wire.
 */
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"
import { AuthyService, RetryPolicy } from "../../src/index.js"

export interface SentRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

export type Reply =
  | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly fail: "ECONNREFUSED" | "ECONNRESET" | "ENOTFOUND" }
  | { readonly hang: true }

export const apiKey = "stub-secret-key-0123456789"
export const apiUrl = "https://api.authy.test"

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body: typeof body === "string" ? body : JSON.stringify(body),
  ...(headers ? { headers } : {})
})

const bodyOf = (request: HttpClientRequest.HttpClientRequest): unknown => {
  if (request.body._tag !== "Uint8Array") return undefined
  return JSON.parse(new TextDecoder().decode(request.body.body))
}

/** The response a {@link Reply} stands for: an answer, a transport failure, or none ever. */
const answer = (request: HttpClientRequest.HttpClientRequest, reply: Reply) => {
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
}

/**
 * An HttpClient that records each request as `see` reads it, into `sent`,
 * and answers what `handler` says. Shared by the Authy and Verify stubs,
 * which differ only in how they read a body (JSON or form).
 */
export const recordingClient = <S>(
  see: (request: HttpClientRequest.HttpClientRequest, url: URL) => S,
  handler: (request: S) => Reply
) => {
  const sent: Array<S> = []
  const client = HttpClient.make((request, url) => {
    const seen = see(request, url)
    sent.push(seen)
    return answer(request, handler(seen))
  })
  return { sent, client }
}

/** A stub whose `sent` array fills as requests go out. */
export const makeStub = (handler: (request: SentRequest) => Reply) => {
  const { client, sent } = recordingClient(
    (request, url): SentRequest => ({ method: request.method, url, headers: request.headers, body: bodyOf(request) }),
    handler
  )
  // Retries are off unless a test turns them on: most tests are about one exchange.
  const layer = (options: Partial<AuthyService.Options> = {}) =>
    AuthyService.layer({ apiKey: Redacted.make(apiKey), apiUrl, retry: RetryPolicy.disabled, ...options }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, client))
    )
  return { sent, layer }
}
