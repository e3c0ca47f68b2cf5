/**
 * Sending one Authy request and turning whatever comes back into a typed value
 * or a typed error. Every endpoint goes through {@link AuthyHttp.execute}.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Duration, Effect, Either, FiberRef, Option, Predicate, Random, Redacted } from "effect"
import type { ParseError } from "effect/ParseResult"
import { ApiError, NetworkError, type NetworkErrorReason, ValidationError } from "../../AuthyError.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import * as Redact from "./redact.js"
import * as DirectSend from "./directSend.js"
import { annotate } from "./span.js"
import { isLiveClock, timeoutFail } from "./timeout.js"
import { version } from "./version.js"

/**
 * One request, described before it is sent.
 *
 * @internal
 */
export interface Endpoint<A> {
  readonly method: "GET" | "POST"
  /** The path, every segment already validated and percent-encoded. */
  readonly path: string
  /** The path as a template, for spans: `/protected/json/verify/{token}/{authy_id}`. */
  readonly route: string
  /**
   * GET: the query string; POST: the JSON body. `undefined` entries are left out.
   * The values of parameters named in {@link secretParameters} (codes, phone
   * numbers), here or in `route`, are scrubbed from any error the request raises.
   */
  readonly params?: Readonly<Record<string, unknown>> | undefined
  readonly safety: RetryPolicy.Safety
  /** Compiled once per endpoint (`Schema.decodeUnknownEither`): decoding is synchronous. */
  readonly decode: (body: unknown) => Either.Either<A, ParseError>
}

/**
 * Settings of the transport, resolved from the layer options.
 *
 * @internal
 */
export interface HttpSettings {
  readonly apiKey: Redacted.Redacted<string>
  readonly apiUrl: string
  /** The limit of one attempt, answer body included. */
  readonly timeout: Duration.Duration
  /** The limit of a whole call, retries and their delays included. */
  readonly totalTimeout: Duration.Duration
  readonly userAgent: string
  readonly retry: RetryPolicy.RetryPolicy
  /** Wraps every attempt: the client-side rate limiter and concurrency cap, when set. */
  readonly limit: <A, E>(attempt: Effect.Effect<A, E>) => Effect.Effect<A, E>
}

/** @internal */
export const defaultApiUrl = "https://api.authy.com"

/** @internal */
export const defaultUserAgent = (): string => {
  const node = globalThis.process?.versions?.node
  return `effect-authy/${version} (${node === undefined ? "JavaScript" : `Node ${node}`})`
}

const loopbackHosts = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/**
 * The API key must not travel in clear over a network: `http:` is allowed only
 * for loopback (the emulator).
 *
 * @internal
 */
export const checkApiUrl = (apiUrl: string): ValidationError | string => {
  let url: URL
  try {
    url = new URL(apiUrl)
  } catch {
    return new ValidationError({ field: "apiUrl", message: "apiUrl is not a URL" })
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.test(url.hostname))
  if (!secure) {
    return new ValidationError({
      field: "apiUrl",
      message: "apiUrl must use https (http is allowed only for a loopback host)"
    })
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return new ValidationError({ field: "apiUrl", message: "apiUrl must not carry credentials, a query or a fragment" })
  }
  return url.origin + url.pathname.replace(/\/+$/, "")
}

/**
 * The request executor behind every endpoint.
 *
 * @internal
 */
export interface AuthyHttp {
  readonly execute: <A>(endpoint: Endpoint<A>) => Effect.Effect<A, ApiError | NetworkError | ValidationError>
}

/**
 * An executor for a service whose settings are unusable: every call fails
 * with the same refusal, before anything is sent. The layer itself builds, so
 * a bad option is a typed error at each call rather than a dead layer.
 *
 * @internal
 */
export const refusing = (error: ValidationError): AuthyHttp => ({ execute: () => Effect.fail(error) })

/**
 * Builds the executor on top of the application's `HttpClient`.
 *
 * The platform's own client span is turned off for our requests: its `url.full`
 * attribute would carry the token (verify puts it in the path) and phone
 * numbers (phone endpoints put them in the query). The endpoint span
 * (`Authy.<group>.<op>`) records the route template and the status instead.
 *
 * @internal
 */
export const make = (client: HttpClient.HttpClient, settings: HttpSettings): AuthyHttp => {
  const apiUrl = checkApiUrl(settings.apiUrl)
  if (typeof apiUrl !== "string") return refusing(apiUrl)
  const authyClient = client.pipe(
    HttpClient.mapRequest((request) =>
      request.pipe(
        HttpClientRequest.prependUrl(apiUrl),
        HttpClientRequest.setHeaders({
          "x-authy-api-key": Redacted.value(settings.apiKey),
          "user-agent": settings.userAgent,
          accept: "application/json"
        })
      )
    ),
    HttpClient.withTracerDisabledWhen(() => true),
    // The fetch transport follows redirects by default and would carry the key
    // to wherever it is sent; a redirect must surface as an answer instead.
    HttpClient.transformResponse(Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }))
  )

  const genericAttempt = <A>(endpoint: Endpoint<A>, timeout: Duration.Duration) =>
    Effect.flatMap(
      Effect.mapError(authyClient.execute(toRequest(endpoint)), toNetworkError),
      (response) => readResponse(response, endpoint, settings.apiKey)
    ).pipe(
      // `Effect.timeoutFail`, forking one fiber instead of two on the live clock.
      (self) => timeoutFail(self, { duration: timeout, onTimeout: () => timeoutError(timeout) }),
      settings.limit
    )

  // effect-authy's own transport takes the request whole, and its deadline.
  const direct = DirectSend.get(client)
  const headers = {
    "x-authy-api-key": Redacted.value(settings.apiKey),
    "user-agent": settings.userAgent,
    accept: "application/json"
  }
  const directAttempt = <A>(send: DirectSend.DirectSend, endpoint: Endpoint<A>, timeout: Duration.Duration) =>
    Effect.flatMap(
      Effect.mapError(
        send(toRequest(endpoint, apiUrl, headers), Duration.toMillis(timeout)),
        (error) => error._tag === "DeadlineExceeded" ? timeoutError(timeout) : toNetworkError(error)
      ),
      (response) => readResponse(response, endpoint, settings.apiKey)
    ).pipe(settings.limit)

  const attempt = <A>(endpoint: Endpoint<A>, timeout: Duration.Duration, clock: Clock.Clock) =>
    direct !== undefined && isLiveClock(clock)
      ? directAttempt(direct, endpoint, timeout)
      : genericAttempt(endpoint, timeout)

  // The first attempt is the hot path: no retry machinery, one timeout.
  const firstTimeout = Duration.min(settings.timeout, settings.totalTimeout)

  /** Attempts after the first, while the policy and the total timeout allow. */
  const retry = <A>(endpoint: Endpoint<A>, firstError: ApiError | NetworkError | ValidationError, startedAt: number) =>
    Effect.gen(function*() {
      const policy = Option.getOrElse(yield* FiberRef.get(RetryPolicy.currentPolicy), () => settings.retry)
      let error = firstError
      const clock = yield* Effect.clock
      for (let failed = 1;; failed++) {
        const delay = yield* retryDelay(policy, endpoint.safety, failed, error, startedAt)
        if (Option.isNone(delay)) return yield* Effect.fail(error)
        const left = Duration.toMillis(settings.totalTimeout) - ((yield* Clock.currentTimeMillis) - startedAt) - delay.value
        if (!(left > 0)) return yield* Effect.fail(error)
        yield* Effect.logDebug("Authy request failed, retrying").pipe(
          Effect.annotateLogs({ "authy.attempt": failed, "authy.retry_reason": describe(error), "authy.retry_delay_ms": delay.value })
        )
        yield* annotate({ "authy.attempts": failed + 1 })
        yield* Effect.sleep(Duration.millis(delay.value))
        const timeout = Duration.min(settings.timeout, Duration.millis(left))
        const result = yield* Effect.either(attempt(endpoint, timeout, clock))
        if (result._tag === "Right") return result.right
        error = Duration.lessThan(timeout, settings.timeout) && isTimeout(result.left)
          ? timeoutError(settings.totalTimeout)
          : result.left
      }
    })

  return {
    execute: (endpoint) =>
      Effect.clockWith((clock) => {
        const startedAt = clock.unsafeCurrentTimeMillis()
        return Effect.catchAll(attempt(endpoint, firstTimeout, clock), (error) => retry(endpoint, error, startedAt))
      }).pipe(
        Effect.tapError((error) => annotateFailure(endpoint, error))
      )
  }
}

const isTimeout = (error: ApiError | NetworkError | ValidationError) =>
  error._tag === "NetworkError" && error.reason === "Timeout"

/** What the endpoint span records of a failure: never a URL, only the route template. */
const annotateFailure = (endpoint: Endpoint<unknown>, error: ApiError | NetworkError | ValidationError) =>
  annotate({
    "http.request.method": endpoint.method,
    "http.route": endpoint.route,
    ...(error._tag === "ApiError"
      ? { "http.response.status_code": error.status, "authy.error_code": error.errorCode ?? "", "authy.error_reason": error.reason }
      : { "authy.error_reason": error._tag === "NetworkError" ? error.reason : `invalid ${error.field}` })
  })

const timeoutError = (limit: Duration.Duration) =>
  new NetworkError({ reason: "Timeout", message: `Authy did not answer within ${Duration.format(limit)}` })

const describe = (error: ApiError | NetworkError | ValidationError): string =>
  error._tag === "ApiError" ? `HTTP ${error.status}` : error._tag === "NetworkError" ? error.reason : error.field

/**
 * How long to wait before attempt `failed + 1`, or none when the policy says
 * to stop: the error is not retryable for this safety class, the attempts are
 * used up, or the wait would end past the policy's time budget.
 */
const retryDelay = (
  policy: RetryPolicy.RetryPolicy,
  safety: RetryPolicy.Safety,
  failed: number,
  error: ApiError | NetworkError | ValidationError,
  startedAt: number
): Effect.Effect<Option.Option<number>> => {
  // Comparisons that fail closed: a hand-made policy given to `withPolicy`
  // with a `NaN` stops here instead of retrying until the total timeout.
  if (!(failed < policy.maxAttempts) || !RetryPolicy.isRetryable(safety, error)) return Effect.succeedNone
  const retryAfter = error._tag === "ApiError" ? error.retryAfterMillis : undefined
  const computed = RetryPolicy.delayMillis(policy, failed, retryAfter)
  return Effect.gen(function*() {
    // Retry-After is a floor set by the server: jitter only what we chose ourselves.
    const delay = policy.jitter && retryAfter === undefined ? Math.round(computed * (yield* Random.next)) : computed
    const elapsed = (yield* Clock.currentTimeMillis) - startedAt
    return elapsed + delay <= Duration.toMillis(policy.maxElapsed) ? Option.some(delay) : Option.none()
  })
}

/** The request of `endpoint`: relative to the API URL and without headers, unless they are given. */
const toRequest = (
  endpoint: Endpoint<unknown>,
  apiUrl = "",
  headers: Readonly<Record<string, string>> = {}
): HttpClientRequest.HttpClientRequest => {
  if (endpoint.method === "GET") {
    return HttpClientRequest.get(apiUrl + endpoint.path, { urlParams: toUrlParams(endpoint.params), headers })
  }
  return HttpClientRequest.post(apiUrl + endpoint.path, { headers }).pipe(
    HttpClientRequest.bodyUnsafeJson(endpoint.params ?? {})
  )
}

const toUrlParams = (params: Endpoint<unknown>["params"]): Record<string, string> => {
  const out: Record<string, string> = {}
  if (params === undefined) return out
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) out[key] = String(value)
  }
  return out
}

const readResponse = <A>(
  response: HttpClientResponse.HttpClientResponse,
  endpoint: Endpoint<A>,
  apiKey: Redacted.Redacted<string>
) =>
  response.text.pipe(
    Effect.mapError(toNetworkError),
    // Headers are read only on failure: the platform rebuilds them on each access.
    Effect.flatMap((text) =>
      interpret(response.status, text, () => response.headers["retry-after"], endpoint, () => scrubberFor(endpoint, apiKey))
    )
  )

/**
 * Wire parameters whose values are secret: one-time codes and phone numbers.
 * Named here once, for every endpoint, path parameters (`{token}`) included.
 *
 * @internal
 */
export const secretParameters: ReadonlySet<string> = new Set([
  "token",
  "cellphone",
  "phone_number",
  "verification_code",
  "custom_code"
])

/**
 * The secrets this request carries: the values of its secret path segments
 * (found by laying `route` over `path`) and of its secret parameters, at any
 * depth (`user[cellphone]`).
 */
const sentSecrets = (endpoint: Endpoint<unknown>): Array<string> => {
  const found: Array<string> = []
  const route = endpoint.route.split("/")
  const path = endpoint.path.split("/")
  route.forEach((segment, i) => {
    const name = /^\{(.+)\}$/.exec(segment)?.[1]
    const value = path[i]
    if (name !== undefined && secretParameters.has(name) && value !== undefined) found.push(decodeURIComponent(value))
  })
  collectSecrets(endpoint.params, found)
  return found
}

const collectSecrets = (params: unknown, found: Array<string>): void => {
  if (!Predicate.isRecord(params)) return
  for (const [key, value] of Object.entries(params)) {
    if (secretParameters.has(key) && (typeof value === "string" || typeof value === "number")) found.push(String(value))
    else collectSecrets(value, found)
  }
}

/**
 * What scrubs the text kept from an answer to this request: the API key and
 * every code and phone number the request sent, exactly, whatever their
 * length. Built only when an answer is an error.
 */
const scrubberFor = (endpoint: Endpoint<unknown>, apiKey: Redacted.Redacted<string>): Redact.Scrubber =>
  Redact.make([Redacted.value(apiKey), ...sentSecrets(endpoint)])

const isSuccessStatus = (status: number) => status >= 200 && status < 300

const interpret = <A>(
  status: number,
  text: string,
  retryAfter: () => string | undefined,
  endpoint: Endpoint<A>,
  scrubber: () => Redact.Scrubber
): Effect.Effect<A, ApiError> => {
  const body = parseJson(text)
  if (body === notJson) {
    return Effect.fail(
      new ApiError({
        reason: "NotJson",
        status,
        message: `Authy answered HTTP ${status} with a body that is not JSON`,
        errors: {},
        excerpt: Redact.excerpt(text, scrubber()),
        ...retryAfterField(retryAfter())
      })
    )
  }
  if (!isSuccessStatus(status)) {
    return Effect.fail(errorFromBody(status, body, "ErrorResponse", retryAfter(), scrubber()))
  }
  if (Predicate.isRecord(body) && (body.success === false || body.success === "false")) {
    return Effect.fail(errorFromBody(status, body, "Unsuccessful", retryAfter(), scrubber()))
  }
  const decoded = endpoint.decode(body)
  return Either.isRight(decoded) ? Effect.succeed(decoded.right) : Effect.fail(
    new ApiError({
      reason: "Undecodable",
      status,
      message: `Authy answered HTTP ${status} with a body of an unexpected shape`,
      errors: {},
      excerpt: Redact.excerpt(text, scrubber())
    })
  )
}

const notJson: unique symbol = Symbol("notJson")

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return notJson
  }
}

const errorFromBody = (
  status: number,
  body: unknown,
  reason: "ErrorResponse" | "Unsuccessful",
  retryAfter: string | undefined,
  scrub: Redact.Scrubber
): ApiError => {
  const record = Predicate.isRecord(body) ? body : {}
  // Every string of the body is the server's and may quote the request: the code too.
  const errorCode = typeof record.error_code === "string" || typeof record.error_code === "number"
    ? scrub(String(record.error_code))
    : undefined
  const authyMessage = typeof record.message === "string" ? scrub(record.message) : `HTTP ${status}`
  return new ApiError({
    reason,
    status,
    ...(errorCode === undefined ? {} : { errorCode }),
    message: errorCode === undefined ? authyMessage : `${authyMessage} (Authy error ${errorCode})`,
    errors: fieldErrors(record.errors, scrub),
    ...retryAfterField(retryAfter)
  })
}

/** Field errors, without the `message` entry that repeats the top-level message. */
const fieldErrors = (errors: unknown, scrub: Redact.Scrubber): Record<string, string> => {
  const out: Record<string, string> = {}
  if (!Predicate.isRecord(errors)) return out
  for (const [field, value] of Object.entries(errors)) {
    if (field !== "message" && value !== null && value !== undefined) out[scrub(field)] = scrub(String(value))
  }
  return out
}

/**
 * `Retry-After` in seconds or as an HTTP date, in milliseconds from now.
 *
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, now: number = Date.now()): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const retryAfterField = (value: string | undefined): { retryAfterMillis?: number } => {
  const millis = parseRetryAfter(value)
  return millis === undefined ? {} : { retryAfterMillis: millis }
}

const errorCodeReasons: ReadonlyArray<readonly [ReadonlyArray<string>, NetworkErrorReason]> = [
  [["ECONNREFUSED"], "ConnectionRefused"],
  [["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"], "DnsFailure"],
  [["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ECONNABORTED", "UND_ERR_CLOSED"], "ConnectionReset"],
  [["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"], "Timeout"]
]

/** The `code`s found along an error's `cause` chain (and inside `AggregateError`s). */
const errorCodes = (error: unknown, depth = 0): ReadonlyArray<string> => {
  if (!Predicate.isObject(error) || depth > 6) return []
  const own = "code" in error && typeof error.code === "string" ? [error.code] : []
  const nested = "errors" in error && Array.isArray(error.errors) ? error.errors.flatMap((e) => errorCodes(e, depth + 1)) : []
  const cause = "cause" in error ? errorCodes(error.cause, depth + 1) : []
  return [...own, ...nested, ...cause]
}

/**
 * Maps a platform error to a {@link NetworkError}. The platform's own message
 * names the URL, which for verify carries the token: it is never passed on.
 *
 * @internal
 */
export const toNetworkError = (error: HttpClientError.HttpClientError): NetworkError => {
  const codes = errorCodes(error.cause)
  const match = errorCodeReasons.find(([known]) => codes.some((code) => known.includes(code)))
  const reason = match?.[1] ?? (error.reason === "Decode" ? "ConnectionReset" : "Transport")
  const code = codes[0]
  return new NetworkError({
    reason,
    message: `Could not reach Authy (${reason}${code === undefined ? "" : `, ${code}`})`
  })
}
