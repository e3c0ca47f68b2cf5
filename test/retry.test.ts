/**
 * The retry policy against a stub: what is sent again, when, and how often.
 * Waiting is driven by TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Logger, LogLevel, TestClock } from "effect"
import { type AuthyService, RetryPolicy, Tokens, Users } from "../src/index.js"
import { json, makeStub, type Reply } from "./util/stub.js"

const statusBody = {
  status: { authy_id: 1, confirmed: true, registered: false, country_code: 1, phone_number: "XXX-XXX-1118", devices: [] },
  message: "User status.",
  success: true
}
const smsBody = { success: true, message: "SMS token was sent", cellphone: "+1-XXX-XXX-XX18" }
const unavailable = json(503, { message: "Service unavailable", success: false, errors: {}, error_code: "60000" })
const rateLimited = (retryAfter?: string) =>
  json(429, { message: "Too many requests", success: false, errors: {}, error_code: "60003" }, retryAfter ? { "retry-after": retryAfter } : {})

const steady = RetryPolicy.make({ jitter: false, baseDelay: "100 millis" })

/** A stub answering from a script, one reply per request, the last one repeating. */
const scripted = (...replies: ReadonlyArray<Reply>) => {
  let n = 0
  return makeStub(() => replies[Math.min(n++, replies.length - 1)] as Reply)
}

/** Forks `program`, moves the clock by `advance` (in steps), and returns the exit. */
const runWithClock = <A, E>(
  program: Effect.Effect<A, E, AuthyService>,
  stub: ReturnType<typeof makeStub>,
  options: Partial<AuthyService.Options>,
  advance: ReadonlyArray<Duration.DurationInput>
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.either(Effect.provide(program, stub.layer(options))))
    for (const step of advance) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("read-only and idempotent requests", () => {
  it.effect("a 503 then a success: two requests, one success", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable, json(200, statusBody))
      const result = yield* runWithClock(Users.status(1), stub, { retry: steady }, ["100 millis"])
      expect(result._tag).toBe("Right")
      expect(stub.sent).toHaveLength(2)
    }))

  it.effect("gives up after maxAttempts, with the last error", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable)
      const result = yield* runWithClock(Users.status(1), stub, { retry: steady }, ["100 millis", "200 millis"])
      expect(result).toMatchObject({ _tag: "Left", left: { _tag: "ApiError", status: 503 } })
      expect(stub.sent).toHaveLength(3)
    }))

  it.effect("backs off exponentially: nothing is sent before the delay is over", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable)
      const fiber = yield* Effect.fork(Effect.either(Effect.provide(Users.status(1), stub.layer({ retry: steady }))))
      yield* TestClock.adjust("99 millis")
      expect(stub.sent).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect(stub.sent).toHaveLength(2)
      yield* TestClock.adjust("199 millis")
      expect(stub.sent).toHaveLength(2)
      yield* TestClock.adjust("1 millis")
      expect(stub.sent).toHaveLength(3)
      yield* Fiber.join(fiber)
    }))

  it.effect("users.create (idempotent) is retried after a reset connection", () =>
    Effect.gen(function*() {
      const stub = scripted({ fail: "ECONNRESET" }, json(200, { message: "ok", user: { id: 9 }, success: true }))
      const result = yield* runWithClock(
        Users.create({ email: "a@b.co", cellphone: "+1 775 461 5609" }),
        stub,
        { retry: steady },
        ["100 millis"]
      )
      expect(result).toMatchObject({ _tag: "Right", right: { user: { id: 9 } } })
      expect(stub.sent).toHaveLength(2)
    }))

  it.effect("a timed-out attempt is retried, each attempt with its own timeout", () =>
    Effect.gen(function*() {
      const stub = scripted({ hang: true }, json(200, statusBody))
      const result = yield* runWithClock(Users.status(1), stub, { retry: steady, timeout: "1 second" }, [
        "1 second",
        "100 millis"
      ])
      expect(result._tag).toBe("Right")
      expect(stub.sent).toHaveLength(2)
    }))

  it.effect("a 400 is never retried", () =>
    Effect.gen(function*() {
      const stub = scripted(json(400, { message: "Invalid request", success: false, errors: {}, error_code: "60002" }))
      const result = yield* runWithClock(Users.status(1), stub, { retry: steady }, [])
      expect(result).toMatchObject({ _tag: "Left", left: { status: 400 } })
      expect(stub.sent).toHaveLength(1)
    }))
})

describe("side-effecting requests", () => {
  for (const [name, reply] of [
    ["503", unavailable],
    ["502 HTML", { status: 502, body: "<html>Bad Gateway</html>" }],
    ["reset connection", { fail: "ECONNRESET" }],
    ["timeout", { hang: true }]
  ] as const) {
    it.effect(`an SMS is not sent again after a ${name}`, () =>
      Effect.gen(function*() {
        const stub = scripted(reply, json(200, smsBody))
        const result = yield* runWithClock(Users.requestSms(1), stub, { retry: steady, timeout: "1 second" }, ["2 seconds"])
        expect(result._tag).toBe("Left")
        expect(stub.sent).toHaveLength(1)
      }))
  }

  it.effect("a verify whose connection was refused is sent again", () =>
    Effect.gen(function*() {
      const stub = scripted({ fail: "ECONNREFUSED" }, json(200, { message: "Token is valid.", token: "is valid", success: "true" }))
      const result = yield* runWithClock(Tokens.verify(1, "1234567"), stub, { retry: steady }, ["100 millis"])
      expect(result._tag).toBe("Right")
      expect(stub.sent).toHaveLength(2)
    }))

  it.effect("an SMS refused with 429 is sent again after Retry-After", () =>
    Effect.gen(function*() {
      const stub = scripted(rateLimited("3"), json(200, smsBody))
      const fiber = yield* Effect.fork(Effect.either(Effect.provide(Users.requestSms(1), stub.layer({ retry: steady }))))
      yield* TestClock.adjust("2999 millis")
      expect(stub.sent).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber))._tag).toBe("Right")
      expect(stub.sent).toHaveLength(2)
    }))
})

describe("bounds and overrides", () => {
  it.effect("a Retry-After past the time budget ends the retries at once", () =>
    Effect.gen(function*() {
      const stub = scripted(rateLimited("60"))
      const result = yield* runWithClock(Users.status(1), stub, { retry: steady }, [])
      expect(result).toMatchObject({ _tag: "Left", left: { status: 429, retryAfterMillis: 60_000 } })
      expect(stub.sent).toHaveLength(1)
    }))

  it.effect("Retry-After as an HTTP date", () =>
    Effect.gen(function*() {
      const stub = scripted(rateLimited(new Date(Date.now() + 60_000).toUTCString()))
      const result = yield* runWithClock(Users.status(1), stub, { retry: steady }, [])
      expect(result).toMatchObject({ _tag: "Left", left: { status: 429 } })
      const left = result._tag === "Left" ? result.left : undefined
      expect((left as { retryAfterMillis?: number }).retryAfterMillis).toBeGreaterThan(55_000)
    }))

  it.effect("the total timeout bounds a call, retries included", () =>
    Effect.gen(function*() {
      const stub = scripted({ hang: true })
      const result = yield* runWithClock(
        Users.status(1),
        stub,
        { retry: RetryPolicy.make({ maxAttempts: 10, jitter: false, maxElapsed: "1 minute" }), timeout: "2 seconds", totalTimeout: "3 seconds" },
        ["2 seconds", "250 millis", "750 millis"]
      )
      expect(result).toMatchObject({ _tag: "Left", left: { _tag: "NetworkError", reason: "Timeout" } })
      expect(stub.sent).toHaveLength(2)
    }))

  it.effect("retries can be turned off for the layer", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable, json(200, statusBody))
      const result = yield* runWithClock(Users.status(1), stub, { retry: RetryPolicy.disabled }, ["1 second"])
      expect(result._tag).toBe("Left")
      expect(stub.sent).toHaveLength(1)
    }))

  it.effect("and for a single call", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable, json(200, statusBody))
      const once = Users.status(1).pipe(RetryPolicy.withPolicy(RetryPolicy.disabled))
      const result = yield* runWithClock(once, stub, { retry: steady }, ["1 second"])
      expect(result._tag).toBe("Left")
      expect(stub.sent).toHaveLength(1)
    }))

  it.effect("jittered delays never exceed the computed delay", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable, json(200, statusBody))
      const result = yield* runWithClock(Users.status(1), stub, { retry: RetryPolicy.make({ baseDelay: "1 second" }) }, ["1 second"])
      expect(result._tag).toBe("Right")
    }))

  it.effect("each retry is logged with its attempt number and reason", () =>
    Effect.gen(function*() {
      const lines: Array<Record<string, unknown>> = []
      const logger = Logger.make(({ annotations }) => lines.push(Object.fromEntries(annotations)))
      const stub = scripted(unavailable, json(200, statusBody))
      const program = Users.status(1).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      yield* runWithClock(program, stub, { retry: steady }, ["100 millis"])
      expect(lines).toContainEqual({ "authy.attempt": 1, "authy.retry_reason": "HTTP 503", "authy.retry_delay_ms": 100 })
    }))
})

describe("client-side limits", () => {
  it.effect("maxConcurrency caps the requests in flight", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => ({ hang: true }))
      const layer = stub.layer({ maxConcurrency: 2, timeout: "1 minute" })
      const fiber = yield* Effect.fork(
        Effect.provide(Effect.all([Users.status(1), Users.status(2), Users.status(3)], { concurrency: "unbounded" }), layer)
      )
      yield* TestClock.adjust("1 second")
      expect(stub.sent).toHaveLength(2)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("rateLimit spaces the requests out", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => json(200, statusBody))
      const layer = stub.layer({ rateLimit: { limit: 2, interval: "1 second" } })
      const fiber = yield* Effect.fork(
        Effect.provide(Effect.all([1, 2, 3, 4].map((id) => Users.status(id)), { concurrency: "unbounded" }), layer)
      )
      yield* TestClock.adjust("10 millis")
      expect(stub.sent).toHaveLength(2)
      yield* TestClock.adjust("1 second")
      expect(stub.sent).toHaveLength(4)
      yield* Fiber.join(fiber)
    }))
})

describe("policies that would not end", () => {
  it("RetryPolicy.make refuses a maxAttempts that is not a number, naming it", () => {
    expect(() => RetryPolicy.make({ maxAttempts: NaN })).toThrow(/maxAttempts/)
    expect(() => RetryPolicy.make({ maxAttempts: "3" as unknown as number })).toThrow(/maxAttempts/)
    expect(() => RetryPolicy.make({ maxAttempts: Infinity, maxElapsed: Duration.infinity })).toThrow(/bounded/)
  })

  it("RetryPolicy.make still clamps finite values as documented", () => {
    expect(RetryPolicy.make({ maxAttempts: 0 }).maxAttempts).toBe(1)
    expect(RetryPolicy.make({ maxAttempts: 2.7 }).maxAttempts).toBe(2)
    expect(RetryPolicy.make({ maxAttempts: Infinity }).maxAttempts).toBe(Infinity)
  })

  it.effect("a hand-built NaN policy given to the layer is refused before anything is sent", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable)
      const result = yield* runWithClock(Users.status(1), stub, { retry: { ...RetryPolicy.defaults, maxAttempts: NaN } }, [])
      expect(result).toMatchObject({ _tag: "Left", left: { _tag: "ValidationError", field: "retry.maxAttempts" } })
      expect(stub.sent).toHaveLength(0)
    }))

  it.effect("a hand-built NaN policy for one call fails closed: one attempt, no retry", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable)
      const nan = { ...RetryPolicy.defaults, maxAttempts: NaN, maxElapsed: Duration.infinity, jitter: false }
      const fiber = yield* Effect.fork(
        Effect.either(Effect.provide(RetryPolicy.withPolicy(Users.status(1), nan), stub.layer({ totalTimeout: Duration.infinity })))
      )
      yield* TestClock.adjust("1 hour")
      const result = yield* Fiber.join(fiber)
      expect(result).toMatchObject({ _tag: "Left", left: { _tag: "ApiError", status: 503 } })
      expect(stub.sent).toHaveLength(1)
    }))
})
