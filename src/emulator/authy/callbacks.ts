/**
 * OneTouch callbacks (authy-api.md §2.16, §3) as the emulator sends them:
 * when an approval request is approved or denied, the application's callback
 * URL is called with the answer, signed with the application's API key the
 * way Authy signs it, so that a receiver can be tested end to end.
 *
 * Delivery is fire-and-forget and a single attempt with a short timeout:
 * Authy documents neither retries nor their schedule, so the emulator does
 * not invent any. Every attempt is recorded in `app.deliveries` with the
 * status the application answered or the reason there was no answer; a
 * failure never reaches the approve/deny that caused it.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Cause, Context, Duration, Effect, Either, Exit, FiberSet, Layer, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import { canonicalParams, computeSignature } from "../../internal/signature.js"
import { expiresAt } from "./approvals.js"
import { type AppState, type Approval, type CallbackTarget, type Delivery, EmulatorState, type Service } from "./State.js"

/**
 * How long the application has to answer a callback.
 *
 * @since 0.1.0
 * @category constants
 */
export const deliveryTimeout: Duration.Duration = Duration.seconds(5)

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

/**
 * A callback target as given by a user (control API, handle, CLI): the
 * method defaults to POST, as on Authy's dashboard.
 *
 * @since 0.1.0
 * @category models
 */
export interface TargetInput {
  readonly url: string
  readonly method?: string | undefined
}

/**
 * Why a callback target was refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidTarget {
  /** @since 0.1.0 */
  readonly _tag = "InvalidTarget"
  constructor(readonly field: "url" | "method", readonly reason: string) {}
}

const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

const parseMethod = (method: string | undefined): "POST" | "GET" | undefined => {
  const upper = (method ?? "POST").trim().toUpperCase()
  return upper === "POST" || upper === "GET" ? upper : undefined
}

/**
 * Checks a callback target. The URL is kept normalised (`new URL(...).href`,
 * no fragment): that is the URL signed, and the one a receiver rebuilds from
 * the `Host` header and the path. A GET target may not carry a query, since
 * the query is the signed parameters.
 *
 * @since 0.1.0
 * @category configuration
 */
export const parseTarget = (input: TargetInput): Either.Either<CallbackTarget, InvalidTarget> => {
  const method = parseMethod(input.method)
  if (method === undefined) return Either.left(new InvalidTarget("method", "must be POST or GET"))
  const url = parseUrl(input.url.trim())
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return Either.left(new InvalidTarget("url", "must be an absolute http or https URL"))
  }
  if (method === "GET" && url.search !== "") {
    return Either.left(new InvalidTarget("url", "a GET callback URL cannot have a query: the query is the callback"))
  }
  url.hash = ""
  return Either.right({ url: url.href, method })
}

/**
 * Sets the application's callback target; an empty URL clears it. Throws on
 * an invalid target (for the control handle, which turns it into a defect).
 *
 * @since 0.1.0
 * @category configuration
 */
export const configure = (app: AppState, input: TargetInput): void => {
  if (input.url.trim() === "") {
    app.callback = undefined
    return
  }
  const parsed = parseTarget(input)
  if (Either.isLeft(parsed)) throw new Error(`Invalid callback ${parsed.left.field}: ${parsed.left.reason}`)
  app.callback = parsed.right
}

// ---------------------------------------------------------------------------
// The payload
// ---------------------------------------------------------------------------

const unix = (millis: number) => Math.floor(millis / 1000)

const orNull = <A extends object>(value: A): A | null => (Object.keys(value).length === 0 ? null : value)

/**
 * The device that answered: the user's newest Authy app. A user may have
 * none in the emulator (approval requests do not require one), in which case
 * a device id of 0 stands in.
 */
const deviceOf = (app: AppState, approval: Approval, now: number) => {
  const device = app.users.get(approval.authyId)?.devices.at(-1)
  return {
    city: null,
    country: null,
    ip: null,
    region: null,
    registration_method: "sms",
    os_type: device?.osType ?? "android",
    last_account_recovery_at: null,
    id: device?.id ?? 0,
    registration_date: unix(device?.registeredAt ?? approval.createdAt),
    last_sync_date: unix(now)
  }
}

/**
 * The callback's parameters, in the shape and key order of authy-api.md
 * §2.16. `details`, `hidden_details` and `logos` are `null` when empty; the
 * device's own signature is random bytes (nobody can check it: the device key
 * is Authy's secret).
 *
 * @since 0.1.0
 * @category payload
 */
export const payload = (app: AppState, approval: Approval, now: number): Record<string, unknown> => {
  const status = approval.decision?.status ?? "approved"
  const device = deviceOf(app, approval, now)
  const expiry = expiresAt(approval)
  return {
    authy_id: approval.authyId,
    device_uuid: device.id,
    callback_action: "approval_request_status",
    uuid: approval.uuid,
    status,
    approval_request: {
      transaction: {
        details: orNull(approval.details),
        device_details: {},
        device_geolocation: "",
        device_signing_time: unix(approval.decision?.at ?? now),
        encrypted: false,
        flagged: false,
        hidden_details: orNull(approval.hiddenDetails),
        message: approval.message,
        reason: "",
        requester_details: null,
        status,
        uuid: approval.uuid,
        created_at_time: unix(approval.createdAt),
        customer_uuid: app.appId
      },
      expiration_timestamp: expiry === undefined ? null : unix(expiry),
      logos: approval.logos.length === 0 ? null : approval.logos.map((logo) => ({ res: logo.res, url: logo.url })),
      app_id: app.objectId
    },
    signature: randomBytes(256).toString("base64"),
    device
  }
}

// ---------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------

/**
 * A signed callback request and its two headers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Signed {
  readonly nonce: string
  readonly signature: string
  readonly request: HttpClientRequest.HttpClientRequest
}

/**
 * A callback ready to go: the application it belongs to, its delivery record
 * to be, and the request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Prepared {
  readonly apiKey: string
  readonly record: Omit<Delivery, "responseStatus" | "error">
  readonly request: HttpClientRequest.HttpClientRequest
}

/**
 * Signs a payload for a target at emulator time `now`: the nonce is the Unix
 * time in seconds, the signature `computeSignature` (authy-api.md §3) with
 * the application's key over nonce, method, URL and payload. A GET carries
 * the canonical parameter string itself as its query, so what the receiver
 * reads back is byte for byte what was signed.
 *
 * @since 0.1.0
 * @category signing
 */
export const sign = (
  apiKey: string,
  target: CallbackTarget,
  params: Record<string, unknown>,
  now: number
): Signed => {
  const nonce = String(unix(now))
  const signature = computeSignature({ apiKey, nonce, method: target.method, url: target.url, params })
  const headers = { "x-authy-signature": signature, "x-authy-signature-nonce": nonce }
  const request = target.method === "GET"
    ? HttpClientRequest.get(`${target.url}?${canonicalParams(params)}`, { headers })
    : HttpClientRequest.post(target.url, { headers }).pipe(
      HttpClientRequest.bodyText(JSON.stringify(params), "application/json")
    )
  return { nonce, signature, request }
}

const prepare = (app: AppState, approval: Approval, target: CallbackTarget, now: number): Prepared => {
  const params = payload(app, approval, now)
  const { nonce, request, signature } = sign(app.apiKey, target, params, now)
  return {
    apiKey: app.apiKey,
    request,
    record: {
      uuid: approval.uuid,
      status: approval.decision?.status ?? "approved",
      url: target.url,
      method: target.method,
      nonce,
      signature,
      payload: params,
      sentAt: now
    }
  }
}

// ---------------------------------------------------------------------------
// Delivery
// ---------------------------------------------------------------------------

/** What a developer reading the delivery log needs, by Node/undici error code. */
const readableCodes: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  UND_ERR_SOCKET: "connection closed",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS lookup failed)"
}

/** The error and the errors it wraps (`cause`, an `AggregateError`'s `errors`), outermost first. */
const chain = (error: unknown): ReadonlyArray<unknown> => {
  const out: Array<unknown> = []
  const queue = [error]
  while (queue.length > 0 && out.length < 10) {
    const next = queue.shift()
    if (next === undefined || next === null) continue
    out.push(next)
    if (typeof next === "object") {
      if ("cause" in next) queue.push(next.cause)
      if ("errors" in next && Array.isArray(next.errors)) queue.push(...next.errors)
    }
  }
  return out
}

const codeOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined

/**
 * Why a delivery got no answer, readably: `connection refused`, `host not
 * found`... from the error codes the transport wraps (the platform's own
 * message, `Transport error (POST …)`, says nothing), else the innermost
 * error's message.
 */
const describeFailure = (cause: Cause.Cause<unknown>): string => {
  if (Cause.isInterruptedOnly(cause)) return "interrupted"
  const errors = chain(Cause.squash(cause))
  const known = errors.map(codeOf).find((code) => code !== undefined && code in readableCodes)
  if (known !== undefined) return readableCodes[known]!
  const innermost = errors[errors.length - 1]
  return innermost instanceof Error ? innermost.message : String(innermost)
}

// The body is drained (and ignored) so that the connection can be reused.
const attempt = (client: HttpClient.HttpClient, request: HttpClientRequest.HttpClientRequest) =>
  client.execute(request).pipe(
    Effect.flatMap((response) => Effect.as(Effect.ignore(response.arrayBuffer), response.status)),
    Effect.timeoutFail({
      duration: deliveryTimeout,
      onTimeout: () => new Error(`no answer within ${Duration.format(deliveryTimeout)}`)
    })
  )

const outcome = (exit: Exit.Exit<number, unknown>): Pick<Delivery, "responseStatus" | "error"> =>
  Exit.isSuccess(exit) ? { responseStatus: exit.value } : { error: describeFailure(exit.cause) }

const log = (delivery: Delivery) =>
  (delivery.error === undefined
    ? Effect.logDebug("OneTouch callback delivered")
    : Effect.logWarning("OneTouch callback failed")).pipe(
      Effect.annotateLogs({
        "authy.approval_uuid": delivery.uuid,
        "authy.callback.url": delivery.url,
        "authy.callback.outcome": delivery.error ?? delivery.responseStatus
      })
    )

/**
 * Sends one prepared callback and records how it went. Never fails.
 *
 * @since 0.1.0
 * @category delivery
 */
export const deliver = (state: Service, client: HttpClient.HttpClient, prepared: Prepared): Effect.Effect<void> =>
  Effect.gen(function*() {
    // Real time, not the application's clock: how long the receiver took.
    const started = Date.now()
    const exit = yield* Effect.exit(attempt(client, prepared.request))
    const delivery: Delivery = { ...prepared.record, ...outcome(exit), latencyMillis: Date.now() - started }
    yield* state.use(prepared.apiKey, (app) => void app.deliveries.push(delivery)).pipe(Effect.ignore)
    yield* log(delivery)
  })

/**
 * Starts sending callbacks for the life of the scope: every approval request
 * answered from now on is delivered to its application's callback target (if
 * it has one), in a fiber of its own that the scope's end interrupts. Sets
 * `initial` as the target of every application first.
 *
 * Uses an undici `HttpClient` of its own, so that a test's client (a stub, a
 * recorder) is never asked to carry the emulator's traffic.
 *
 * @since 0.1.0
 * @category delivery
 */
export const start = (initial?: TargetInput): Effect.Effect<void, never, Scope.Scope | EmulatorState> =>
  Effect.gen(function*() {
    const state = yield* EmulatorState
    if (initial !== undefined) {
      yield* Effect.forEach(state.apiKeys, (key) => state.use(key, (app) => configure(app, initial)), { discard: true }).pipe(
        Effect.orDie
      )
    }
    const client = Context.get(yield* Layer.build(NodeHttpClient.layerUndici), HttpClient.HttpClient)
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    yield* state.onAnswered((app, approval, now) => {
      if (app.callback !== undefined) run(deliver(state, client, prepare(app, approval, app.callback, now)))
    })
  })

/**
 * A delivery as the control API lists it (`GET /__emulator/callbacks`).
 *
 * @since 0.1.0
 * @category wire
 */
export const deliveryBody = (delivery: Delivery) => ({
  uuid: delivery.uuid,
  status: delivery.status,
  url: delivery.url,
  method: delivery.method,
  ...(delivery.responseStatus === undefined ? {} : { response_status: delivery.responseStatus }),
  ...(delivery.error === undefined ? {} : { error: delivery.error }),
  nonce: delivery.nonce,
  signature: delivery.signature,
  sent_at: new Date(delivery.sentAt).toISOString(),
  payload: delivery.payload
})

/**
 * A callback target as the control API shows it, `null` for none.
 *
 * @since 0.1.0
 * @category wire
 */
export const targetBody = (target: CallbackTarget | undefined) =>
  target === undefined ? null : { url: target.url, method: target.method }
