/**
 * Polling a resource until it is settled: the mechanism behind Authy's
 * `OneTouch.awaitApproval` and Verify's `Challenges.await`. A {@link Polled}
 * says what is polled (is this answer settled? when does the thing expire?);
 * the loop — schedule, `Retry-After`, expiry bound, caller's timeout,
 * transient failures, a stream of changes — is the same for both.
 *
 * @internal
 */
import { Duration, Effect, Option, Schedule, ScheduleDecision, ScheduleIntervals, Stream } from "effect"
import type { Clock } from "effect"
import { type ApiError, NetworkError, type ServiceName, type ValidationError } from "../../AuthyError.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import { isLiveClock, maxTimerMillis, timeoutFail } from "./timeout.js"
import * as Validate from "./validate.js"

type Failure = ApiError | NetworkError | ValidationError

/**
 * What a polling loop needs to know about the polled value.
 *
 * @internal
 */
export interface Polled<A> {
  /** True once the answer is final: polling stops and returns it. */
  readonly isSettled: (answer: A) => boolean
  /** When the polled thing expires (epoch millis), if the answer says. */
  readonly expiresAt: (answer: A) => number | undefined
  /** What polling through two answers compares, for the stream of changes. */
  readonly status: (answer: A) => string
  /** The thing polled, in the message of a timeout: `the approval request`. */
  readonly what: string
  readonly service: ServiceName
}

/**
 * 1 s, 1.5 s, 2.25 s, 3.375 s, then every 5 s: a person usually answers
 * within seconds, and a slow one should not cost a request a second. The
 * output is the delay actually used.
 *
 * @internal
 */
export const defaultSchedule: Schedule.Schedule<Duration.Duration> = Schedule.exponential("1 second", 1.5).pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
  Schedule.delays
)

/**
 * Expiry times may have whole seconds only, so the real expiry may be up to a
 * second later than computed: the last poll waits that long past it.
 */
const expiryGraceMillis = 1000

/**
 * Failures worth polling through: the next tick may well succeed. A body that
 * is not JSON on a 2xx is a gateway's or proxy's page, not the API's answer.
 *
 * @internal
 */
export const isTransient = (error: Failure): error is ApiError | NetworkError =>
  error._tag === "NetworkError" ||
  (error._tag === "ApiError" &&
    (error.status === 408 || error.status === 429 || error.status >= 500 ||
      (error.reason === "NotJson" && error.status < 300)))

/** The caller's timeout ran out while a poll was in flight (never seen outside this module). */
const timedOut: unique symbol = Symbol("effect-authy/Polling/timedOut")

/**
 * How {@link pollUntilSettled} runs.
 *
 * @internal
 */
export interface PollOptions<A> {
  /** When to stop polling and return the last pending answer (or a `NetworkError` `Timeout`). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Told about every answer, as soon as it comes. */
  readonly onAnswer?: ((answer: A) => void) | undefined
}

/**
 * One run of the polling loop: the state kept between polls, and the steps.
 *
 * Thousands of waits may be pending at once, so a sleeping one holds as
 * little as can be: its fiber, one timer, this object (the last answer
 * included) and the one continuation that polls again. Each step returns the
 * next effect in tail position, so the fiber's stack does not grow with the
 * polls; the retry policy is set around each poll only, so nothing of it is on
 * the stack between polls; the timeout is a deadline the loop checks between
 * polls, raced only against a poll in flight (in a fiber of its own, so
 * nothing of the race is left on the waiting fiber); and on the live clock the
 * sleep is {@link liveSleep}. The steps are methods and the continuations
 * anonymous arrows made when needed, so an instance carries no closures of
 * its own.
 */
class Polling<A> {
  private scheduleState: unknown
  private steppedAt = 0
  private expiresAt: number | undefined = undefined
  private lastPollDone = false
  private lastAnswer: A | undefined = undefined
  /** Kept only while no answer came: it is what the run fails with then. */
  private lastFailure: ApiError | NetworkError | undefined = undefined
  private retryAfterMillis = 0
  private readonly live: boolean

  constructor(
    private readonly polled: Polled<A>,
    private readonly poll: () => Effect.Effect<A, Failure>,
    private readonly schedule: Schedule.Schedule<unknown, A | ApiError | NetworkError>,
    private readonly clock: Clock.Clock,
    /** When the caller's timeout runs out, in the clock's epoch millis. */
    private readonly deadline: number | undefined,
    private readonly onAnswer: ((answer: A) => void) | undefined
  ) {
    this.scheduleState = schedule.initial
    this.live = isLiveClock(clock)
  }

  /** The next poll, one attempt, cut short at the deadline. */
  next(): Effect.Effect<A, Failure> {
    let attempt: Effect.Effect<A, Failure | typeof timedOut> = RetryPolicy.withPolicy(this.poll(), RetryPolicy.disabled)
    if (this.deadline !== undefined) {
      const left = this.deadline - this.clock.unsafeCurrentTimeMillis()
      if (left <= 0) return this.timeUp()
      attempt = timeoutFail(attempt, { duration: Duration.millis(left), onTimeout: () => timedOut })
    }
    return Effect.matchEffect(attempt, {
      onFailure: (error) => this.failed(error),
      onSuccess: (answer) => this.answered(answer)
    })
  }

  private answered(answer: A): Effect.Effect<A, Failure> {
    this.onAnswer?.(answer)
    if (this.polled.isSettled(answer)) return Effect.succeed(answer)
    this.lastAnswer = answer
    this.lastFailure = undefined
    this.expiresAt ??= this.polled.expiresAt(answer)
    this.retryAfterMillis = 0
    return this.step(answer)
  }

  private failed(error: Failure | typeof timedOut): Effect.Effect<A, Failure> {
    if (error === timedOut) return this.timeUp()
    if (!isTransient(error)) return Effect.fail(error)
    if (this.lastAnswer === undefined) this.lastFailure = error
    this.retryAfterMillis = error._tag === "ApiError" ? error.retryAfterMillis ?? 0 : 0
    return this.step(error)
  }

  private step(input: A | ApiError | NetworkError): Effect.Effect<A, Failure> {
    if (this.lastPollDone) return this.scheduleDone()
    const now = this.steppedAt = this.clock.unsafeCurrentTimeMillis()
    return Effect.flatMap(
      Effect.suspend(() => this.schedule.step(now, input, this.scheduleState)),
      ([state, , decision]) => this.stepped(state, decision)
    )
  }

  /**
   * Waits as the schedule says, except that a `Retry-After` is honoured and
   * the wait never goes past the expiry (the poll after it is the last) nor
   * past the deadline (which ends the run instead of polling).
   */
  private stepped(state: unknown, decision: ScheduleDecision.ScheduleDecision): Effect.Effect<A, Failure> {
    this.scheduleState = state
    if (ScheduleDecision.isDone(decision)) return this.scheduleDone()
    const now = this.steppedAt
    let wait = Math.max(0, ScheduleIntervals.start(decision.intervals) - now, this.retryAfterMillis)
    if (this.expiresAt !== undefined && now + wait >= this.expiresAt) {
      this.lastPollDone = true
      wait = Math.max(0, Math.min(wait, this.expiresAt + expiryGraceMillis - now))
    }
    if (this.deadline !== undefined && now + wait >= this.deadline) {
      return Effect.flatMap(this.sleep(Math.max(0, this.deadline - now)), () => this.timeUp())
    }
    return wait > 0 ? Effect.flatMap(this.sleep(wait), () => this.next()) : this.next()
  }

  /** The clock's sleep; on the live clock, the same with a fraction of its heap. */
  private sleep(millis: number): Effect.Effect<void> {
    return this.live ? liveSleep(millis) : this.clock.sleep(Duration.millis(millis))
  }

  /** The schedule (or the expiry) ended the polling: the last pending answer, else the last failure. */
  private scheduleDone(): Effect.Effect<A, Failure> {
    if (this.lastAnswer !== undefined) return Effect.succeed(this.lastAnswer)
    // Only transient failures came back: the loop ran at least once, so there is one.
    return Effect.fail(this.lastFailure ?? this.noAnswer())
  }

  /** The caller's timeout ran out: the last pending answer, else a `NetworkError` `Timeout`. */
  private timeUp(): Effect.Effect<A, Failure> {
    return this.lastAnswer !== undefined ? Effect.succeed(this.lastAnswer) : Effect.fail(this.noAnswer())
  }

  private noAnswer() {
    return new NetworkError({
      reason: "Timeout",
      message: `No answer about ${this.polled.what} in time`,
      service: this.polled.service
    })
  }
}

/**
 * The live clock's `sleep`, for a fiber that sleeps for most of its life.
 *
 * `Clock.sleep` registers its timer's canceler through `Effect.async`, which
 * wraps the wait in `onInterrupt`: an uninterruptible region, a match and its
 * closures, all on the fiber's stack while it sleeps — about 1.7 KB, more
 * than the rest of a pending wait's stack. Here the wait itself is a bare
 * `Effect.async` (nothing to cancel, so nothing wrapped), and the timer is
 * cleared instead by an observer of the sleeping fiber, there only while the
 * timer is: an interrupted fiber ends, and its end clears the timer (until
 * then, a timer that fires resumes nothing: the fiber was resumed by the
 * interruption already). Like the live clock, a delay past what `setTimeout`
 * honours sleeps forever.
 */
const liveSleep = (millis: number): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) =>
    Effect.async<void>((resume) => {
      if (millis > maxTimerMillis) return
      // One function for both roles, the smallest closure: called by the
      // timer with no argument, by the fiber's end with its exit.
      const wake = (exit?: unknown) => {
        if (exit !== undefined) return clearTimeout(timer)
        fiber.removeObserver(wake)
        resume(Effect.void)
      }
      const timer = setTimeout(wake, millis)
      fiber.addObserver(wake)
    })
  )

/**
 * Polls until the answer is settled.
 *
 * Between polls it waits as `schedule` says, except that it honours a
 * `Retry-After` and never waits past the expiry: the first poll after it is
 * the last one. Transient failures count as ticks; any other failure ends the
 * polling at once. When the schedule (or the expiry) ends the polling first,
 * the last pending answer is returned, or the last failure if no answer came
 * at all. When the `timeout` runs out first (cutting short a poll in flight),
 * the last pending answer is returned, or a `NetworkError` with reason
 * `Timeout`.
 *
 * Each poll is one attempt: the schedule is the retry policy here, so the
 * client's own retries are turned off for it. `poll` is called for each poll,
 * so that nothing of a poll outlives it.
 *
 * @internal
 */
export const pollUntilSettled = <A>(
  polled: Polled<A>,
  poll: () => Effect.Effect<A, Failure>,
  schedule: Schedule.Schedule<unknown, A | ApiError | NetworkError>,
  options: PollOptions<A> = {}
): Effect.Effect<A, Failure> =>
  // Per-run state: the Effect may be run many times, each from scratch.
  Effect.clockWith((clock) => {
    const deadline = options.timeout === undefined
      ? undefined
      : clock.unsafeCurrentTimeMillis() + Duration.toMillis(options.timeout)
    // An infinite timeout is no deadline: no poll needs to be raced against it.
    return new Polling(polled, poll, schedule, clock, Number.isFinite(deadline) ? deadline : undefined, options.onAnswer)
      .next()
  })

/**
 * The answers of {@link pollUntilSettled} as a stream, one per change of
 * status: usually `pending` then the final answer.
 *
 * @internal
 */
export const statusChanges = <A>(
  polled: Polled<A>,
  poll: Effect.Effect<A, Failure>,
  schedule: Schedule.Schedule<unknown, A | ApiError | NetworkError> = defaultSchedule
): Stream.Stream<A, Failure> =>
  Stream.asyncPush<A, Failure>(
    (emit) =>
      pollUntilSettled(polled, () => poll, schedule, { onAnswer: (answer) => emit.single(answer) }).pipe(
        Effect.matchCause({ onFailure: (cause) => emit.halt(cause), onSuccess: () => emit.end() }),
        Effect.forkScoped
      ),
    { bufferSize: "unbounded" }
  ).pipe(Stream.changesWith((a, b) => polled.status(a) === polled.status(b)))

/**
 * The `{ schedule?, timeout? }` options of a wait, checked: a bad schedule or
 * timeout would otherwise throw inside the polling loop, as a defect; so would
 * a Proxy whose traps throw, were it read unguarded.
 *
 * @internal
 */
export const checkOptions = <O extends { readonly schedule?: unknown; readonly timeout?: unknown }>(options: O | undefined) =>
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
