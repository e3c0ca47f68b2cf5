/**
 * The per-attempt deadline of `./http.ts`: `Effect.timeoutFail`, at a
 * fraction of its cost on the live clock.
 *
 * Why it is cheaper. `Effect.timeoutFail` races the effect against
 * `Effect.sleep` with `raceFibersWith`: every call forks TWO fibers (the
 * effect and the sleeper), awaits the winner, merges the winner's FiberRefs
 * back into the caller, then interrupts the loser and awaits it. For a request
 * that is answered at once, that machinery cost more than the rest of our own
 * code put together (see bench/micro/overhead.ts).
 *
 * The effect still needs a fiber of its own: interrupting a fiber is the only
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
import { Clock, Context, Duration, Effect, Fiber, type FiberId } from "effect"

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
