/**
 * Sending one request and turning whatever comes back into a typed value or a
 * typed error: the executor that Authy and Twilio Verify share. What differs
 * between the two APIs is a {@link Dialect} (credentials and their headers,
 * JSON or form bodies, how an error body reads, which parameters are secret);
 * everything else — timeouts, retries by safety class, limits, redaction,
 * spans, the direct send path — is this one module. Every endpoint goes
 * through {@link Executor.execute}.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Duration, Effect, Either, FiberRef, Layer, Option, Predicate, Random } from "effect"
import type { ParseError } from "effect/ParseResult"
import { ApiError, NetworkError, type NetworkErrorReason, type ServiceName, ValidationError } from "../../AuthyError.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import * as Redact from "./redact.js"
import * as DirectSend from "./directSend.js"
import { annotate } from "./span.js"
import { isLiveClock, makeRequestDeadline } from "./timeout.js"
import { version } from "./version.js"

/**
 * One request, described before it is sent.
 *
 * @internal
 */
export interface Endpoint<A> {
  readonly method: "GET" | "POST" | "DELETE"
  /** The path, every segment already validated and percent-encoded. */
  readonly path: string
  /** The path as a template, for spans: `/protected/json/verify/{token}/{authy_id}`. */
  readonly route: string
  /**
   * GET and DELETE: the query string; POST: the body, JSON or form-encoded as
   * the dialect says (an array is a repeated key in a query or a form).
   * `undefined` entries are left out. The values of the dialect's secret
   * parameters (codes, phone numbers), here or in `route`, are scrubbed from
   * any error the request raises.
   */
  readonly params?: Readonly<Record<string, unknown>> | undefined
  /** The answer may be an empty 204 (a DELETE): `decode` is then given `undefined`. */
  readonly noContent?: boolean | undefined
  readonly safety: RetryPolicy.Safety
  /** Compiled once per endpoint (`Schema.decodeUnknownEither`): decoding is synchronous. */
  readonly decode: (body: unknown) => Either.Either<A, ParseError>
}

/**
 * The fields of an {@link ApiError} that a dialect reads from an error body.
 * Every string in it must have gone through the scrubber it was given.
 *
 * @internal
 */
export interface ErrorFields {
  readonly errorCode?: string | undefined
  readonly message: string
  readonly errors: Record<string, string>
  readonly moreInfo?: string | undefined
}

/**
 * What one API's wire looks like to the executor.
 *
 * @internal
 */
export interface Dialect {
  /** The API, as named by every error this executor makes. */
  readonly service: ServiceName
  /** The API in messages: `Authy`, `Twilio Verify`. */
  readonly displayName: string
  /** The prefix of span and log attributes: `authy` gives `authy.error_code`. */
  readonly attributePrefix: string
  /** The base URL when the options give none. */
  readonly defaultUrl: string
  /** The headers that carry the credentials, on every request. */
  readonly authHeaders: Readonly<Record<string, string>>
  /**
   * The credentials in the forms a server could quote them (the key, the
   * token, the encoded `Authorization` value): scrubbed from anything kept of
   * an answer.
   */
  readonly credentials: ReadonlyArray<string>
  /** How a POST carries its parameters. */
  readonly body: "json" | "form"
  /** The wire parameters whose values are secret (codes, phone numbers, seeds). */
  readonly secretParameters: ReadonlySet<string>
  /** The fields of an error answer's (parsed JSON) body. */
  readonly readError: (status: number, body: unknown, scrub: Redact.Scrubber) => ErrorFields
  /** Whether a 2xx answer is an error all the same (Authy's `success: false`). */
  readonly isUnsuccessful: (body: unknown) => boolean
  /**
   * A veto on retrying an error the safety class would allow: Twilio's
   * business 429s (60202, 60203) are final answers, not "try later".
   */
  readonly mayRetry: (error: ApiError) => boolean
}

/**
 * Settings of the transport, resolved from the layer options.
 *
 * @internal
 */
export interface HttpSettings {
  readonly dialect: Dialect
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
export const defaultUserAgent = (): string => {
  const node = globalThis.process?.versions?.node
  return `effect-authy/${version} (${node === undefined ? "JavaScript" : `Node ${node}`})`
}

/**
 * Adds a header to the platform's redacted header names wherever the layer is
 * provided, so that logged or traced requests never show its value.
 *
 * @internal
 */
export const redactHeader = (name: string): Layer.Layer<never> =>
  Layer.fiberRefLocallyScopedWith(
    Headers.currentRedactedNames,
    (names) => names.includes(name) ? names : [...names, name]
  )

const loopbackHosts = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/**
 * The credentials must not travel in clear over a network: `http:` is allowed
 * only for loopback (the emulator). `field` names the option (`apiUrl`,
 * `baseUrl`, `lookupUrl`).
 *
 * @internal
 */
export const checkApiUrl = (apiUrl: string, field = "apiUrl", service: ServiceName = "Authy"): ValidationError | string => {
  const refuse = (message: string) => new ValidationError({ field, message, service })
  let url: URL
  try {
    url = new URL(apiUrl)
  } catch {
    return refuse(`${field} is not a URL`)
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.test(url.hostname))
  if (!secure) return refuse(`${field} must use https (http is allowed only for a loopback host)`)
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return refuse(`${field} must not carry credentials, a query or a fragment`)
  }
  return url.origin + url.pathname.replace(/\/+$/, "")
}

/**
 * The request executor behind every endpoint.
 *
 * @internal
 */
export interface Executor {
  readonly execute: <A>(endpoint: Endpoint<A>) => Effect.Effect<A, ApiError | NetworkError | ValidationError>
}

/**
 * An executor for a service whose settings are unusable: every call fails
 * with the same refusal, before anything is sent. The layer itself builds, so
 * a bad option is a typed error at each call rather than a dead layer.
 *
 * @internal
 */
export const refusing = (error: ValidationError): Executor => ({ execute: () => Effect.fail(error) })

/**
 * Builds the executor on top of the application's `HttpClient`.
 *
 * The platform's own client span is turned off for our requests: its `url.full`
 * attribute would carry the token (Authy's verify puts it in the path) and
 * phone numbers (Authy's phone endpoints put them in the query, Lookup in the
 * path). The endpoint span (`Authy.<group>.<op>`, `Verify.<group>.<op>`)
 * records the route template and the status instead.
 *
 * @internal
 */
export const make = (client: HttpClient.HttpClient, settings: HttpSettings, urlField = "apiUrl"): Executor => {
  const { dialect } = settings
  const apiUrl = checkApiUrl(settings.apiUrl, urlField, dialect.service)
  if (typeof apiUrl !== "string") return refusing(apiUrl)
  const headers = { ...dialect.authHeaders, "user-agent": settings.userAgent, accept: "application/json" }
  const prefix = dialect.attributePrefix
  // Requests are built whole (URL and headers, see `toRequest`): no `mapRequest`
  // rebuilding each one twice more.
  const apiClient = client.pipe(
    HttpClient.withTracerDisabledWhen(() => true),
    // The fetch transport follows redirects by default and would carry the key
    // to wherever it is sent; a redirect must surface as an answer instead.
    HttpClient.transformResponse(Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }))
  )

  const toNetwork = (error: HttpClientError.HttpClientError) => toNetworkError(error, dialect)
  const onTimeout = (limit: Duration.Duration) => timeoutError(limit, dialect)

  // On the live clock, a deadline that aborts the request rather than forking a fiber per attempt.
  const requestDeadline = makeRequestDeadline()
  const genericAttempt = <A>(endpoint: Endpoint<A>, timeout: Duration.Duration, clock: Clock.Clock) => {
    const request = toRequest(endpoint, dialect, apiUrl, headers)
    const exchange = Effect.flatMap(
      Effect.mapError(apiClient.execute(request), toNetwork),
      (response) => readResponse(response, endpoint, dialect)
    )
    return settings.limit(requestDeadline(request, exchange, { clock, duration: timeout, onTimeout: () => onTimeout(timeout) }))
  }

  // effect-authy's own transport takes the request as it goes on the wire, and its deadline.
  const direct = DirectSend.get(client)
  const toWire = wireBuilder(apiUrl, headers, dialect)
  // The answer is interpreted in the transport's callback: the attempt is one step.
  const directAttempt = <A>(send: DirectSend.DirectSend, endpoint: Endpoint<A>, timeout: Duration.Duration) =>
    settings.limit(
      send<A, ApiError | NetworkError>(toWire(endpoint), Duration.toMillis(timeout), {
        onAnswer: (status, text, header) =>
          interpret(status, text, () => header("retry-after"), endpoint, dialect, () => scrubberFor(endpoint, dialect)),
        onFailure: (error) => error._tag === "DeadlineExceeded" ? onTimeout(timeout) : toNetwork(error)
      })
    )

  const attempt = <A>(endpoint: Endpoint<A>, timeout: Duration.Duration, clock: Clock.Clock) =>
    direct !== undefined && isLiveClock(clock)
      ? directAttempt(direct, endpoint, timeout)
      : genericAttempt(endpoint, timeout, clock)

  // The first attempt is the hot path: no retry machinery, one timeout.
  const firstTimeout = Duration.min(settings.timeout, settings.totalTimeout)

  /** Attempts after the first, while the policy and the total timeout allow. */
  const retry = <A>(endpoint: Endpoint<A>, firstError: ApiError | NetworkError | ValidationError, startedAt: number) =>
    Effect.gen(function*() {
      const policy = Option.getOrElse(yield* FiberRef.get(RetryPolicy.currentPolicy), () => settings.retry)
      let error = firstError
      const clock = yield* Effect.clock
      for (let failed = 1;; failed++) {
        const delay = yield* retryDelay(policy, endpoint.safety, failed, error, startedAt, dialect)
        if (Option.isNone(delay)) return yield* Effect.fail(error)
        const left = Duration.toMillis(settings.totalTimeout) - ((yield* Clock.currentTimeMillis) - startedAt) - delay.value
        if (!(left > 0)) return yield* Effect.fail(error)
        yield* Effect.logDebug(`${dialect.displayName} request failed, retrying`).pipe(
          Effect.annotateLogs({
            [`${prefix}.attempt`]: failed,
            [`${prefix}.retry_reason`]: describe(error),
            [`${prefix}.retry_delay_ms`]: delay.value
          })
        )
        yield* annotate({ [`${prefix}.attempts`]: failed + 1 })
        yield* Effect.sleep(Duration.millis(delay.value))
        const timeout = Duration.min(settings.timeout, Duration.millis(left))
        const result = yield* Effect.either(attempt(endpoint, timeout, clock))
        if (result._tag === "Right") return result.right
        error = Duration.lessThan(timeout, settings.timeout) && isTimeout(result.left)
          ? onTimeout(settings.totalTimeout)
          : result.left
      }
    })

  return {
    execute: (endpoint) =>
      Effect.clockWith((clock) => {
        const startedAt = clock.unsafeCurrentTimeMillis()
        // Only a failure pays for what follows: a success leaves at the first step.
        return Effect.catchAll(attempt(endpoint, firstTimeout, clock), (error) =>
          Effect.tapError(retry(endpoint, error, startedAt), (error) => annotateFailure(endpoint, error, prefix)))
      })
  }
}

const isTimeout = (error: ApiError | NetworkError | ValidationError) =>
  error._tag === "NetworkError" && error.reason === "Timeout"

/** What the endpoint span records of a failure: never a URL, only the route template. */
const annotateFailure = (endpoint: Endpoint<unknown>, error: ApiError | NetworkError | ValidationError, prefix: string) =>
  annotate({
    "http.request.method": endpoint.method,
    "http.route": endpoint.route,
    ...(error._tag === "ApiError"
      ? {
        "http.response.status_code": error.status,
        [`${prefix}.error_code`]: error.errorCode ?? "",
        [`${prefix}.error_reason`]: error.reason
      }
      : { [`${prefix}.error_reason`]: error._tag === "NetworkError" ? error.reason : `invalid ${error.field}` })
  })

const timeoutError = (limit: Duration.Duration, dialect: Dialect) =>
  new NetworkError({
    reason: "Timeout",
    message: `${dialect.displayName} did not answer within ${Duration.format(limit)}`,
    service: dialect.service
  })

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
  startedAt: number,
  dialect: Dialect
): Effect.Effect<Option.Option<number>> => {
  // Comparisons that fail closed: a hand-made policy given to `withPolicy`
  // with a `NaN` stops here instead of retrying until the total timeout.
  if (!(failed < policy.maxAttempts) || !RetryPolicy.isRetryable(safety, error)) return Effect.succeedNone
  if (error._tag === "ApiError" && !dialect.mayRetry(error)) return Effect.succeedNone
  const retryAfter = error._tag === "ApiError" ? error.retryAfterMillis : undefined
  const computed = RetryPolicy.delayMillis(policy, failed, retryAfter)
  return Effect.gen(function*() {
    // Retry-After is a floor set by the server: jitter only what we chose ourselves.
    const delay = policy.jitter && retryAfter === undefined ? Math.round(computed * (yield* Random.next)) : computed
    const elapsed = (yield* Clock.currentTimeMillis) - startedAt
    return elapsed + delay <= Duration.toMillis(policy.maxElapsed) ? Option.some(delay) : Option.none()
  })
}

/** The request of `endpoint`, against the API URL, with the headers of every request. */
const toRequest = (
  endpoint: Endpoint<unknown>,
  dialect: Dialect,
  apiUrl: string,
  headers: Readonly<Record<string, string>>
): HttpClientRequest.HttpClientRequest => {
  const url = apiUrl + endpoint.path
  switch (endpoint.method) {
    case "GET":
      return HttpClientRequest.get(url, { urlParams: toUrlParams(endpoint.params), headers })
    case "DELETE":
      return HttpClientRequest.del(url, { urlParams: toUrlParams(endpoint.params), headers })
    case "POST":
      return dialect.body === "form"
        ? HttpClientRequest.post(url, { headers }).pipe(HttpClientRequest.bodyUrlParams(toUrlParams(endpoint.params)))
        : HttpClientRequest.post(url, { headers }).pipe(HttpClientRequest.bodyUnsafeJson(endpoint.params ?? {}))
  }
}

/**
 * What `toRequest` describes, built for the wire against the API URL parsed
 * once: the same method, path, query, headers and body bytes as the
 * `HttpClientRequest` would give once taken apart (`new URL`, `UrlParams`),
 * without building it (see `DirectSend.WireRequest`).
 */
const wireBuilder = (apiUrl: string, headers: Readonly<Record<string, string>>, dialect: Dialect) => {
  const { origin } = new URL(apiUrl)
  const basePath = apiUrl.slice(origin.length)
  const lowerHeaders: Record<string, string> = {}
  for (const name in headers) lowerHeaders[name.toLowerCase()] = headers[name]!
  const contentType = dialect.body === "form" ? "application/x-www-form-urlencoded" : "application/json"
  return (endpoint: Endpoint<unknown>): DirectSend.WireRequest => {
    const request = () => toRequest(endpoint, dialect, apiUrl, headers)
    // A dot segment would be resolved by the URL parser: let it, as the generic path does.
    if (dotSegment.test(endpoint.path)) return fromRequest(origin, request)
    if (endpoint.method !== "POST") {
      const query = new URLSearchParams(toUrlParams(endpoint.params)).toString()
      const path = basePath + endpoint.path + (query === "" ? "" : `?${query}`)
      return { method: endpoint.method, origin, path, headers: lowerHeaders, body: null, request }
    }
    // Bytes, as `HttpClientRequest.bodyUnsafeJson` and `bodyUrlParams` make them.
    const body = utf8.encode(
      dialect.body === "form"
        ? new URLSearchParams(toUrlParams(endpoint.params)).toString()
        : JSON.stringify(endpoint.params ?? {})
    )
    return {
      method: "POST",
      origin,
      path: basePath + endpoint.path,
      headers: { ...lowerHeaders, "content-type": contentType, "content-length": String(body.length) },
      body,
      request
    }
  }
}

const utf8 = new TextEncoder()

const dotSegment = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i

/** The slow way, for the rare path the shortcut does not take. */
const fromRequest = (origin: string, request: () => HttpClientRequest.HttpClientRequest): DirectSend.WireRequest => {
  const built = request()
  const url = new URL(built.url)
  for (const [key, value] of built.urlParams) url.searchParams.append(key, value)
  return {
    method: built.method,
    origin,
    path: url.pathname + url.search,
    headers: built.headers,
    body: built.body._tag === "Uint8Array" ? built.body.body : null,
    request
  }
}

/** Query or form parameters: an array is a repeated key (`EventTypes=a&EventTypes=b`). */
const toUrlParams = (params: Endpoint<unknown>["params"]): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  if (params === undefined) return out
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const item of value) out.push([key, String(item)])
    else if (value !== undefined) out.push([key, String(value)])
  }
  return out
}

const readResponse = <A>(
  response: HttpClientResponse.HttpClientResponse,
  endpoint: Endpoint<A>,
  dialect: Dialect
) =>
  response.text.pipe(
    Effect.mapError((error) => toNetworkError(error, dialect)),
    // Headers are read only on failure: the platform rebuilds them on each access.
    Effect.flatMap((text) =>
      interpret(response.status, text, () => response.headers["retry-after"], endpoint, dialect, () => scrubberFor(endpoint, dialect))
    )
  )

/**
 * The secrets this request carries: the values of its secret path segments
 * (found by laying `route` over `path`) and of its secret parameters, at any
 * depth (`user[cellphone]`).
 */
const sentSecrets = (endpoint: Endpoint<unknown>, secretParameters: ReadonlySet<string>): Array<string> => {
  const found: Array<string> = []
  const route = endpoint.route.split("/")
  const path = endpoint.path.split("/")
  route.forEach((segment, i) => {
    const name = /^\{(.+)\}$/.exec(segment)?.[1]
    const value = path[i]
    if (name !== undefined && secretParameters.has(name) && value !== undefined) found.push(decodeURIComponent(value))
  })
  collectSecrets(endpoint.params, secretParameters, found)
  return found
}

const collectSecrets = (params: unknown, secretParameters: ReadonlySet<string>, found: Array<string>): void => {
  if (!Predicate.isRecord(params)) return
  for (const [key, value] of Object.entries(params)) {
    if (secretParameters.has(key) && (typeof value === "string" || typeof value === "number")) found.push(String(value))
    else collectSecrets(value, secretParameters, found)
  }
}

/**
 * What scrubs the text kept from an answer to this request: the credentials
 * and every code and phone number the request sent, exactly, whatever their
 * length. Built only when an answer is an error.
 */
const scrubberFor = (endpoint: Endpoint<unknown>, dialect: Dialect): Redact.Scrubber =>
  Redact.make([...dialect.credentials, ...sentSecrets(endpoint, dialect.secretParameters)])

const isSuccessStatus = (status: number) => status >= 200 && status < 300

const interpret = <A>(
  status: number,
  text: string,
  retryAfter: () => string | undefined,
  endpoint: Endpoint<A>,
  dialect: Dialect,
  scrubber: () => Redact.Scrubber
): Effect.Effect<A, ApiError> => {
  const service = dialect.service
  const body = endpoint.noContent === true && text === "" && isSuccessStatus(status) ? undefined : parseJson(text)
  if (body === notJson) {
    return Effect.fail(
      new ApiError({
        reason: "NotJson",
        status,
        message: `${dialect.displayName} answered HTTP ${status} with a body that is not JSON`,
        errors: {},
        excerpt: Redact.excerpt(text, scrubber()),
        ...retryAfterField(retryAfter()),
        service
      })
    )
  }
  if (!isSuccessStatus(status)) {
    return Effect.fail(errorFromBody(status, body, "ErrorResponse", retryAfter(), scrubber(), dialect))
  }
  if (dialect.isUnsuccessful(body)) {
    return Effect.fail(errorFromBody(status, body, "Unsuccessful", retryAfter(), scrubber(), dialect))
  }
  const decoded = endpoint.decode(body)
  return Either.isRight(decoded) ? Effect.succeed(decoded.right) : Effect.fail(
    new ApiError({
      reason: "Undecodable",
      status,
      message: `${dialect.displayName} answered HTTP ${status} with a body of an unexpected shape`,
      errors: {},
      excerpt: Redact.excerpt(text, scrubber()),
      service
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
  scrub: Redact.Scrubber,
  dialect: Dialect
): ApiError => {
  const { errorCode, errors, message, moreInfo } = dialect.readError(status, body, scrub)
  return new ApiError({
    reason,
    status,
    ...(errorCode === undefined ? {} : { errorCode }),
    message: errorCode === undefined ? message : `${message} (${dialect.displayName} error ${errorCode})`,
    errors,
    ...retryAfterField(retryAfter),
    ...(moreInfo === undefined ? {} : { moreInfo }),
    service: dialect.service
  })
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
 * names the URL, which for Authy's verify carries the token: it is never
 * passed on.
 *
 * @internal
 */
export const toNetworkError = (
  error: HttpClientError.HttpClientError,
  dialect: Pick<Dialect, "displayName" | "service">
): NetworkError => {
  const codes = errorCodes(error.cause)
  const match = errorCodeReasons.find(([known]) => codes.some((code) => known.includes(code)))
  const reason = match?.[1] ?? (error.reason === "Decode" ? "ConnectionReset" : "Transport")
  const code = codes[0]
  return new NetworkError({
    reason,
    message: `Could not reach ${dialect.displayName} (${reason}${code === undefined ? "" : `, ${code}`})`,
    service: dialect.service
  })
}
