/**
 * When a failed Authy request is sent again, and how long to wait first.
 *
 * On this API GET is not safe: `sms` and `call` send a message and `verify`
 * consumes a token. So each endpoint has a safety class, and a request is
 * retried only when sending it again cannot do harm twice:
 *
 * | class | endpoints | retried on |
 * |---|---|---|
 * | read-only | `users.status`, `users.registrationStatus`, `oneTouch.getApprovalStatus`, `phones.info`, `app.details`, `app.stats` | transport errors, timeouts, 429, 502, 503, 504 |
 * | idempotent | `users.create` (same phone → same id), `users.update` (sets a value) | the same |
 * | side-effecting | everything else | only when the request provably never reached Authy (connection refused, DNS failure) or was refused unprocessed (429) |
 *
 * Delays grow exponentially with full jitter, a `Retry-After` answer is
 * honoured, and both the number of attempts and the total time are bounded.
 *
 * @since 0.1.0
 */
import { Duration, Effect, FiberRef, Option } from "effect"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import type { ApiError, NetworkError, ValidationError } from "./AuthyError.js"
import * as Validate from "./internal/core/validate.js"

/**
 * How safe it is to send a request again.
 *
 * @since 0.1.0
 * @category models
 */
export type Safety = "read-only" | "idempotent" | "side-effecting"

/**
 * A retry policy: a plain value, replaced or tuned with {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; `1` turns retries off. */
  readonly maxAttempts: number
  /** The delay before the first retry; it doubles for each one after. */
  readonly baseDelay: Duration.Duration
  /** No single delay is longer, `Retry-After` aside. */
  readonly maxDelay: Duration.Duration
  /** No retry starts once this much time has gone by since the first attempt. */
  readonly maxElapsed: Duration.Duration
  /** Randomises each delay between 0 and its computed value, so clients do not retry in step. */
  readonly jitter: boolean
}

/**
 * Up to 3 attempts, 250 ms then 500 ms apart (with jitter), within 15 seconds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: RetryPolicy = {
  maxAttempts: 3,
  baseDelay: Duration.millis(250),
  maxDelay: Duration.seconds(5),
  maxElapsed: Duration.seconds(15),
  jitter: true
}

/**
 * No retries at all.
 *
 * @since 0.1.0
 * @category constructors
 */
export const disabled: RetryPolicy = { ...defaults, maxAttempts: 1 }

/**
 * The default policy with some settings changed.
 *
 * `maxAttempts` is floored and raised to at least 1 (`0` or `-2` mean one
 * attempt, no retry); `Infinity` retries until `maxElapsed`, which must then
 * be finite. A setting that cannot make a policy that stops (`maxAttempts`
 * `NaN` or not a number, a duration that does not parse) throws a
 * `RangeError` naming it, like `Duration.decode` does: it is a programming
 * error, found where the policy is written.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { AuthyService, RetryPolicy } from "effect-authy"
 *
 * const AuthyLive = AuthyService.layer({
 *   apiKey: Redacted.make("key"),
 *   retry: RetryPolicy.make({ maxAttempts: 5, maxElapsed: "30 seconds" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly maxAttempts?: number
  readonly baseDelay?: Duration.DurationInput
  readonly maxDelay?: Duration.DurationInput
  readonly maxElapsed?: Duration.DurationInput
  readonly jitter?: boolean
}): RetryPolicy => {
  const maxAttempts: unknown = options.maxAttempts ?? defaults.maxAttempts
  if (typeof maxAttempts !== "number" || Number.isNaN(maxAttempts)) {
    throw new RangeError(`RetryPolicy.make: maxAttempts must be a number of attempts (got ${typeof maxAttempts === "number" ? "NaN" : typeof maxAttempts})`)
  }
  const policy: RetryPolicy = {
    maxAttempts: Math.max(1, Math.floor(maxAttempts)),
    baseDelay: decodeSetting("baseDelay", options.baseDelay ?? defaults.baseDelay),
    maxDelay: decodeSetting("maxDelay", options.maxDelay ?? defaults.maxDelay),
    maxElapsed: decodeSetting("maxElapsed", options.maxElapsed ?? defaults.maxElapsed),
    jitter: options.jitter ?? defaults.jitter
  }
  const problem = Validate.retryPolicyError(policy, "policy")
  if (problem !== undefined) throw new RangeError(`RetryPolicy.make: ${problem.message}`)
  return policy
}

const decodeSetting = (name: string, input: Duration.DurationInput): Duration.Duration =>
  Option.getOrThrowWith(
    Duration.decodeUnknown(input),
    () => new RangeError(`RetryPolicy.make: ${name} must be a duration ("250 millis", a number of millis, a Duration)`)
  )

const transientStatuses = new Set([429, 502, 503, 504])

/**
 * Whether a request of this safety class may be sent again after `error`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (safety: Safety, error: ApiError | NetworkError | ValidationError): boolean => {
  switch (error._tag) {
    case "ValidationError":
      return false
    case "NetworkError":
      return safety !== "side-effecting" || error.neverReachedServer
    case "ApiError":
      return safety !== "side-effecting" ? transientStatuses.has(error.status) : error.status === 429
  }
}

/**
 * The delay before retry number `retry` (1 for the first retry), before
 * jitter; a `Retry-After` from Authy wins when it is longer.
 *
 * @since 0.1.0
 * @category utils
 */
export const delayMillis = (policy: RetryPolicy, retry: number, retryAfterMillis?: number): number => {
  const exponential = Duration.toMillis(policy.baseDelay) * 2 ** (retry - 1)
  const capped = Math.min(exponential, Duration.toMillis(policy.maxDelay))
  return Math.max(capped, retryAfterMillis ?? 0)
}

/**
 * The policy for the requests of one fiber, when set with {@link withPolicy};
 * otherwise the layer's.
 *
 * @since 0.1.0
 * @category fiber refs
 */
export const currentPolicy: FiberRef.FiberRef<Option.Option<RetryPolicy>> = globalValue(
  Symbol.for("effect-authy/RetryPolicy/currentPolicy"),
  () => FiberRef.unsafeMake(Option.none<RetryPolicy>())
)

/**
 * Runs an effect with another retry policy for every Authy request it makes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RetryPolicy, Users } from "effect-authy"
 *
 * // A health check that must answer fast: no retries for this one call.
 * const check = Users.status(1635).pipe(RetryPolicy.withPolicy(RetryPolicy.disabled))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPolicy: {
  (policy: RetryPolicy): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy): Effect.Effect<A, E, R> =>
    Effect.locally(self, currentPolicy, Option.some(policy))
)
