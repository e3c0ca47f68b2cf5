/**
 * OneTouch approval requests (authy-api.md §2.14–2.15): sending, reading and
 * polling until the user answers.
 *
 * @internal
 */
import { Clock, Duration, Effect, Either, Option, Ref, Schedule, Schema, Stream } from "effect"
import type { Redacted } from "effect"
import { type ApiError, NetworkError, ValidationError } from "../AuthyError.js"
import type { ApprovalRequestInput, AwaitApprovalOptions, Logo, OneTouchApi, PollOutcome } from "../OneTouch.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { ApprovalStatusResponse, SendApprovalResponse } from "../Responses.js"
import type { AuthyHttp } from "./http.js"
import * as Signature from "./signature.js"
import * as Validate from "./validate.js"

const decodeSend = Schema.decodeUnknownEither(SendApprovalResponse)
const decodeStatus = Schema.decodeUnknownEither(ApprovalStatusResponse)

const logoResolutions = ["default", "low", "med", "high"] as const

const logos = (value: unknown) => {
  if (!Array.isArray(value)) return Effect.fail(new ValidationError({ field: "logos", message: "logos must be an array of { res, url }" }))
  return Effect.forEach(value, (logo: Partial<Logo>, i) =>
    Effect.flatMap(Validate.options(logo, `logos[${i}]`), (l) =>
      Effect.all({
        res: Validate.oneOf(l.res, `logos[${i}].res`, logoResolutions),
        url: Validate.httpUrl(l.url, `logos[${i}].url`)
      })))
}

const approvalParams = (input: ApprovalRequestInput) =>
  Effect.flatMap(Validate.options(input, "input"), (i) =>
    Effect.all({
      message: Validate.text(i.message, "message", 1, 144),
      details: Validate.optional(i.details, (v) => Validate.stringMap(v, "details")),
      hidden_details: Validate.optional(i.hiddenDetails, (v) => Validate.stringMap(v, "hiddenDetails")),
      logos: Validate.optional(i.logos, logos),
      seconds_to_expire: Validate.optional(i.secondsToExpire, (v) => Validate.integer(v, "secondsToExpire", 0))
    }))

// ---------------------------------------------------------------------------
// Polling
// ---------------------------------------------------------------------------

type Failure = ApiError | NetworkError | ValidationError

/**
 * 1 s, 1.5 s, 2.25 s, 3.375 s, then every 5 s: a person usually answers
 * within seconds, and a slow one should not cost a request a second. The
 * output is the delay actually used.
 *
 * @internal
 */
export const defaultApprovalSchedule: Schedule.Schedule<Duration.Duration> = Schedule.exponential("1 second", 1.5).pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
  Schedule.delays
)

/**
 * `created_at` has whole seconds, so the real expiry may be up to a second
 * later than computed: the last poll waits that long past it.
 */
const expiryGraceMillis = 1000

const isSettled = (answer: ApprovalStatusResponse): boolean => answer.approvalRequest.status !== "pending"

/**
 * Failures worth polling through: the next tick may well succeed. A body that
 * is not JSON on a 2xx is a gateway's or proxy's page, not Authy's answer.
 *
 * @internal
 */
export const isTransient = (error: Failure): error is ApiError | NetworkError =>
  error._tag === "NetworkError" ||
  (error._tag === "ApiError" &&
    (error.status === 408 || error.status === 429 || error.status >= 500 ||
      (error.reason === "NotJson" && error.status < 300)))

/** When the request expires (epoch millis), if the answer says: `0` seconds means never. */
const expiryOf = (answer: ApprovalStatusResponse): number | undefined => {
  const { createdAt, secondsToExpire } = answer.approvalRequest
  if (createdAt === undefined || secondsToExpire === undefined || secondsToExpire <= 0) return undefined
  const created = Date.parse(createdAt)
  return Number.isNaN(created) ? undefined : created + secondsToExpire * 1000
}

/**
 * Polls until the request is settled, reporting every answer to `onAnswer`.
 *
 * Between polls it waits as `schedule` says, except that it honours a
 * `Retry-After` and never waits past the request's expiry: the first poll
 * after it is the last one. Transient failures count as ticks; any other
 * failure ends the polling at once. When the schedule (or the expiry) ends the
 * polling first, the last pending answer is returned, or the last failure if
 * no answer came at all.
 *
 * Each poll is one attempt: the schedule is the retry policy here, so the
 * client's own retries are turned off for it.
 *
 * @internal
 */
export const pollUntilSettled = (
  poll: Effect.Effect<ApprovalStatusResponse, Failure>,
  schedule: Schedule.Schedule<unknown, PollOutcome>,
  onAnswer: (answer: ApprovalStatusResponse) => Effect.Effect<void>
): Effect.Effect<ApprovalStatusResponse, Failure> =>
  Effect.gen(function*() {
    // Per-run state: the Effect may be run many times, each from scratch.
    let expiresAt: number | undefined
    let lastPollDone = false
    let lastAnswer: ApprovalStatusResponse | undefined
    let lastFailure: ApiError | NetworkError | undefined
    let retryAfterMillis = 0

    const nextDelay = (delay: Duration.Duration) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const wanted = Math.max(Duration.toMillis(delay), retryAfterMillis)
        if (expiresAt === undefined || now + wanted < expiresAt) return Duration.millis(wanted)
        lastPollDone = true
        return Duration.millis(Math.max(0, Math.min(wanted, expiresAt + expiryGraceMillis - now)))
      })
    const driver = yield* Schedule.driver(Schedule.modifyDelayEffect(schedule, (_, delay) => nextDelay(delay)))

    const attempt = RetryPolicy.withPolicy(poll, RetryPolicy.disabled)
    for (;;) {
      const outcome = yield* Effect.either(attempt)
      let input: PollOutcome
      if (Either.isRight(outcome)) {
        const answer = outcome.right
        yield* onAnswer(answer)
        if (isSettled(answer)) return answer
        input = lastAnswer = answer
        expiresAt ??= expiryOf(answer)
        retryAfterMillis = 0
      } else {
        const error = outcome.left
        if (!isTransient(error)) return yield* Effect.fail(error)
        input = lastFailure = error
        retryAfterMillis = error._tag === "ApiError" ? error.retryAfterMillis ?? 0 : 0
      }
      if (lastPollDone) break
      const more = yield* Effect.either(driver.next(input))
      if (Either.isLeft(more)) break
    }
    if (lastAnswer !== undefined) return lastAnswer
    // Only transient failures came back: the loop ran at least once, so there is one.
    return yield* Effect.fail(lastFailure ?? noAnswer())
  })

const noAnswer = () =>
  new NetworkError({ reason: "Timeout", message: "No answer about the approval request in time" })

/**
 * {@link pollUntilSettled} bounded by the caller's timeout: when it runs out,
 * the last pending answer, or a `NetworkError` with reason `Timeout`.
 *
 * @internal
 */
export const awaitSettled = (
  poll: Effect.Effect<ApprovalStatusResponse, Failure>,
  options: AwaitApprovalOptions
): Effect.Effect<ApprovalStatusResponse, Failure> =>
  Effect.gen(function*() {
    const last = yield* Ref.make<ApprovalStatusResponse | undefined>(undefined)
    const polling = pollUntilSettled(poll, options.schedule ?? defaultApprovalSchedule, (answer) => Ref.set(last, answer))
    if (options.timeout === undefined) return yield* polling
    return yield* Effect.timeoutTo(polling, {
      duration: options.timeout,
      onSuccess: Effect.succeed,
      onTimeout: () => Effect.flatMap(Ref.get(last), (answer) => answer === undefined ? Effect.fail(noAnswer()) : Effect.succeed(answer))
    }).pipe(Effect.flatten)
  })

/**
 * The answers of {@link pollUntilSettled} as a stream, one per change of
 * status: usually `pending` then the final answer.
 *
 * @internal
 */
export const statusChanges = (
  poll: Effect.Effect<ApprovalStatusResponse, Failure>,
  schedule: Schedule.Schedule<unknown, PollOutcome> = defaultApprovalSchedule
): Stream.Stream<ApprovalStatusResponse, Failure> =>
  Stream.asyncPush<ApprovalStatusResponse, Failure>(
    (emit) =>
      pollUntilSettled(poll, schedule, (answer) => Effect.sync(() => emit.single(answer))).pipe(
        Effect.matchCause({ onFailure: (cause) => emit.halt(cause), onSuccess: () => emit.end() }),
        Effect.forkScoped
      ),
    { bufferSize: "unbounded" }
  ).pipe(Stream.changesWith((a, b) => a.approvalRequest.status === b.approvalRequest.status))

/** A bad schedule or timeout would otherwise throw inside the polling loop, as a defect. */
const awaitOptions = (options: AwaitApprovalOptions | undefined) =>
  Effect.flatMap(Validate.options(options), (o): Effect.Effect<AwaitApprovalOptions, ValidationError> => {
    if (o.schedule !== undefined && !Schedule.isSchedule(o.schedule)) {
      return Effect.fail(new ValidationError({ field: "schedule", message: "schedule must be a Schedule" }))
    }
    if (o.timeout !== undefined && Option.isNone(Duration.decodeUnknown(o.timeout))) {
      return Effect.fail(new ValidationError({ field: "timeout", message: "timeout must be a duration" }))
    }
    return Effect.succeed(o)
  })

// ---------------------------------------------------------------------------
// The service's group
// ---------------------------------------------------------------------------

/** @internal */
export const make = (http: AuthyHttp, apiKey: Redacted.Redacted<string>): OneTouchApi => {
  const getApprovalStatus = Effect.fn("Authy.oneTouch.getApprovalStatus")(function*(uuid: string) {
    const id = yield* Validate.uuid(uuid)
    yield* Effect.annotateCurrentSpan("authy.approval_uuid", id)
    return yield* http.execute({
      method: "GET",
      path: `/onetouch/json/approval_requests/${encodeURIComponent(id)}`,
      route: "/onetouch/json/approval_requests/{uuid}",
      safety: "read-only",
      decode: decodeStatus
    })
  })

  return {
    sendRequest: Effect.fn("Authy.oneTouch.sendRequest")(function*(authyId, input) {
      const id = yield* Validate.authyId(authyId)
      yield* Effect.annotateCurrentSpan("authy.authy_id", id)
      const params = yield* approvalParams(input)
      return yield* http.execute({
        method: "POST",
        path: `/onetouch/json/users/${encodeURIComponent(id)}/approval_requests`,
        route: "/onetouch/json/users/{authy_id}/approval_requests",
        safety: "side-effecting",
        params,
        decode: decodeSend
      })
    }),

    getApprovalStatus,

    awaitApproval: Effect.fn("Authy.oneTouch.awaitApproval")(function*(uuid, options) {
      const id = yield* Validate.uuid(uuid)
      yield* Effect.annotateCurrentSpan("authy.approval_uuid", id)
      return yield* awaitSettled(getApprovalStatus(id), yield* awaitOptions(options))
    }),

    // The key stays inside the service: callers get a yes or no, never the key.
    validateCallbackSignature: (input) => Effect.sync(() => Signature.validateSignature({ ...input, apiKey }))
  }
}
