/**
 * Deadlines at a fraction of `Effect.timeoutFail`'s cost on the live clock:
 * {@link timeoutFail} for any effect (the caller's timeout of a polling wait,
 * and the fallback of the next one), and {@link makeRequestDeadline} for the
 * per-attempt deadline of `./http.ts` on a platform `HttpClient`, which forks
 * nothing at all.
 *
 * Why it is cheaper. `Effect.timeoutFail` races the effect against
 * `Effect.sleep` with `raceFibersWith`: every call forks TWO fibers (the
 * effect and the sleeper), awaits the winner, merges the winner's FiberRefs
 * back into the caller, then interrupts the loser and awaits it. For a request
 * that is answered at once, that machinery cost more than the rest of our own
 * code put together (see bench/micro/overhead.ts).
 *
 * An arbitrary effect still needs a fiber of its own: interrupting a fiber is the only
 * way to stop a request whatever the HttpClient does (the platform aborts the
 * request's AbortController when its fiber is interrupted; a stub that never
 * answers is interrupted all the same), and an interrupted fiber cannot carry
 * on to fail with a timeout error instead. The sleeper needs no fiber on the
 * live clock, though: a plain timer does its job. So on the live clock we fork
 * ONE fiber and wait for its exit in one `Effect.async`; the timer interrupts
 * it at the deadline, and its exit ends the wait.
 *
 * Any other clock (`TestClock`, a user's own) offers `sleep` only as an
 * effect, which needs a fiber to run on: there we call `Effect.timeoutFail`
 * itself, so virtual time drives timeouts exactly as before.
 *
 * @internal
 */
import type { HttpClientRequest } from "@effect/platform"
import { Cause, Clock, Context, Duration, Effect, Fiber, type FiberId } from "effect"
import { globalValue } from "effect/GlobalValue"

/** The class of the default (live) clock, to tell it from a `TestClock` or a user's clock. */
const LiveClock = Clock.make().constructor

/**
 * Whether `clock` is Effect's own, whose time is the timers' time: only then
 * may a deadline be a plain `setTimeout`.
 *
 * @internal
 */
export const isLiveClock = (clock: Clock.Clock): boolean => clock instanceof LiveClock

/**
 * The longest delay `setTimeout` honours (a longer one fires at once); like
 * the live clock's `sleep`, anything longer means no deadline at all.
 *
 * @internal
 */
export const maxTimerMillis = 2 ** 31 - 1

/**
 * `Effect.timeoutFail`: fails with `onTimeout()` when `self` has not completed
 * within `duration`, after interrupting it (and waiting for the interruption
 * to complete, so the request is aborted by then). Success and failure of
 * `self` pass through.
 *
 * @internal
 */
export const timeoutFail = <A, E, E1>(
  self: Effect.Effect<A, E>,
  options: { readonly duration: Duration.Duration; readonly onTimeout: () => E1 }
): Effect.Effect<A, E | E1> =>
  Effect.withFiberRuntime((caller) =>
    isLiveClock(Context.get(caller.currentDefaultServices, Clock.Clock))
      ? withTimer(self, caller.id(), Duration.toMillis(options.duration), options.onTimeout)
      : Effect.timeoutFail(self, options)
  )

/**
 * One child fiber for `self`, one `setTimeout` for the deadline.
 *
 * - The timer only interrupts the child. The child's exit always ends the
 *   wait: a timeout once the timer has fired (whatever the child ended with,
 *   as with `Effect.timeoutFail`), the child's own exit otherwise. So the
 *   interruption, abort included, is complete before the timeout is returned.
 * - If the caller is interrupted while waiting, the child is interrupted and
 *   awaited at once, as `Effect.timeoutFail` does with its two fibers (rather
 *   than when the caller's fiber ends, which may be much later); its observer
 *   then clears the timer.
 * - Unlike `Effect.timeoutFail`, the child's FiberRefs are not merged back
 *   into the caller: an attempt (request, body, decoding) sets none that the
 *   caller reads.
 */
const withTimer = <A, E, E1>(
  self: Effect.Effect<A, E>,
  callerId: FiberId.FiberId,
  millis: number,
  onTimeout: () => E1
): Effect.Effect<A, E | E1> =>
  Effect.flatMap(Effect.fork(self), (child) =>
    // `resume` is the register function's only parameter: with a second
    // (`signal`), Effect would allocate an AbortController on every call.
    Effect.async<A, E | E1>((resume) => {
      let timedOut = false
      const timer = millis <= maxTimerMillis
        ? setTimeout(() => {
          timedOut = true
          child.unsafeInterruptAsFork(callerId)
        }, millis)
        : undefined
      // Registered directly, as `raceFibersWith` does, rather than through
      // `Fiber.await`, which sends the child a message first. Should the child
      // have exited already, the observer runs at once.
      child.addObserver((exit) => {
        clearTimeout(timer)
        resume(timedOut ? Effect.fail(onTimeout()) : exit)
      })
      return Fiber.interrupt(child)
    }, child.id()))

/**
 * The AbortControllers that `@effect/platform`'s `HttpClient.make` takes for
 * a request instead of making its own: the table behind its public
 * `HttpClient.withScope`, shared through `globalValue` under the platform's
 * key (whichever of the two asks first creates it). Should a later platform
 * read another table, no client takes our controllers, and
 * {@link makeRequestDeadline} notices and forks instead.
 */
const platformControllers = globalValue(
  "@effect/platform/HttpClient/scopedRequests",
  () => new WeakMap<HttpClientRequest.HttpClientRequest, AbortController>()
)

/** Reads of the native `signal` getter, which checks that `this` is a real AbortController. */
const signalOf = Object.getOwnPropertyDescriptor(AbortController.prototype, "signal")?.get

/** An AbortController that records whether its signal was handed to a transport. */
class WatchedController extends AbortController {
  taken = false
}
if (signalOf !== undefined) {
  Object.defineProperty(WatchedController.prototype, "signal", {
    get(this: WatchedController) {
      this.taken = true
      return signalOf.call(this)
    }
  })
}

/**
 * The per-attempt deadline of a request sent through an `@effect/platform`
 * `HttpClient`: `exchange` sends `request` and reads its answer. One per
 * executor, as it learns how its client behaves.
 *
 * On the live clock no fiber is forked. The request gets an AbortController
 * of ours, which the platform's `HttpClient.make` then uses in place of its
 * own (as for `HttpClient.withScope`): a timer aborts it at the deadline,
 * which fails the exchange where it stands (connecting, waiting for the
 * answer, reading the body) and turns into the timeout; interruption aborts it
 * too, as the platform would have (its own abort-on-interrupt is skipped for
 * a controller it did not make); an exchange that ends in time leaves it
 * alone, so the connection is kept.
 *
 * That works only if the client hands our controller's signal to the
 * transport. A client not made by `HttpClient.make`, or a transform that
 * replaces the request (`HttpClient.mapRequest`), never takes it: the first
 * exchange runs under the forking {@link timeoutFail} (which stops it
 * whatever the client does) and tells whether the signal was taken; if it
 * ever is not, every later exchange forks too. A transport that takes the
 * signal and ignores it would not be stopped at the deadline: every
 * transport of `@effect/platform` and `@effect/platform-node` honours it.
 *
 * Any other clock: `Effect.timeoutFail`, so virtual time drives it.
 *
 * @internal
 */
export const makeRequestDeadline = () => {
  /** Whether this executor's client takes a request's controller: unknown until the first exchange. */
  let takesController: boolean | undefined = undefined

  return <A, E, E1>(
    request: HttpClientRequest.HttpClientRequest,
    exchange: Effect.Effect<A, E>,
    options: { readonly clock: Clock.Clock; readonly duration: Duration.Duration; readonly onTimeout: () => E1 }
  ): Effect.Effect<A, E | E1> => {
    if (!isLiveClock(options.clock)) return Effect.timeoutFail(exchange, options)
    if (takesController === false || signalOf === undefined) return timeoutFail(exchange, options)
    return Effect.suspend(() => {
      const controller = new WatchedController()
      platformControllers.set(request, controller)
      if (takesController === undefined) {
        return Effect.ensuring(
          timeoutFail(abortOnInterrupt(exchange, controller), options),
          Effect.sync(() => {
            takesController = controller.taken
          })
        )
      }
      return abortAtDeadline(exchange, controller, Duration.toMillis(options.duration), options.onTimeout, () => {
        if (!controller.taken) takesController = false
      })
    })
  }
}

/** `exchange`, aborting `controller` when interrupted: what the platform does for a controller of its own. */
const abortOnInterrupt = <A, E>(exchange: Effect.Effect<A, E>, controller: AbortController) =>
  Effect.onInterrupt(exchange, () => Effect.sync(() => controller.abort()))

/**
 * `exchange` with a timer that aborts `controller` at the deadline, in one
 * uninterruptible region and one match: the same frames the platform would
 * have added around the exchange for a controller of its own.
 */
const abortAtDeadline = <A, E, E1>(
  exchange: Effect.Effect<A, E>,
  controller: WatchedController,
  millis: number,
  onTimeout: () => E1,
  ended: () => void
): Effect.Effect<A, E | E1> =>
  Effect.uninterruptibleMask((restore) => {
    let timedOut = false
    const timer = millis <= maxTimerMillis
      ? setTimeout(() => {
        timedOut = true
        controller.abort()
      }, millis)
      : undefined
    return Effect.matchCauseEffect(restore(exchange), {
      onFailure: (cause): Effect.Effect<A, E | E1> => {
        clearTimeout(timer)
        ended()
        // Past the deadline, whatever the exchange ended with is the timeout,
        // as with `Effect.timeoutFail`.
        if (timedOut) return Effect.fail(onTimeout())
        if (Cause.isInterrupted(cause)) controller.abort()
        return Effect.failCause(cause)
      },
      onSuccess: (answer): Effect.Effect<A, E | E1> => {
        clearTimeout(timer)
        ended()
        return timedOut ? Effect.fail(onTimeout()) : Effect.succeed(answer)
      }
    })
  })
