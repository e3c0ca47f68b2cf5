/**
 * Receiving Twilio's Verify webhooks (`challenge.approved`,
 * `challenge.denied`, `factor.verified`…): the `X-Twilio-Signature` check
 * (HMAC-SHA1 with the account's auth token over the URL and the sorted form
 * parameters; `bodySHA256` for a JSON body), freshness, replay protection and
 * an `@effect/platform` handler — the very procedure, nonce store (the
 * in-memory one or `effect-authy/redis`'s) and handler of OneTouch callbacks.
 *
 * Freshness. Twilio signs no timestamp header, so the time comes from the
 * signed parameters: `challenge_date_responded` on challenge events (or
 * `date_created` when present). A webhook older than the window (default 5
 * minutes) is refused as stale. An event that carries no time (factor events)
 * is remembered for one window from its receipt, refusing replays within it;
 * set `requireTimestamp` to refuse such events instead.
 *
 * @since 0.2.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as Headers from "@effect/platform/Headers"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Duration, Effect, Option, Redacted, Schema } from "effect"
import type { ValidationError } from "../AuthyError.js"
import * as Webhook from "../internal/core/webhook.js"
import * as Signature from "../internal/verify/signature.js"
import type { NonceStoreError } from "../NonceStore.js"
import { VerifyService } from "./VerifyService.js"

export {
  /** @since 0.2.0 */
  layerMemory,
  /** @since 0.2.0 */
  makeMemory,
  /** @since 0.2.0 */
  type MemoryNonceStore,
  /** @since 0.2.0 */
  NonceStore,
  /** @since 0.2.0 */
  NonceStoreError,
  /** @since 0.2.0 */
  NonceStoreErrorReason,
  /** @since 0.2.0 */
  type NonceStoreService
} from "../NonceStore.js"

/**
 * An incoming webhook, as the application received it.
 *
 * @example
 * ```ts
 * import type { VerifyWebhook } from "effect-authy/verify"
 *
 * const rawBody = "" // the body exactly as received, unparsed
 * const request: VerifyWebhook.WebhookRequest = {
 *   method: "POST",
 *   url: "https://example.com/twilio/webhook",
 *   headers: { "X-Twilio-Signature": "...", "Content-Type": "application/x-www-form-urlencoded" },
 *   body: rawBody
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface WebhookRequest {
  /** `POST` (Twilio's default) or `GET`. */
  readonly method: string
  /**
   * The URL Twilio called, as configured on the webhook: behind a proxy, the
   * public scheme, host and path, and the query (which is signed).
   */
  readonly url: string
  /** Must hold `X-Twilio-Signature` (any case). */
  readonly headers: Headers.Input
  /** POST: the raw body, form-encoded (or JSON, with `bodySHA256` in the URL). */
  readonly body?: string | undefined
}

/**
 * @example
 * ```ts
 * import type { VerifyWebhook } from "effect-authy/verify"
 *
 * const options: VerifyWebhook.VerifyOptions = { window: "2 minutes", requireTimestamp: true }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface VerifyOptions {
  /**
   * How far the event's time may be from now, either way (default 5
   * minutes), bounds included; accepted webhooks are remembered through the
   * same instant to refuse replays.
   */
  readonly window?: Duration.DurationInput | undefined
  /** Refuse an event whose signed parameters carry no time (default `false`). */
  readonly requireTimestamp?: boolean | undefined
}

/**
 * @example
 * ```ts
 * import type { VerifyWebhook } from "effect-authy/verify"
 *
 * const options: VerifyWebhook.HandlerOptions = { url: "https://example.com/twilio/webhook" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface HandlerOptions extends VerifyOptions {
  /**
   * The public webhook URL configured at Twilio. By default it is rebuilt
   * from the request (`X-Forwarded-Proto`, `Host`, path and query): set it
   * behind proxies that change any of them, or every signature looks wrong.
   */
  readonly url?: string | undefined
}

/**
 * A verified webhook event. The typed fields are those Twilio documents
 * (absent when the event does not carry them); `params` holds every
 * parameter as received, for the others.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { VerifyWebhook } from "effect-authy/verify"
 *
 * const onEvent = (event: VerifyWebhook.WebhookEvent) =>
 *   event.type === "challenge.approved" ? Effect.log(`challenge ${event.challengeSid} approved`) : Effect.void
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export class WebhookEvent extends Schema.Class<WebhookEvent>("effect-authy/verify/WebhookEvent")({
  /** `challenge.approved`, `challenge.denied`, `factor.created`, `factor.verified`, `factor.deleted`. */
  type: Schema.String,
  uuid: Schema.optional(Schema.String),
  accountSid: Schema.optional(Schema.String),
  serviceSid: Schema.optional(Schema.String),
  entityIdentity: Schema.optional(Schema.String),
  factorSid: Schema.optional(Schema.String),
  factorType: Schema.optional(Schema.String),
  challengeSid: Schema.optional(Schema.String),
  challengeStatus: Schema.optional(Schema.String),
  /** When Twilio says the event happened (epoch millis), if the event says. */
  sentAt: Schema.optional(Schema.Number),
  /** `X-Twilio-Signature`: the key the nonce store remembers. */
  signature: Schema.String,
  params: Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Array(Schema.String)) })
}) {}

/**
 * The default window: 5 minutes, as for OneTouch callbacks.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { VerifyWebhook } from "effect-authy/verify"
 *
 * Duration.toSeconds(VerifyWebhook.defaultWindow) // 300
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultWindow: Duration.Duration = Duration.minutes(5)

const reject = (field: string, message: string) => Webhook.refuse("Verify", field, message)

const labels: Webhook.Labels = {
  service: "Verify",
  timeField: "timestamp",
  stale: "The webhook is too old (stale timestamp)",
  future: "The webhook's timestamp is too far in the future",
  replayed: "This webhook was already received"
}

/** The signed parameters, which keep every value of a repeated key. */
type Params = Record<string, string | Array<string>>

const formParams = (text: string): Params => {
  const out: Params = Object.create(null)
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = out[key]
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  return out
}

/** The signed parameters that carry a time, in order of preference. */
const timeParameters = ["challenge_date_responded", "date_created"]

const sentAtOf = (params: Params): number | undefined | "unreadable" => {
  for (const name of timeParameters) {
    const value = params[name]
    if (typeof value === "string" && value !== "") {
      const at = Date.parse(value)
      return Number.isNaN(at) ? "unreadable" : at
    }
  }
  return undefined
}

const text = (params: Params, name: string): string | undefined => {
  const value = params[name]
  return typeof value === "string" ? value : undefined
}

const toEvent = (params: Params, signature: string, sentAt: number | undefined) =>
  typeof params.type !== "string" || params.type === ""
    ? reject("payload", "The webhook has no event type")
    : Effect.succeed(
      new WebhookEvent({
        type: params.type,
        uuid: text(params, "uuid"),
        accountSid: text(params, "account_sid"),
        serviceSid: text(params, "service_sid"),
        entityIdentity: text(params, "entity_identity"),
        factorSid: text(params, "factor_sid"),
        factorType: text(params, "factor_type"),
        challengeSid: text(params, "challenge_sid"),
        challengeStatus: text(params, "challenge_status"),
        sentAt,
        signature,
        params
      })
    )

/**
 * What was signed: the form parameters of a form POST; none for a GET or a
 * JSON body (whose hash is in the URL), with the event's fields read from
 * the query or the JSON object instead.
 */
const readRequest = (request: WebhookRequest, method: "GET" | "POST", headers: Headers.Headers) => {
  const url = new URL(request.url)
  if (method === "GET") return Effect.succeed({ signed: {}, fields: formParams(url.search.slice(1)), bodySHA256: undefined })
  const body = request.body ?? ""
  const json = (headers["content-type"] ?? "").includes("json")
  if (!json) return Effect.succeed({ signed: formParams(body), fields: formParams(body), bodySHA256: undefined })
  const bodySHA256 = url.searchParams.get("bodySHA256")
  if (bodySHA256 === null) return reject("signature", "A JSON webhook's URL must carry bodySHA256")
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return reject("payload", "The webhook's body is not JSON")
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return reject("payload", "The webhook's body must be a JSON object")
  const fields: Params = Object.create(null)
  for (const [key, value] of Object.entries(parsed)) fields[key] = typeof value === "string" ? value : JSON.stringify(value)
  return Effect.succeed({ signed: {}, fields, bodySHA256 })
}

/**
 * Verifies an incoming Verify webhook with the {@link VerifyService}'s auth
 * token and decodes it. Refused, each with a `ValidationError` whose `field`
 * says why:
 *
 * - `method`: neither `POST` nor `GET`;
 * - `signature`: `X-Twilio-Signature` missing or not made with the token
 *   over this URL and these parameters (the URL with or without its default
 *   port, as Twilio's validators accept), or a JSON body whose SHA-256 is not
 *   the URL's `bodySHA256`;
 * - `timestamp`: the event's time is further from now than the window, is
 *   unreadable, or (with `requireTimestamp`) missing;
 * - `payload`: no event `type`, or a JSON body that is not an object;
 * - `replay`: this very webhook was already accepted within the window.
 *
 * The window's bounds are included, as for OneTouch callbacks. When the
 * nonce store cannot tell and refuses, the verification fails with its
 * `NonceStoreError`. An accepted webhook is remembered at once; if handling
 * it then fails, `forget(event.signature)` lets a new delivery in
 * ({@link handler} does).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { VerifyWebhook } from "effect-authy/verify"
 *
 * const event = (rawBody: string, headers: Record<string, string>) =>
 *   VerifyWebhook.verify({
 *   method: "POST",
 *   url: "https://example.com/twilio/webhook",
 *   headers,
 *   body: rawBody
 * }).pipe(Effect.tap((e) => Effect.log(`${e.type} for ${e.entityIdentity}`)))
 * ```
 *
 * @since 0.2.0
 * @category verification
 */
export const verify: (
  request: WebhookRequest,
  options?: VerifyOptions
) => Effect.Effect<WebhookEvent, ValidationError | NonceStoreError, VerifyService> = Effect.fn("Verify.webhooks.verify")(
  function*(request: WebhookRequest, options?: VerifyOptions) {
    const window = Duration.decodeUnknown(options?.window ?? defaultWindow)
    if (Option.isNone(window)) return yield* reject("window", "window must be a duration")
    const method = request.method.toUpperCase()
    if (method !== "POST" && method !== "GET") return yield* reject("method", "A webhook is sent with POST or GET")
    const headers = Headers.fromInput(request.headers)
    const signature = headers["x-twilio-signature"]
    if (signature === undefined || signature === "") return yield* reject("signature", "The X-Twilio-Signature header is missing")
    if (!URL.canParse(request.url)) return yield* reject("url", "The webhook URL is not a URL")
    const { bodySHA256, fields, signed } = yield* readRequest(request, method, headers)
    const verify = yield* VerifyService
    return yield* Webhook.verify(
      Effect.gen(function*() {
        // The signature first: nothing else is worth checking, or remembering.
        const valid = yield* verify.webhooks.validateSignature({ url: request.url, params: signed, signature })
        if (!valid) return yield* reject("signature", "X-Twilio-Signature does not match the webhook")
        if (bodySHA256 !== undefined && !Signature.validateBody(request.body ?? "", bodySHA256)) {
          return yield* reject("signature", "The webhook's body does not match its bodySHA256")
        }
        const sentAt = sentAtOf(fields)
        if (sentAt === "unreadable") return yield* reject("timestamp", "The webhook's timestamp is not a date")
        if (sentAt === undefined && options?.requireTimestamp === true) {
          return yield* reject("timestamp", "The webhook carries no timestamp")
        }
        return { key: signature, sentAt, decode: toEvent(fields, signature, sentAt) }
      }),
      Duration.toMillis(window.value),
      labels
    )
  }
)

/**
 * {@link verify} for the `HttpServerRequest` being served: reads its method,
 * headers and raw body (at most 64 KiB).
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 * import { VerifyWebhook } from "effect-authy/verify"
 *
 * const router = HttpRouter.empty.pipe(
 *   HttpRouter.post(
 *     "/twilio/webhook",
 *     VerifyWebhook.verifyServerRequest({ url: "https://example.com/twilio/webhook" }).pipe(
 *       Effect.flatMap((event) => Effect.log(event.type)),
 *       Effect.as(HttpServerResponse.empty()),
 *       Effect.catchAll((e) => Effect.succeed(HttpServerResponse.empty({ status: VerifyWebhook.statusFor(e) })))
 *     )
 *   )
 * )
 * ```
 *
 * @since 0.2.0
 * @category http
 */
export const verifyServerRequest = (
  options?: HandlerOptions
): Effect.Effect<WebhookEvent, ValidationError | NonceStoreError, VerifyService | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(Webhook.readServerRequest(options?.url, "Verify", "webhook"), (request) => verify(request, options))

/**
 * The HTTP status a refused webhook is answered with, as for OneTouch
 * callbacks: 401 `signature`/`timestamp`, 409 `replay`, 405 `method`, 400
 * `payload`, 500 a bad option, 503 a `NonceStoreError`.
 *
 * @example
 * ```ts
 * import { ValidationError } from "effect-authy"
 * import { VerifyWebhook } from "effect-authy/verify"
 *
 * VerifyWebhook.statusFor(new ValidationError({ field: "replay", message: "seen", service: "Verify" })) // 409
 * ```
 *
 * @since 0.2.0
 * @category http
 */
export const statusFor: (error: ValidationError | NonceStoreError) => number = Webhook.statusFor

/**
 * A ready HTTP handler for Verify webhooks (`HttpRouter.post`): verifies the
 * request, hands the event to `onEvent` and answers 200; a refused webhook
 * gets its status ({@link statusFor}) and a warning log, without `onEvent`;
 * when `onEvent` fails the webhook is forgotten, so Twilio's next delivery
 * is handled rather than refused as a replay. The same handler as
 * `OneTouchCallback.handler`.
 *
 * @example
 * ```ts
 * import { HttpRouter } from "@effect/platform"
 * import { Effect } from "effect"
 * import { VerifyWebhook } from "effect-authy/verify"
 *
 * const webhook = VerifyWebhook.handler(
 *   (event) => Effect.log(`${event.type}: challenge ${event.challengeSid} of ${event.entityIdentity}`),
 *   { url: "https://example.com/twilio/webhook" }
 * )
 * const router = HttpRouter.empty.pipe(HttpRouter.post("/twilio/webhook", webhook))
 * ```
 *
 * @since 0.2.0
 * @category http
 */
export const handler = <E, R>(
  onEvent: (event: WebhookEvent) => Effect.Effect<unknown, E, R>,
  options?: HandlerOptions
): HttpApp.Default<E, R | VerifyService> =>
  Webhook.handler(verifyServerRequest(options), (event) => event.signature, onEvent, {
    what: "Verify webhook",
    logPrefix: "verify.webhook"
  })

/**
 * What a signature covers: the auth token, the full URL Twilio called (query
 * included) and the form parameters (none for a GET or a JSON body).
 *
 * @example
 * ```ts
 * import type { VerifyWebhook } from "effect-authy/verify"
 *
 * const input: VerifyWebhook.SignatureInput = {
 *   authToken: "12345",
 *   url: "https://mycompany.com/myapp.php?foo=1&bar=2",
 *   params: { Digits: "1234" }
 * }
 * ```
 *
 * @since 0.2.0
 * @category signatures
 */
export interface SignatureInput {
  readonly authToken: Redacted.Redacted<string> | string
  readonly url: string
  readonly params: Readonly<Record<string, string | ReadonlyArray<string>>>
}

const tokenOf = (token: Redacted.Redacted<string> | string) => (typeof token === "string" ? token : Redacted.value(token))

/**
 * `X-Twilio-Signature` for a request: base64 HMAC-SHA1 of the URL followed
 * by each parameter's name and value, names sorted.
 *
 * @example
 * ```ts
 * import { VerifyWebhook } from "effect-authy/verify"
 *
 * VerifyWebhook.computeSignature({
 *   authToken: "12345",
 *   url: "https://mycompany.com/myapp.php?foo=1&bar=2",
 *   params: { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" }
 * }) // "RSOYDt4T1cUTdK1PDd93/VVr8B8="
 * ```
 *
 * @since 0.2.0
 * @category signatures
 */
export const computeSignature = (input: SignatureInput): string =>
  Signature.compute(tokenOf(input.authToken), input.url, input.params)

/**
 * Whether `signature` was made over the input (the URL with or without its
 * default port), in constant time.
 *
 * @example
 * ```ts
 * import { VerifyWebhook } from "effect-authy/verify"
 *
 * VerifyWebhook.validateSignature({ authToken: "12345", url: "https://example.com/hook", params: {}, signature: "x" }) // false
 * ```
 *
 * @since 0.2.0
 * @category signatures
 */
export const validateSignature = (input: SignatureInput & { readonly signature: string }): boolean =>
  Signature.validate(tokenOf(input.authToken), input.url, input.params, input.signature)

/**
 * The hex SHA-256 of a JSON body, which Twilio puts in the URL as
 * `bodySHA256` before signing the URL.
 *
 * @example
 * ```ts
 * import { VerifyWebhook } from "effect-authy/verify"
 *
 * VerifyWebhook.bodySHA256("{}") // "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
 * ```
 *
 * @since 0.2.0
 * @category signatures
 */
export const bodySHA256: (body: string) => string = Signature.bodyHash
