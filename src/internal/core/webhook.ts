/**
 * Receiving signed requests from an API — Authy's OneTouch callbacks, Twilio's
 * Verify webhooks — is one procedure whatever the signature: authenticate
 * first (nothing else is worth checking, or remembering, for a request the
 * API did not send), then check freshness, decode, and refuse a replay with
 * the {@link NonceStore}. This module is that procedure and its HTTP side:
 * reading an `HttpServerRequest`, the status of a refusal, and the handler.
 * A dialect brings only its signature check and its event.
 *
 * @internal
 */
import type * as Headers from "@effect/platform/Headers"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Cause, Clock, Effect, Either, Option } from "effect"
import { type ServiceName, ValidationError } from "../../AuthyError.js"
import { NonceStore, type NonceStoreError, type NonceStoreService } from "../../NonceStore.js"
import { freshUntil, isWithin } from "./freshness.js"

/**
 * An incoming request, as the application received it.
 *
 * @internal
 */
export interface IncomingRequest {
  readonly method: string
  readonly url: string
  readonly headers: Headers.Input
  readonly body?: string | undefined
  readonly query?: string | undefined
}

/**
 * What a dialect's signature check establishes about a request it found
 * authentic.
 *
 * @internal
 */
export interface Authentic<E> {
  /** What the {@link NonceStore} remembers: the signature, which covers the whole request. */
  readonly key: string
  /**
   * When the API sent the request (epoch millis), read from signed data; for a
   * request that carries no time, `undefined`: it is then remembered for one
   * window from its receipt.
   */
  readonly sentAt: number | undefined
  /** The request's event, decoded only once the request is known to be fresh. */
  readonly decode: Effect.Effect<E, ValidationError>
}

/**
 * How a dialect names its time in refusals.
 *
 * @internal
 */
export interface Labels {
  readonly service: ServiceName
  /** The `field` of a stale or future refusal: `nonce`, `timestamp`. */
  readonly timeField: string
  readonly stale: string
  readonly future: string
  readonly replayed: string
}

/** @internal */
export const refuse = (service: ServiceName, field: string, message: string) =>
  Effect.fail(new ValidationError({ field, message, service }))

/**
 * The procedure: authentic, fresh (the window's bounds included, on both
 * sides: a nonce exactly one window old is still fresh, and so is one a
 * window ahead), decodable, and not seen before. An accepted request is
 * remembered at once, through the end of its window.
 *
 * @internal
 */
export const verify = <E, R>(
  authenticate: Effect.Effect<Authentic<E>, ValidationError, R>,
  windowMillis: number,
  labels: Labels
): Effect.Effect<E, ValidationError | NonceStoreError, R> =>
  Effect.gen(function*() {
    const authentic = yield* authenticate
    const now = yield* Clock.currentTimeMillis
    const sent = authentic.sentAt
    if (sent !== undefined) {
      if (!isWithin(now, freshUntil(sent, windowMillis))) return yield* refuse(labels.service, labels.timeField, labels.stale)
      if (!isWithin(sent, freshUntil(now, windowMillis))) return yield* refuse(labels.service, labels.timeField, labels.future)
    }
    const event = yield* authentic.decode
    const store = yield* NonceStore
    const fresh = yield* store.checkAndRemember(authentic.key, freshUntil(sent ?? now, windowMillis))
    if (!fresh) return yield* refuse(labels.service, "replay", labels.replayed)
    return event
  })

// ---------------------------------------------------------------------------
// HTTP server
// ---------------------------------------------------------------------------

/** Callbacks and webhooks are a few kilobytes; an unauthenticated body is read with a cap. */
const maxBodyBytes = 64 * 1024

/**
 * The path and query the client asked for. `originalUrl`, because a router
 * mounted under a prefix slices it off `url`; it is absolute for requests
 * made from a web `Request`.
 */
const requestTarget = (request: HttpServerRequest.HttpServerRequest): string => {
  const original = request.originalUrl
  if (original.startsWith("/")) return original
  const hostEnd = original.indexOf("/", original.indexOf("//") + 2)
  return hostEnd === -1 ? "/" : original.slice(hostEnd)
}

const requestUrl = (request: HttpServerRequest.HttpServerRequest): string => {
  const proto = request.headers["x-forwarded-proto"] === "https" ? "https" : "http"
  return `${proto}://${request.headers.host ?? "localhost"}${requestTarget(request)}`
}

/**
 * The query of a URL, without its `?` and fragment.
 *
 * @internal
 */
export const queryOf = (url: string): string => {
  const start = url.indexOf("?")
  return start === -1 ? "" : url.slice(start + 1).split("#")[0] ?? ""
}

/**
 * The `HttpServerRequest` being served, read as an {@link IncomingRequest}:
 * its method, headers, raw body (POST, at most 64 KiB) and query. `url` is
 * the public URL the API called, when given; otherwise it is rebuilt from
 * `X-Forwarded-Proto` (`https` or else `http`), the `Host` header and the
 * path and query.
 *
 * @internal
 */
export const readServerRequest = (
  url: string | undefined,
  service: ServiceName,
  what: string
): Effect.Effect<IncomingRequest, ValidationError, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = request.method === "POST"
      ? yield* request.text.pipe(
        HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)),
        Effect.mapError(() => new ValidationError({ field: "payload", message: `The ${what}'s body could not be read`, service }))
      )
      : undefined
    return {
      method: request.method,
      url: url ?? requestUrl(request),
      headers: request.headers,
      body,
      query: queryOf(requestTarget(request))
    }
  })

/**
 * The HTTP status a refused request is answered with: 401 for `signature`,
 * `nonce` and `timestamp` (not provably from the API, or not fresh), 409 for
 * `replay` (authentic, but already handled: a 401 would suggest a wrong key),
 * 405 for `method`, 400 for `payload`, 500 for a bad option, and 503 for a
 * {@link NonceStoreError} (the replay check could not be made: a delivery
 * later may succeed).
 *
 * @internal
 */
export const statusFor = (error: ValidationError | NonceStoreError): number => {
  if (error._tag === "NonceStoreError") return 503
  switch (error.field) {
    case "signature":
    case "nonce":
    case "timestamp":
      return 401
    case "replay":
      return 409
    case "method":
      return 405
    case "payload":
      return 400
    default:
      return 500
  }
}

/**
 * How the handler names what it receives in logs: `OneTouch callback` with
 * annotations `authy.callback.*`.
 *
 * @internal
 */
export interface HandlerLabels {
  readonly what: string
  readonly logPrefix: string
}

const refusal = (error: ValidationError | NonceStoreError, labels: HandlerLabels) =>
  Effect.logWarning(`${labels.what} refused`).pipe(
    Effect.annotateLogs(
      error._tag === "NonceStoreError"
        ? { [`${labels.logPrefix}.store`]: error.reason, [`${labels.logPrefix}.reason`]: error.message }
        : { [`${labels.logPrefix}.field`]: error.field, [`${labels.logPrefix}.reason`]: error.message }
    ),
    Effect.as(HttpServerResponse.text(error.message, { status: statusFor(error) }))
  )

/** Forgetting is best effort: the application's own failure is what the caller sees. */
const forgetQuietly = (store: NonceStoreService, key: string, labels: HandlerLabels) =>
  store.forget(key).pipe(
    Effect.catchAllCause((cause) =>
      Effect.logWarning(`${labels.what} could not be forgotten: a new delivery will be refused as a replay`).pipe(
        Effect.annotateLogs(`${labels.logPrefix}.cause`, Cause.pretty(cause))
      )
    )
  )

/**
 * The handler: verifies the request, hands the event to `onEvent` and
 * answers 200 once it succeeded; a refusal is answered with its status
 * ({@link statusFor}) and logged, without calling `onEvent`; when `onEvent`
 * fails, the request is forgotten by the {@link NonceStore} so that a new
 * delivery is handled rather than refused as a replay.
 *
 * @internal
 */
export const handler = <A, R0, E, R>(
  verified: Effect.Effect<A, ValidationError | NonceStoreError, R0>,
  keyOf: (event: A) => string,
  onEvent: (event: A) => Effect.Effect<unknown, E, R>,
  labels: HandlerLabels
): HttpApp.Default<E, R | R0> =>
  Effect.gen(function*() {
    const result = yield* Effect.either(verified)
    if (Either.isLeft(result)) return yield* refusal(result.left, labels)
    const event = result.right
    const store = yield* NonceStore
    yield* Effect.onError(onEvent(event), () => forgetQuietly(store, keyOf(event), labels))
    return HttpServerResponse.empty({ status: 200 })
  })
