/**
 * OneTouch approval requests (authy-api.md §2.14–2.15): sending, reading and
 * polling until the user answers.
 *
 * @internal
 */
import { Duration, Effect, Option, Schedule, ScheduleDecision, ScheduleIntervals, Schema, Stream } from "effect"
import type { Clock, Redacted } from "effect"
import { type ApiError, NetworkError, ValidationError } from "../../AuthyError.js"
import type { ApprovalRequestInput, AwaitApprovalOptions, Logo, OneTouchApi, PollOutcome } from "../../OneTouch.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import { ApprovalStatusResponse, SendApprovalResponse } from "../../Responses.js"
import type { Executor, Endpoint } from "../core/http.js"
import { annotate, traced } from "../core/span.js"
import * as Signature from "./signature.js"
import * as Validate from "../core/validate.js"

const decodeSend = Schema.decodeUnknownEither(SendApprovalResponse)
const decodeStatus = Schema.decodeUnknownEither(ApprovalStatusResponse)

const logoResolutions = ["default", "low", "med", "high"] as const

const logos = (value: unknown) =>
  Effect.flatMap(Validate.array(value, "logos"), (items) =>
    Effect.forEach(items, (logo, i) =>
      Effect.flatMap(Validate.options(logo as Partial<Logo>, ["res", "url"], `logos[${i}]`, `logos[${i}].`), (l) =>
        Effect.all({
          res: Validate.oneOf(l.res, `logos[${i}].res`, logoResolutions),
          url: Validate.httpUrl(l.url, `logos[${i}].url`)
        }))))

/**
 * Bounds of `details` and `hiddenDetails`. Authy documents keys of at most 20
 * characters; it documents no other bound, so the rest are ours: room for any
 * real transaction summary, not for megabytes sent on every push.
 *
 * @internal
 */
export const detailsLimits: Validate.MapLimits = { maxEntries: 50, maxKeyLength: 20, maxValueLength: 500 }

const approvalParams = (input: ApprovalRequestInput) =>
  Effect.flatMap(
    Validate.options(input, ["message", "details", "hiddenDetails", "logos", "secondsToExpire"], "input"),
    (i) =>
      Effect.all({
        message: Validate.text(i.message, "message", 1, 144),
        details: Validate.optional(i.details, (v) => Validate.stringMap(v, "details", detailsLimits)),
        hidden_details: Validate.optional(i.hiddenDetails, (v) => Validate.stringMap(v, "hiddenDetails", detailsLimits)),
        logos: Validate.optional(i.logos, logos),
        seconds_to_expire: Validate.optional(i.secondsToExpire, (v) => Validate.integer(v, "secondsToExpire", 0))
      })
  )

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

/** The caller's timeout ran out while a poll was in flight (never seen outside this module). */
const timedOut: unique symbol = Symbol("effect-authy/OneTouch/timedOut")

/**
 * How {@link pollUntilSettled} runs.
 *
 * @internal
 */
export interface PollOptions {
  /** When to stop polling and return the last pending answer (or a `NetworkError` `Timeout`). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Told about every answer, as soon as it comes. */
  readonly onAnswer?: ((answer: ApprovalStatusResponse) => void) | undefined
}

type Step = Effect.Effect<ApprovalStatusResponse, Failure>

/**
 * One run of the polling loop: the state kept between polls, and the steps.
 *
 * Thousands of waits may be pending at once, so a sleeping one holds as
 * little as can be: its fiber, one timer, this object (the last answer
 * included) and the one continuation that polls again. Each step returns the
 * next effect in tail position, so the fiber's stack does not grow with the
 * polls; the retry policy is set around each poll only, so nothing of it is on
 * the stack between polls; and the timeout is a deadline the loop checks, not
 * a racing fiber. The steps are methods and the continuations anonymous
 * arrows made when needed, so an instance carries no closures of its own.
 */
class Polling {
  private scheduleState: unknown
  private steppedAt = 0
  private expiresAt: number | undefined = undefined
  private lastPollDone = false
  private lastAnswer: ApprovalStatusResponse | undefined = undefined
  /** Kept only while no answer came: it is what the run fails with then. */
  private lastFailure: ApiError | NetworkError | undefined = undefined
  private retryAfterMillis = 0

  constructor(
    private readonly poll: () => Effect.Effect<ApprovalStatusResponse, Failure>,
    private readonly schedule: Schedule.Schedule<unknown, PollOutcome>,
    private readonly clock: Clock.Clock,
    /** When the caller's timeout runs out, in the clock's epoch millis. */
    private readonly deadline: number | undefined,
    private readonly onAnswer: ((answer: ApprovalStatusResponse) => void) | undefined
  ) {
    this.scheduleState = schedule.initial
  }

  /** The next poll, one attempt, cut short at the deadline. */
  next(): Step {
    let attempt: Effect.Effect<ApprovalStatusResponse, Failure | typeof timedOut> = RetryPolicy.withPolicy(
      this.poll(),
      RetryPolicy.disabled
    )
    if (this.deadline !== undefined) {
      const left = this.deadline - this.clock.unsafeCurrentTimeMillis()
      if (left <= 0) return this.timeUp()
      attempt = Effect.timeoutFail(attempt, { duration: Duration.millis(left), onTimeout: () => timedOut })
    }
    return Effect.matchEffect(attempt, {
      onFailure: (error) => this.failed(error),
      onSuccess: (answer) => this.answered(answer)
    })
  }

  private answered(answer: ApprovalStatusResponse): Step {
    this.onAnswer?.(answer)
    if (isSettled(answer)) return Effect.succeed(answer)
    this.lastAnswer = answer
    this.lastFailure = undefined
    this.expiresAt ??= expiryOf(answer)
    this.retryAfterMillis = 0
    return this.step(answer)
  }

  private failed(error: Failure | typeof timedOut): Step {
    if (error === timedOut) return this.timeUp()
    if (!isTransient(error)) return Effect.fail(error)
    if (this.lastAnswer === undefined) this.lastFailure = error
    this.retryAfterMillis = error._tag === "ApiError" ? error.retryAfterMillis ?? 0 : 0
    return this.step(error)
  }

  private step(input: PollOutcome): Step {
    if (this.lastPollDone) return this.scheduleDone()
    const now = this.steppedAt = this.clock.unsafeCurrentTimeMillis()
    return Effect.flatMap(
      Effect.suspend(() => this.schedule.step(now, input, this.scheduleState)),
      ([state, , decision]) => this.stepped(state, decision)
    )
  }

  /**
   * Waits as the schedule says, except that a `Retry-After` is honoured and
   * the wait never goes past the request's expiry (the poll after it is the
   * last) nor past the deadline (which ends the run instead of polling).
   */
  private stepped(state: unknown, decision: ScheduleDecision.ScheduleDecision): Step {
    this.scheduleState = state
    if (ScheduleDecision.isDone(decision)) return this.scheduleDone()
    const now = this.steppedAt
    let wait = Math.max(0, ScheduleIntervals.start(decision.intervals) - now, this.retryAfterMillis)
    if (this.expiresAt !== undefined && now + wait >= this.expiresAt) {
      this.lastPollDone = true
      wait = Math.max(0, Math.min(wait, this.expiresAt + expiryGraceMillis - now))
    }
    if (this.deadline !== undefined && now + wait >= this.deadline) {
      return Effect.flatMap(this.clock.sleep(Duration.millis(Math.max(0, this.deadline - now))), () => this.timeUp())
    }
    return wait > 0 ? Effect.flatMap(this.clock.sleep(Duration.millis(wait)), () => this.next()) : this.next()
  }

  /** The schedule (or the expiry) ended the polling: the last pending answer, else the last failure. */
  private scheduleDone(): Step {
    if (this.lastAnswer !== undefined) return Effect.succeed(this.lastAnswer)
    // Only transient failures came back: the loop ran at least once, so there is one.
    return Effect.fail(this.lastFailure ?? noAnswer())
  }

  /** The caller's timeout ran out: the last pending answer, else a `NetworkError` `Timeout`. */
  private timeUp(): Step {
    return this.lastAnswer !== undefined ? Effect.succeed(this.lastAnswer) : Effect.fail(noAnswer())
  }
}

/**
 * Polls until the request is settled.
 *
 * Between polls it waits as `schedule` says, except that it honours a
 * `Retry-After` and never waits past the request's expiry: the first poll
 * after it is the last one. Transient failures count as ticks; any other
 * failure ends the polling at once. When the schedule (or the expiry) ends the
 * polling first, the last pending answer is returned, or the last failure if
 * no answer came at all. When the `timeout` runs out first (cutting short a
 * poll in flight), the last pending answer is returned, or a `NetworkError`
 * with reason `Timeout`.
 *
 * Each poll is one attempt: the schedule is the retry policy here, so the
 * client's own retries are turned off for it. `poll` is called for each poll,
 * so that nothing of a poll outlives it.
 *
 * @internal
 */
export const pollUntilSettled = (
  poll: () => Effect.Effect<ApprovalStatusResponse, Failure>,
  schedule: Schedule.Schedule<unknown, PollOutcome>,
  options: PollOptions = {}
): Effect.Effect<ApprovalStatusResponse, Failure> =>
  // Per-run state: the Effect may be run many times, each from scratch.
  Effect.clockWith((clock) => {
    const deadline = options.timeout === undefined
      ? undefined
      : clock.unsafeCurrentTimeMillis() + Duration.toMillis(options.timeout)
    // An infinite timeout is no deadline: no poll needs to be raced against it.
    return new Polling(poll, schedule, clock, Number.isFinite(deadline) ? deadline : undefined, options.onAnswer).next()
  })

const noAnswer = () =>
  new NetworkError({ reason: "Timeout", message: "No answer about the approval request in time" })

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
      pollUntilSettled(() => poll, schedule, { onAnswer: (answer) => emit.single(answer) }).pipe(
        Effect.matchCause({ onFailure: (cause) => emit.halt(cause), onSuccess: () => emit.end() }),
        Effect.forkScoped
      ),
    { bufferSize: "unbounded" }
  ).pipe(Stream.changesWith((a, b) => a.approvalRequest.status === b.approvalRequest.status))

/**
 * A bad schedule or timeout would otherwise throw inside the polling loop, as
 * a defect; so would a Proxy whose traps throw, were it read unguarded.
 */
const awaitOptions = (options: AwaitApprovalOptions | undefined) =>
  Effect.flatMap(Validate.options(options, ["schedule", "timeout"]), (o) =>
    Effect.as(
      Effect.zipRight(
        Validate.test("schedule", () => o.schedule === undefined || Schedule.isSchedule(o.schedule), "schedule must be a Schedule"),
        Validate.test(
          "timeout",
          () => o.timeout === undefined || Option.isSome(Duration.decodeUnknown(o.timeout)),
          "timeout must be a duration"
        )
      ),
      o
    ))

// ---------------------------------------------------------------------------
// The service's group
// ---------------------------------------------------------------------------

const statusEndpoint = (id: string): Endpoint<ApprovalStatusResponse> => ({
  method: "GET",
  path: `/onetouch/json/approval_requests/${encodeURIComponent(id)}`,
  route: "/onetouch/json/approval_requests/{uuid}",
  safety: "read-only",
  decode: decodeStatus
})

/** A poll of the status: the request is made for each poll, so that nothing of it is kept in between. */
const statusPoll = (http: Executor, id: string) => () => http.execute(statusEndpoint(id))

/** @internal */
export const make = (http: Executor, apiKey: Redacted.Redacted<string> | undefined): OneTouchApi => {
  const getApprovalStatus = traced("Authy.oneTouch.getApprovalStatus", Effect.fnUntraced(function*(uuid: string) {
    const id = yield* Validate.uuid(uuid)
    yield* annotate({ "authy.approval_uuid": id })
    return yield* http.execute(statusEndpoint(id))
  }))

  return {
    sendRequest: traced("Authy.oneTouch.sendRequest", Effect.fnUntraced(function*(authyId, input) {
      const id = yield* Validate.authyId(authyId)
      yield* annotate({ "authy.authy_id": id })
      const params = yield* approvalParams(input)
      return yield* http.execute({
        method: "POST",
        path: `/onetouch/json/users/${encodeURIComponent(id)}/approval_requests`,
        route: "/onetouch/json/users/{authy_id}/approval_requests",
        safety: "side-effecting",
        params,
        decode: decodeSend
      })
    })),

    getApprovalStatus,

    // No span for the wait, and none per poll: a wait may poll for hours, so
    // a span per poll floods the trace, and thousands of waits may be pending
    // at once, each holding its span between polls (a span held for the wait
    // costs 2.5 to 5.5 KB more per pending wait, about as much as all the rest:
    // bench/micro/await-heap.ts). A failed poll is recorded on the caller's
    // span, as any other request's would be.
    awaitApproval: (uuid, options) =>
      Effect.flatMap(Validate.uuid(uuid), (id) =>
        Effect.flatMap(awaitOptions(options), ({ schedule, timeout }) =>
          pollUntilSettled(statusPoll(http, id), schedule ?? defaultApprovalSchedule, { timeout }))),

    // The key stays inside the service: callers get a yes or no, never the key.
    // Without a usable key, no signature is genuine (an empty key would make
    // every forged one check out).
    validateCallbackSignature: (input) =>
      apiKey === undefined ? Effect.succeed(false) : Effect.sync(() => Signature.validateSignature({ ...input, apiKey }))
  }
}
