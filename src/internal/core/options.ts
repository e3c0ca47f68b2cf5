/**
 * The client options both services share — timeouts, retry policy, client-side
 * limits, `User-Agent`, `transformClient` — checked once, with every default
 * filled in. An unusable option is a {@link ValidationError} naming it, which
 * the service then answers every call with (see `AuthyService.make`).
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { Duration, Effect, Option, Predicate, RateLimiter, Redacted } from "effect"
import { type ServiceName, ValidationError } from "../../AuthyError.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import { defaultUserAgent } from "./http.js"
import * as Validate from "./validate.js"

/**
 * The options of a service that are not about its API.
 *
 * @internal
 */
export interface CommonOptions {
  readonly timeout?: Duration.DurationInput | undefined
  readonly totalTimeout?: Duration.DurationInput | undefined
  readonly retry?: RetryPolicy.RetryPolicy | undefined
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput } | undefined
  readonly maxConcurrency?: number | undefined
  readonly userAgent?: string | undefined
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * {@link CommonOptions}, checked, with every default filled in.
 *
 * @internal
 */
export interface Resolved {
  readonly timeout: Duration.Duration
  readonly totalTimeout: Duration.Duration
  readonly userAgent: string
  readonly retry: RetryPolicy.RetryPolicy
  readonly rateLimit: { readonly limit: number; readonly interval: Duration.Duration } | undefined
  readonly maxConcurrency: number | undefined
  readonly transformClient: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/** Header values must not break the header: no control characters (CR, LF, NUL…). */
const controlCharacters = /[\u0000-\u001f\u007f]/

/**
 * Checks the common options; `credentialsError` runs first, so a bad
 * credential is named before anything else. A getter or Proxy among the
 * options that throws is refused as `options`.
 *
 * @internal
 */
export const resolve = (
  options: CommonOptions,
  service: ServiceName,
  credentialsError: () => ValidationError | undefined
): Resolved | ValidationError => {
  const invalid = (field: string, message: string) => new ValidationError({ field, message, service })
  try {
    const timeout = positiveDuration(options.timeout, "timeout", "10 seconds", invalid)
    const totalTimeout = positiveDuration(options.totalTimeout, "totalTimeout", "30 seconds", invalid)
    const retry = options.retry ?? RetryPolicy.defaults
    const rateLimit = checkRateLimit(options.rateLimit, invalid)
    const userAgent: unknown = options.userAgent
    const retryProblem = Validate.retryPolicyError(retry)
    const problem = credentialsError() ??
      (timeout instanceof ValidationError ? timeout : undefined) ??
      (totalTimeout instanceof ValidationError ? totalTimeout : undefined) ??
      (retryProblem === undefined ? undefined : invalid(retryProblem.field, retryProblem.message)) ??
      (rateLimit instanceof ValidationError ? rateLimit : undefined) ??
      positiveInteger(options.maxConcurrency, "maxConcurrency", invalid) ??
      (userAgent === undefined || (typeof userAgent === "string" && userAgent !== "" && !controlCharacters.test(userAgent))
        ? undefined
        : invalid("userAgent", "userAgent must be a non-empty string without control characters")) ??
      (options.transformClient === undefined || typeof options.transformClient === "function"
        ? undefined
        : invalid("transformClient", "transformClient must be a function"))
    if (problem !== undefined) return problem
    return {
      timeout: timeout as Duration.Duration,
      totalTimeout: totalTimeout as Duration.Duration,
      userAgent: options.userAgent ?? defaultUserAgent(),
      retry,
      rateLimit: rateLimit as Resolved["rateLimit"],
      maxConcurrency: options.maxConcurrency,
      transformClient: options.transformClient
    }
  } catch {
    return invalid("options", "the options could not be read (a getter or a Proxy trap threw)")
  }
}

/**
 * A credential: a `Redacted` non-empty string that can travel in a header.
 * Its value is never quoted.
 *
 * @internal
 */
export const redactedSecretError = (value: unknown, field: string, service: ServiceName): ValidationError | undefined => {
  if (!Redacted.isRedacted(value)) {
    return new ValidationError({ field, message: `${field} must be a Redacted string (Redacted.make(value))`, service })
  }
  const secret: unknown = Redacted.value(value)
  return typeof secret === "string" && secret !== "" && !controlCharacters.test(secret)
    ? undefined
    : new ValidationError({ field, message: `${field} must be a non-empty string without control characters`, service })
}

type Invalid = (field: string, message: string) => ValidationError

/** A duration above zero (`Infinity` means no limit); zero, `NaN` and unparsable input are refused. */
const positiveDuration = (
  input: unknown,
  field: string,
  fallback: Duration.DurationInput,
  invalid: Invalid
): Duration.Duration | ValidationError => {
  const decoded = Duration.decodeUnknown(input ?? fallback)
  return Option.isSome(decoded) && Duration.greaterThan(decoded.value, Duration.zero)
    ? decoded.value
    : invalid(field, `${field} must be a duration above zero ("10 seconds", a number of millis, a Duration)`)
}

const positiveInteger = (value: unknown, field: string, invalid: Invalid): ValidationError | undefined =>
  value === undefined || (typeof value === "number" && Number.isSafeInteger(value) && value >= 1)
    ? undefined
    : invalid(field, `${field} must be a whole number, at least 1`)

const checkRateLimit = (rateLimit: unknown, invalid: Invalid): Resolved["rateLimit"] | ValidationError => {
  if (rateLimit === undefined) return undefined
  if (!Predicate.isRecord(rateLimit)) return invalid("rateLimit", "rateLimit must be { limit, interval }")
  const { interval, limit } = rateLimit
  if (limit === undefined) return invalid("rateLimit.limit", "rateLimit.limit is required")
  const badLimit = positiveInteger(limit, "rateLimit.limit", invalid)
  if (badLimit !== undefined) return badLimit
  if (interval === undefined) return invalid("rateLimit.interval", "rateLimit.interval is required")
  const decoded = positiveDuration(interval, "rateLimit.interval", 0, invalid)
  return decoded instanceof ValidationError ? decoded : { limit: limit as number, interval: decoded }
}

/**
 * The client-side limits, applied to each attempt: a retry waits without
 * holding a permit. One per service, shared by all its executors (Verify and
 * Lookup count against the same limit).
 *
 * @internal
 */
export const makeLimit = (options: Resolved) =>
  Effect.gen(function*() {
    const rateLimiter = options.rateLimit === undefined ? undefined : yield* RateLimiter.make(options.rateLimit)
    const semaphore = options.maxConcurrency === undefined ? undefined : yield* Effect.makeSemaphore(options.maxConcurrency)
    return <A, E>(attempt: Effect.Effect<A, E>): Effect.Effect<A, E> => {
      const capped = semaphore === undefined ? attempt : semaphore.withPermits(1)(attempt)
      return rateLimiter === undefined ? capped : rateLimiter(capped)
    }
  })
