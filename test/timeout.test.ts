/**
 * The per-attempt deadline (src/internal/timeout.ts): a plain timer and one
 * fiber on the live clock, `Effect.timeoutFail` on any other clock. Both paths
 * must fire at the deadline and not before, interrupt the effect they stop
 * (whether or not it cooperates), and pass success and failure through.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, TestClock } from "effect"
import { timeoutFail } from "../src/internal/core/timeout.js"

const onTimeout = () => "timed out" as const

/** An effect that never completes on its own, and records its interruption. */
const hang = Effect.gen(function*() {
  const interrupted = yield* Deferred.make<void>()
  const effect = Effect.onInterrupt(Effect.never, () => Deferred.succeed(interrupted, undefined))
  return { effect, interrupted }
})

describe("timeoutFail, under TestClock", () => {
  it.effect("fires at the deadline and not a millisecond before", () =>
    Effect.gen(function*() {
      const { effect, interrupted } = yield* hang
      const fiber = yield* Effect.fork(timeoutFail(effect, { duration: Duration.seconds(10), onTimeout }))
      yield* TestClock.adjust("9999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      expect(yield* Deferred.isDone(interrupted)).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(yield* Effect.flip(Fiber.join(fiber))).toBe("timed out")
      expect(yield* Deferred.isDone(interrupted)).toBe(true)
    }))

  it.effect("passes success and failure through", () =>
    Effect.gen(function*() {
      const duration = Duration.seconds(1)
      expect(yield* timeoutFail(Effect.succeed(1), { duration, onTimeout })).toBe(1)
      expect(yield* Effect.flip(timeoutFail(Effect.fail("boom"), { duration, onTimeout }))).toBe("boom")
      const late = Effect.as(Effect.sleep("500 millis"), "late")
      const fiber = yield* Effect.fork(timeoutFail(late, { duration, onTimeout }))
      yield* TestClock.adjust("500 millis")
      expect(yield* Fiber.join(fiber)).toBe("late")
    }))
})

describe("timeoutFail, on the live clock", () => {
  it.live("fires at the deadline, interrupting an effect that ignores everything else", () =>
    Effect.gen(function*() {
      const { effect, interrupted } = yield* hang
      const started = Date.now()
      const error = yield* Effect.flip(timeoutFail(effect, { duration: Duration.millis(50), onTimeout }))
      const elapsed = Date.now() - started
      expect(error).toBe("timed out")
      expect(elapsed).toBeGreaterThanOrEqual(45) // never early; how late is the machine's business
      // The interruption has completed by the time the error is returned.
      expect(yield* Deferred.isDone(interrupted)).toBe(true)
    }))

  it.live("does not fire before the deadline", () =>
    Effect.gen(function*() {
      const slow = Effect.as(Effect.sleep("30 millis"), "slow")
      expect(yield* timeoutFail(slow, { duration: Duration.millis(1000), onTimeout })).toBe("slow")
    }))

  it.live("passes success, failure and defects through", () =>
    Effect.gen(function*() {
      const duration = Duration.seconds(1)
      expect(yield* timeoutFail(Effect.succeed(1), { duration, onTimeout })).toBe(1)
      expect(yield* timeoutFail(Effect.promise(() => Promise.resolve(2)), { duration, onTimeout })).toBe(2)
      expect(yield* Effect.flip(timeoutFail(Effect.fail("boom"), { duration, onTimeout }))).toBe("boom")
      const exit = yield* Effect.exit(timeoutFail(Effect.die("bug"), { duration, onTimeout }))
      expect(Exit.isFailure(exit) && exit.toString()).toContain("bug")
    }))

  it.live("an infinite duration never fires", () =>
    Effect.gen(function*() {
      const { effect } = yield* hang
      const fiber = yield* Effect.fork(timeoutFail(effect, { duration: Duration.infinity, onTimeout }))
      yield* Effect.sleep("50 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* Fiber.interrupt(fiber)
    }))

  it.live("interrupting the caller interrupts the effect", () =>
    Effect.gen(function*() {
      const { effect, interrupted } = yield* hang
      const fiber = yield* Effect.fork(timeoutFail(effect, { duration: Duration.seconds(10), onTimeout }))
      yield* Effect.sleep("10 millis")
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(yield* Deferred.isDone(interrupted)).toBe(true)
    }))
})
