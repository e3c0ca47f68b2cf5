/**
 * Receiving OneTouch callbacks (authy-api.md §2.16, §3): when the user
 * approves or denies, Authy calls the application's callback URL, signed with
 * the API key. This module verifies such a call — signature, freshness,
 * replay — and decodes it into a typed {@link CallbackEvent}; {@link handler}
 * does all of it as an `@effect/platform` HTTP handler.
 *
 * Authy documents no replay protection, and its nonce is a timestamp: a
 * captured callback stays validly signed forever. So a callback is accepted
 * only if its nonce is within a time window of now (default 5 minutes) and its
 * signature was not already seen within that window ({@link NonceStore}).
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Cause, Clock, Context, Duration, Effect, Either, Layer, Option, ParseResult, Schema } from "effect"
import { ValidationError } from "./AuthyError.js"
import { AuthyService } from "./AuthyService.js"
import * as Internal from "./internal/authy/callback.js"
import * as Signature from "./internal/authy/signature.js"

// ---------------------------------------------------------------------------
// Nonce store
// ---------------------------------------------------------------------------

/**
 * Why a {@link NonceStoreError} was raised:
 *
 * - `Unavailable`: the store could not be reached (connection refused or
 *   lost, client offline or closed);
 * - `Timeout`: the store did not answer in time;
 * - `UnexpectedReply`: the store answered something that is not an answer to
 *   the command sent.
 *
 * @since 0.1.0
 * @category errors
 */
export const NonceStoreErrorReason = Schema.Literal("Unavailable", "Timeout", "UnexpectedReply")

/**
 * @since 0.1.0
 * @category errors
 */
export type NonceStoreErrorReason = typeof NonceStoreErrorReason.Type

/**
 * A {@link NonceStore} could not tell whether a callback was already
 * received. Raised only by a store whose policy is to refuse callbacks it
 * cannot check (the safe default of `effect-authy/redis`); {@link verify}
 * passes it on, and {@link handler} answers 503 without calling `onEvent`.
 * The message names the store and the reason, never a key or a credential.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * declare const request: OneTouchCallback.CallbackRequest
 *
 * const event = OneTouchCallback.verify(request).pipe(
 *   Effect.catchTag("NonceStoreError", (e) =>
 *     Effect.logError(`replay store down (${e.reason}): callback refused`).pipe(Effect.zipRight(Effect.fail(e))))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NonceStoreError extends Schema.TaggedError<NonceStoreError>("effect-authy/NonceStoreError")(
  "NonceStoreError",
  {
    reason: NonceStoreErrorReason,
    message: Schema.String
  }
) {}

/**
 * The operations of a {@link NonceStore}.
 *
 * The boundary rule: a key handed over with `expiresAt` is remembered
 * through `expiresAt` itself (inclusive), and forgotten only once the clock
 * is past it. The verifier uses the same rule for freshness (a nonce exactly
 * one window old is still fresh), so a callback can never be fresh while its
 * entry is already gone. Stores with a relative expiry (Redis `PX`) keep a key
 * `expiresAt − now + 1` milliseconds.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { OneTouchCallback } from "effect-authy"
 *
 * // Accepts everything: no replay protection (for tests only).
 * const permissive: OneTouchCallback.NonceStoreService = {
 *   checkAndRemember: () => Effect.succeed(true),
 *   forget: () => Effect.void
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface NonceStoreService {
  /**
   * Remembers `key` through `expiresAt` (epoch milliseconds, inclusive) and
   * answers `true` if it was not already remembered (and unexpired): one
   * atomic step, so two concurrent deliveries of one callback cannot both
   * pass. A store that cannot tell either fails with a
   * {@link NonceStoreError} (the callback is refused) or answers `true` (it
   * is accepted without replay protection): its policy, never a defect.
   */
  readonly checkAndRemember: (key: string, expiresAt: number) => Effect.Effect<boolean, NonceStoreError>
  /** Forgets `key`, so that a callback the application failed to handle can come again. */
  readonly forget: (key: string) => Effect.Effect<void, NonceStoreError>
}

/**
 * Where the verifier remembers the callbacks it has accepted, to refuse them
 * when they come again. Keys are `X-Authy-Signature` values (which cover the
 * nonce, the URL and the whole payload), so two different callbacks with the
 * same second-resolution nonce are both accepted.
 *
 * By default, one in-memory store per process ({@link makeMemory}), which
 * evicts expired entries. With several instances behind a load balancer a
 * replay could reach another instance: provide a shared store instead, such
 * as `RedisNonceStore.layer` from `effect-authy/redis` (atomic
 * `SET key 1 NX PX ttl`, a configurable policy when Redis is unreachable).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 * import { RedisNonceStore } from "effect-authy/redis"
 *
 * declare const program: Effect.Effect<void, never, OneTouchCallback.NonceStore>
 *
 * // Every instance behind the load balancer shares one Redis.
 * const shared = program.pipe(Effect.provide(RedisNonceStore.layer({ url: "redis://127.0.0.1:6379" })))
 * ```
 *
 * @since 0.1.0
 * @category nonce store
 */
export class NonceStore extends Context.Reference<NonceStore>()("effect-authy/OneTouchCallback/NonceStore", {
  defaultValue: (): NonceStoreService => Internal.makeMemoryStore()
}) {}

/**
 * An in-memory {@link NonceStore}, which also tells how many keys it holds.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * const held = Effect.flatMap(OneTouchCallback.makeMemory, (store) => store.size) // 0
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryNonceStore extends NonceStoreService {
  /** Keys held, expired ones not yet evicted included. */
  readonly size: Effect.Effect<number>
}

/**
 * A fresh in-memory {@link NonceStore}. Expiry follows the Effect `Clock`: a
 * key is held through its `expiresAt`, inclusive.
 * Expired keys are evicted whenever the store has doubled in size since the
 * last sweep, so it holds at most about twice the live keys; only callbacks
 * with a valid signature are ever remembered, so only Authy's traffic can
 * grow it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* OneTouchCallback.makeMemory
 *   const fresh = yield* store.checkAndRemember("key", Date.now() + 60_000) // true
 *   const again = yield* store.checkAndRemember("key", Date.now() + 60_000) // false
 * })
 * ```
 *
 * @since 0.1.0
 * @category nonce store
 */
export const makeMemory: Effect.Effect<MemoryNonceStore> = Effect.sync(Internal.makeMemoryStore)

/**
 * A fresh in-memory {@link NonceStore} as a layer, e.g. one per test.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * declare const program: Effect.Effect<void>
 * const isolated = program.pipe(Effect.provide(OneTouchCallback.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category nonce store
 */
export const layerMemory: Layer.Layer<NonceStore> = Layer.effect(NonceStore, makeMemory)

// ---------------------------------------------------------------------------
// The event
// ---------------------------------------------------------------------------

const StringMap = Schema.Record({ key: Schema.String, value: Schema.String })

/**
 * A verified OneTouch callback: the user approved or denied a request.
 *
 * `details` and `hiddenDetails` are `{}` when the request had none. `payload`
 * is the whole callback as received (the parsed JSON body, or the parsed
 * query of a GET, where every value is a string), for fields not typed here
 * such as `device` or the device's own `signature`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * const onEvent = (event: OneTouchCallback.CallbackEvent) =>
 *   event.status === "approved"
 *     ? Effect.log(`user ${event.authyId} approved ${event.uuid} (${event.details["Location"] ?? "?"})`)
 *     : Effect.log(`user ${event.authyId} denied ${event.uuid}`)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class CallbackEvent extends Schema.Class<CallbackEvent>("effect-authy/OneTouchCallback/CallbackEvent")({
  /** The approval request's uuid, as returned by `OneTouch.sendRequest`. */
  uuid: Schema.String,
  status: Schema.Literal("approved", "denied"),
  authyId: Schema.Number,
  deviceUuid: Schema.optional(Schema.String),
  /** `approval_request_status` for approvals. */
  callbackAction: Schema.optional(Schema.String),
  /** The message shown in the push. */
  message: Schema.optional(Schema.String),
  details: StringMap,
  hiddenDetails: StringMap,
  reason: Schema.optional(Schema.String),
  /** When the request was created (Unix seconds). */
  createdAtTime: Schema.optional(Schema.Number),
  /** When the device signed the answer (Unix seconds). */
  deviceSigningTime: Schema.optional(Schema.Number),
  /** When the request expires (Unix seconds). */
  expirationTimestamp: Schema.optional(Schema.Number),
  appId: Schema.optional(Schema.String),
  /** The `X-Authy-Signature-Nonce` header. */
  nonce: Schema.String,
  /**
   * The `X-Authy-Signature` header, which is also the {@link NonceStore} key
   * (the device's own signature is `payload.signature`).
   */
  signature: Schema.String,
  payload: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

/**
 * An incoming callback, as the application received it.
 *
 * @example
 * ```ts
 * import type { OneTouchCallback } from "effect-authy"
 *
 * declare const rawBody: string
 * const request: OneTouchCallback.CallbackRequest = {
 *   method: "POST",
 *   url: "https://example.com/authy/callback",
 *   headers: { "X-Authy-Signature": "...", "X-Authy-Signature-Nonce": "1455825429" },
 *   body: rawBody
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CallbackRequest {
  /** `POST` or `GET`, as configured for the application at Authy. */
  readonly method: string
  /**
   * The URL Authy called, as Authy saw it: behind a proxy, the public scheme
   * and host (`https://example.com/authy/callback`), not the ones the
   * application sees. Its query, if any, is not signed.
   */
  readonly url: string
  /** Must hold `X-Authy-Signature` and `X-Authy-Signature-Nonce` (any case). */
  readonly headers: Headers.Input
  /** POST: the raw JSON body. */
  readonly body?: string | undefined
  /** GET: the raw query string (default: the query of `url`). */
  readonly query?: string | undefined
}

/**
 * How {@link verify} judges freshness.
 *
 * @example
 * ```ts
 * import type { OneTouchCallback } from "effect-authy"
 *
 * const strict: OneTouchCallback.VerifyOptions = { window: "1 minute" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  /**
   * How far the nonce may be from now, either way (default 5 minutes),
   * bounds included: a nonce exactly one window old is still fresh, one
   * millisecond more is stale. Accepted callbacks are remembered through the
   * same instant (nonce + window, inclusive) to refuse replays.
   */
  readonly window?: Duration.DurationInput | undefined
}

/**
 * The default {@link VerifyOptions.window}: 5 minutes, the tolerance most
 * webhook senders use. It absorbs delivery delays and clock skew (NTP keeps
 * clocks within a second) while keeping the replay store small.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * Duration.toSeconds(OneTouchCallback.defaultWindow) // 300
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultWindow: Duration.Duration = Duration.minutes(5)

const reject = (field: string, message: string) => Effect.fail(new ValidationError({ field, message }))

const signatureHeader = "x-authy-signature"
const nonceHeader = "x-authy-signature-nonce"

/** The parameters that were signed: the JSON body of a POST, the raw query of a GET. */
const signedParams = (request: CallbackRequest, method: "GET" | "POST") => {
  if (method === "GET") return Effect.succeed(request.query ?? queryOf(request.url))
  try {
    const body: unknown = JSON.parse(request.body ?? "")
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return Effect.succeed(body)
  } catch {
    // Reported below.
  }
  return reject("payload", "A POST callback's body must be a JSON object")
}

const queryOf = (url: string): string => {
  const start = url.indexOf("?")
  return start === -1 ? "" : url.slice(start + 1).split("#")[0] ?? ""
}

/**
 * The nonce's instant, if it is within the window of now either way. The
 * boundary follows `Internal.isWithin`, the rule the nonce stores follow too.
 */
const checkFreshness = (nonce: string, windowMillis: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const sent = Internal.parseNonce(nonce)
    if (sent === undefined) return reject("nonce", "X-Authy-Signature-Nonce must be a Unix time in seconds")
    if (!Internal.isWithin(now, Internal.freshUntil(sent, windowMillis))) {
      return reject("nonce", "The callback is too old (stale nonce)")
    }
    if (!Internal.isWithin(sent, Internal.freshUntil(now, windowMillis))) {
      return reject("nonce", "The callback's nonce is too far in the future")
    }
    return Effect.succeed(sent)
  })

const decodeWire = Schema.decodeUnknown(Internal.CallbackWire)

const describeParseError = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  return issue === undefined ? "" : `: ${issue.path.join(".") || "payload"}: ${issue.message}`
}

const decodeEvent = (params: unknown, nonce: string, signature: string) => {
  const payload = typeof params === "string" ? Signature.parseQuery(params) : (params as Record<string, unknown>)
  return decodeWire(payload).pipe(
    Effect.mapError((error) =>
      new ValidationError({ field: "payload", message: `The callback payload is not a OneTouch answer${describeParseError(error)}` })
    ),
    Effect.map((wire) => {
      const transaction = wire.approvalRequest?.transaction
      const number = (value: number | null | "" | undefined) => (typeof value === "number" ? value : undefined)
      return new CallbackEvent({
        uuid: wire.uuid,
        status: wire.status,
        authyId: wire.authyId,
        deviceUuid: wire.deviceUuid === undefined ? undefined : String(wire.deviceUuid),
        callbackAction: wire.callbackAction,
        message: transaction?.message,
        details: transaction?.details ?? {},
        hiddenDetails: transaction?.hiddenDetails ?? {},
        reason: transaction?.reason,
        createdAtTime: number(transaction?.createdAtTime),
        deviceSigningTime: number(transaction?.deviceSigningTime),
        expirationTimestamp: number(wire.approvalRequest?.expirationTimestamp),
        appId: wire.approvalRequest?.appId,
        nonce,
        signature,
        payload
      })
    })
  )
}

/**
 * Verifies an incoming OneTouch callback with the {@link AuthyService}'s API
 * key and decodes it. Refused, each with a `ValidationError` whose `field`
 * says why:
 *
 * - `method`: neither `POST` nor `GET`;
 * - `signature`: `X-Authy-Signature` missing, or not made with the key over
 *   this nonce, method, URL and payload;
 * - `nonce`: `X-Authy-Signature-Nonce` missing, not a Unix time, or further
 *   from now (the Effect `Clock`) than the window, either way;
 * - `payload`: the body is not a JSON object, or not a OneTouch answer;
 * - `replay`: this very callback was already accepted within the window
 *   ({@link NonceStore}).
 *
 * The window's bounds are included: at exactly nonce + window a callback is
 * still fresh, and its first delivery is still remembered, so a replay at
 * that instant is refused as a `replay`; a millisecond later, as stale.
 *
 * When the {@link NonceStore} cannot tell whether the callback was already
 * received and its policy is to refuse, the verification fails with its
 * {@link NonceStoreError} instead.
 *
 * An accepted callback is remembered at once. If handling it then fails, call
 * `forget(event.signature)` on the {@link NonceStore} so that a new delivery
 * is accepted ({@link handler} does).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * declare const rawBody: string
 * declare const headers: Record<string, string>
 *
 * const event = OneTouchCallback.verify({
 *   method: "POST",
 *   url: "https://example.com/authy/callback",
 *   headers,
 *   body: rawBody
 * }).pipe(Effect.tap((e) => Effect.log(`request ${e.uuid} was ${e.status}`)))
 * ```
 *
 * @since 0.1.0
 * @category verification
 */
export const verify: (
  request: CallbackRequest,
  options?: VerifyOptions
) => Effect.Effect<CallbackEvent, ValidationError | NonceStoreError, AuthyService> = Effect.fn("Authy.oneTouch.verifyCallback")(
  function*(request: CallbackRequest, options?: VerifyOptions) {
    const window = Duration.decodeUnknown(options?.window ?? defaultWindow)
    if (Option.isNone(window)) return yield* reject("window", "window must be a duration")
    const method = request.method.toUpperCase()
    if (method !== "POST" && method !== "GET") return yield* reject("method", "A callback is sent with POST or GET")
    const headers = Headers.fromInput(request.headers)
    const signature = headers[signatureHeader]
    if (signature === undefined || signature === "") {
      return yield* reject("signature", "The X-Authy-Signature header is missing")
    }
    const nonce = headers[nonceHeader]
    if (nonce === undefined || nonce === "") {
      return yield* reject("nonce", "The X-Authy-Signature-Nonce header is missing")
    }
    const params = yield* signedParams(request, method)

    // The signature first: nothing else is worth checking, or remembering,
    // for a callback that Authy did not send.
    const authy = yield* AuthyService
    const valid = yield* authy.oneTouch.validateCallbackSignature({ signature, nonce, method, url: request.url, params })
    if (!valid) return yield* reject("signature", "X-Authy-Signature does not match the callback")
    const windowMillis = Duration.toMillis(window.value)
    const sentAt = yield* checkFreshness(nonce, windowMillis)
    const event = yield* decodeEvent(params, nonce, signature)

    const store = yield* NonceStore
    const fresh = yield* store.checkAndRemember(signature, Internal.freshUntil(sentAt, windowMillis))
    if (!fresh) return yield* reject("replay", "This callback was already received")
    yield* Effect.annotateCurrentSpan("authy.approval_uuid", event.uuid)
    return event
  }
)

// ---------------------------------------------------------------------------
// HTTP server
// ---------------------------------------------------------------------------

/**
 * How {@link handler} and {@link verifyServerRequest} read the request.
 *
 * @example
 * ```ts
 * import type { OneTouchCallback } from "effect-authy"
 *
 * const options: OneTouchCallback.HandlerOptions = {
 *   url: "https://example.com/authy/callback",
 *   window: "2 minutes"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerOptions extends VerifyOptions {
  /**
   * The public callback URL configured at Authy
   * (`https://example.com/authy/callback`). By default it is rebuilt from the
   * request: `X-Forwarded-Proto` (`https` or else `http`), the `Host` header
   * and the path. Set it behind proxies that change the scheme, host or path,
   * or every signature will look wrong.
   */
  readonly url?: string | undefined
}

/** Authy's callbacks are a few kilobytes; an unauthenticated body is read with a cap. */
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
 * {@link verify} for the `HttpServerRequest` being served: reads its method,
 * headers, raw body (POST, at most 64 KiB) or query (GET).
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * const router = HttpRouter.empty.pipe(
 *   HttpRouter.post(
 *     "/authy/callback",
 *     OneTouchCallback.verifyServerRequest({ url: "https://example.com/authy/callback" }).pipe(
 *       Effect.flatMap((event) => Effect.log(`${event.uuid}: ${event.status}`)),
 *       Effect.as(HttpServerResponse.empty()),
 *       Effect.catchTags({
 *         ValidationError: (e) => Effect.succeed(HttpServerResponse.empty({ status: OneTouchCallback.statusFor(e) })),
 *         NonceStoreError: (e) => Effect.succeed(HttpServerResponse.empty({ status: OneTouchCallback.statusFor(e) }))
 *       })
 *     )
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category http
 */
export const verifyServerRequest = (
  options?: HandlerOptions
): Effect.Effect<CallbackEvent, ValidationError | NonceStoreError, AuthyService | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = request.method === "POST"
      ? yield* request.text.pipe(
        HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)),
        Effect.mapError(() => new ValidationError({ field: "payload", message: "The callback's body could not be read" }))
      )
      : undefined
    return yield* verify({
      method: request.method,
      url: options?.url ?? requestUrl(request),
      headers: request.headers,
      body,
      query: queryOf(requestTarget(request))
    }, options)
  })

/**
 * The HTTP status {@link handler} answers a refused callback with:
 * 401 for `signature` and `nonce` (not provably from Authy, or not fresh),
 * 409 for `replay` (authentic, but already handled: a 401 would suggest a
 * wrong key), 405 for `method`, 400 for `payload`, 500 for a bad option,
 * and 503 for a {@link NonceStoreError} (the replay check could not be made:
 * a delivery later may succeed).
 *
 * @example
 * ```ts
 * import { ValidationError, OneTouchCallback } from "effect-authy"
 *
 * OneTouchCallback.statusFor(new ValidationError({ field: "replay", message: "seen" })) // 409
 * OneTouchCallback.statusFor(new OneTouchCallback.NonceStoreError({ reason: "Timeout", message: "slow" })) // 503
 * ```
 *
 * @since 0.1.0
 * @category http
 */
export const statusFor = (error: ValidationError | NonceStoreError): number => {
  if (error._tag === "NonceStoreError") return 503
  switch (error.field) {
    case "signature":
    case "nonce":
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

const refuse = (error: ValidationError | NonceStoreError) =>
  Effect.logWarning("OneTouch callback refused").pipe(
    Effect.annotateLogs(
      error._tag === "NonceStoreError"
        ? { "authy.callback.store": error.reason, "authy.callback.reason": error.message }
        : { "authy.callback.field": error.field, "authy.callback.reason": error.message }
    ),
    Effect.as(HttpServerResponse.text(error.message, { status: statusFor(error) }))
  )

/** Forgetting is best effort: the application's own failure is what the caller sees. */
const forgetQuietly = (store: NonceStoreService, key: string) =>
  store.forget(key).pipe(
    Effect.catchAllCause((cause) =>
      Effect.logWarning("OneTouch callback could not be forgotten: a new delivery will be refused as a replay").pipe(
        Effect.annotateLogs("authy.callback.cause", Cause.pretty(cause))
      )
    )
  )

/**
 * A ready HTTP handler for OneTouch callbacks, for `HttpRouter.post` (and
 * `HttpRouter.get` when the application is set up for GET callbacks): it
 * verifies the request ({@link verifyServerRequest}), hands the event to
 * `onEvent` and answers:
 *
 * - 200 (empty) once `onEvent` succeeded;
 * - 401, 409, 405 or 400 for a refused callback ({@link statusFor}), with
 *   the reason as text and a warning log; `onEvent` is not called;
 * - 503 when the {@link NonceStore} could not be asked and refuses
 *   ({@link NonceStoreError}); `onEvent` is not called;
 * - whatever the app makes of `onEvent`'s failure (the platform's default is
 *   500). The callback is then forgotten by the {@link NonceStore}, so a new
 *   delivery of it is handled rather than refused as a replay.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { createServer } from "node:http"
 * import { OneTouchCallback } from "effect-authy"
 *
 * const callback = OneTouchCallback.handler(
 *   (event) => Effect.log(`approval ${event.uuid} was ${event.status} by ${event.authyId}`),
 *   { url: "https://example.com/authy/callback" }
 * )
 *
 * const app = HttpRouter.empty.pipe(
 *   HttpRouter.post("/authy/callback", callback),
 *   HttpRouter.get("/authy/callback", callback),
 *   HttpServer.serve()
 * )
 * ```
 *
 * @since 0.1.0
 * @category http
 */
export const handler = <E, R>(
  onEvent: (event: CallbackEvent) => Effect.Effect<unknown, E, R>,
  options?: HandlerOptions
): HttpApp.Default<E, R | AuthyService> =>
  Effect.gen(function*() {
    const verified = yield* Effect.either(verifyServerRequest(options))
    if (Either.isLeft(verified)) return yield* refuse(verified.left)
    const event = verified.right
    const store = yield* NonceStore
    yield* Effect.onError(onEvent(event), () => forgetQuietly(store, event.signature))
    return HttpServerResponse.empty({ status: 200 })
  })
