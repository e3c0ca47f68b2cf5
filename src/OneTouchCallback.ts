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
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Duration, Effect, Option, ParseResult, Schema } from "effect"
import { ValidationError } from "./AuthyError.js"
import { AuthyService } from "./AuthyService.js"
import * as Internal from "./internal/authy/callback.js"
import * as Signature from "./internal/authy/signature.js"
import * as Webhook from "./internal/core/webhook.js"
import type { NonceStoreError } from "./NonceStore.js"

// ---------------------------------------------------------------------------
// Nonce store: the one Verify webhooks use too (./NonceStore.ts)
// ---------------------------------------------------------------------------

/**
 * The replay store and its error, shared with `effect-authy/verify`'s
 * `VerifyWebhook`: see `NonceStore.ts`.
 *
 * @since 0.1.0
 */
export {
  /** @since 0.1.0 */
  layerMemory,
  /** @since 0.1.0 */
  makeMemory,
  /** @since 0.1.0 */
  type MemoryNonceStore,
  /** @since 0.1.0 */
  NonceStore,
  /** @since 0.1.0 */
  NonceStoreError,
  /** @since 0.1.0 */
  NonceStoreErrorReason,
  /** @since 0.1.0 */
  type NonceStoreService
} from "./NonceStore.js"

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
 * const rawBody = "" // the body exactly as received, unparsed
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

const reject = (field: string, message: string) => Webhook.refuse("Authy", field, message)

const signatureHeader = "x-authy-signature"
const nonceHeader = "x-authy-signature-nonce"

/** The parameters that were signed: the JSON body of a POST, the raw query of a GET. */
const signedParams = (request: CallbackRequest, method: "GET" | "POST") => {
  if (method === "GET") return Effect.succeed(request.query ?? Webhook.queryOf(request.url))
  try {
    const body: unknown = JSON.parse(request.body ?? "")
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return Effect.succeed(body)
  } catch {
    // Reported below.
  }
  return reject("payload", "A POST callback's body must be a JSON object")
}

/** How a OneTouch callback's refusals read. */
const labels: Webhook.Labels = {
  service: "Authy",
  timeField: "nonce",
  stale: "The callback is too old (stale nonce)",
  future: "The callback's nonce is too far in the future",
  replayed: "This callback was already received"
}

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
 * const event = (rawBody: string, headers: Record<string, string>) =>
 *   OneTouchCallback.verify({
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
    const authy = yield* AuthyService
    const windowMillis = Duration.toMillis(window.value)
    const event = yield* Webhook.verify(
      Effect.gen(function*() {
        const valid = yield* authy.oneTouch.validateCallbackSignature({ signature, nonce, method, url: request.url, params })
        if (!valid) return yield* reject("signature", "X-Authy-Signature does not match the callback")
        const sentAt = Internal.parseNonce(nonce)
        if (sentAt === undefined) return yield* reject("nonce", "X-Authy-Signature-Nonce must be a Unix time in seconds")
        return { key: signature, sentAt, decode: decodeEvent(params, nonce, signature) }
      }),
      windowMillis,
      labels
    )
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
  Effect.flatMap(Webhook.readServerRequest(options?.url, "Authy", "callback"), (request) => verify(request, options))

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
export const statusFor: (error: ValidationError | NonceStoreError) => number = Webhook.statusFor

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
  Webhook.handler(verifyServerRequest(options), (event) => event.signature, onEvent, {
    what: "OneTouch callback",
    logPrefix: "authy.callback"
  })
