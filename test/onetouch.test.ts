/**
 * OneTouch polling (`awaitApproval`, `approvalStatusChanges`) against a stub
 * HttpClient that records when each poll went out, on the TestClock.
 */
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Exit, Fiber, Layer, Redacted, Schedule, Stream, TestClock } from "effect"
import { AuthyService, OneTouch, RetryPolicy } from "../src/index.js"

const uuid = "8d031630-d15b-0134-b0a8-0a77bbe8093e"

type Status = "pending" | "approved" | "denied" | "expired"

type Reply =
  | { readonly status: Status; readonly extra?: Record<string, unknown> }
  | { readonly http: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly fail: "ECONNRESET" }
  | { readonly hang: true }

const pending: Reply = { status: "pending" }
const approved: Reply = { status: "approved" }
/** A request made at the TestClock's epoch that expires after 10 seconds. */
const expiring = (status: Status): Reply => ({
  status,
  extra: { created_at: "1970-01-01T00:00:00Z", seconds_to_expire: 10 }
})
const unavailable: Reply = { http: 503, body: JSON.stringify({ message: "Service Unavailable", success: false }) }
const notFound: Reply = {
  http: 404,
  body: JSON.stringify({ message: `Approval request not found: ${uuid}`, success: false, errors: {}, error_code: "60049" })
}

const bodyOf = (id: string, status: Status, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    approval_request: { uuid: id, status, processed_at: status === "pending" ? null : "1970-01-01T00:00:05Z", ...extra },
    success: true
  })

/**
 * A stub whose replies come from `script(n, uuid)` (n counts that uuid's
 * polls from 0), and that records the TestClock time of every request.
 */
const makeStub = (script: (n: number, id: string) => Reply) => {
  const times: Array<number> = []
  const counts = new Map<string, number>()
  const client = HttpClient.make((request, url) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      times.push(now)
      const id = url.pathname.split("/").pop() ?? ""
      const n = counts.get(id) ?? 0
      counts.set(id, n + 1)
      const reply = script(n, id)
      if ("hang" in reply) return Effect.never
      if ("fail" in reply) {
        const cause = Object.assign(new Error("socket hang up"), { code: reply.fail })
        return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
      }
      const response = "http" in reply
        ? new Response(reply.body, { status: reply.http, headers: reply.headers ?? {} })
        : new Response(bodyOf(id, reply.status, reply.extra), { status: 200 })
      return Effect.succeed(HttpClientResponse.fromWeb(request, response))
    })
  )
  const layer = (options: Partial<AuthyService.Options> = {}) =>
    AuthyService.layer({
      apiKey: Redacted.make("stub-key"),
      apiUrl: "https://api.authy.test",
      retry: RetryPolicy.disabled,
      ...options
    }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
  return { times, layer }
}

/** A script that plays `replies` in order, then repeats `rest`. */
const script = (replies: ReadonlyArray<Reply>, rest: Reply) => (n: number) => replies[n] ?? rest

/** Forks `awaitApproval` against `stub`, lets `elapsed` go by, and returns the fiber. */
const awaitFor = (
  stub: ReturnType<typeof makeStub>,
  elapsed: Duration.DurationInput,
  options?: OneTouch.AwaitApprovalOptions
) =>
  Effect.gen(function*() {
    const fiber = yield* OneTouch.awaitApproval(uuid, options).pipe(Effect.provide(stub.layer()), Effect.fork)
    yield* TestClock.adjust(elapsed)
    return fiber
  })

const statusOf = (answer: { readonly approvalRequest: { readonly status: Status } }) => answer.approvalRequest.status

describe("awaitApproval", () => {
  it.effect("returns the answer once approved, after exactly as many polls as it took", () =>
    Effect.gen(function*() {
      const stub = makeStub(script([pending, pending, pending], approved))
      const fiber = yield* awaitFor(stub, "1 hour")
      const answer = yield* Fiber.join(fiber)
      expect(statusOf(answer)).toBe("approved")
      expect(answer.approvalRequest.processedAt).toBe("1970-01-01T00:00:05Z")
      expect(stub.times).toEqual([0, 1000, 2500, 4750])
    }))

  it.effect("polls once when the first answer is final", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => ({ status: "denied" }))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour"))
      expect(statusOf(answer)).toBe("denied")
      expect(stub.times).toEqual([0])
    }))

  it.effect("returns a denial", () =>
    Effect.gen(function*() {
      const stub = makeStub(script([pending], { status: "denied" }))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour"))
      expect(statusOf(answer)).toBe("denied")
      expect(stub.times).toEqual([0, 1000])
    }))

  it.effect("follows the default schedule: 1 s, ×1.5, capped at 5 s", () =>
    Effect.gen(function*() {
      const stub = makeStub(script(Array(9).fill(pending), approved))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour"))
      expect(statusOf(answer)).toBe("approved")
      expect(stub.times).toEqual([0, 1000, 2500, 4750, 8125, 13125, 18125, 23125, 28125, 33125])
    }))

  it.effect("does one last poll just after the request expires, then stops", () =>
    Effect.gen(function*() {
      // Polls at 0, 1, 2.5, 4.75, 8.125 s; the next (13.125 s) would be past
      // the expiry at 10 s, so it goes out at 11 s and is the last.
      const stub = makeStub((n) => expiring(n < 5 ? "pending" : "expired"))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour"))
      expect(statusOf(answer)).toBe("expired")
      expect(stub.times).toEqual([0, 1000, 2500, 4750, 8125, 11000])
    }))

  it.effect("stops after the last poll past expiry even if Authy still says pending", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => expiring("pending"))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour"))
      expect(statusOf(answer)).toBe("pending")
      expect(stub.times).toEqual([0, 1000, 2500, 4750, 8125, 11000])
    }))

  it.effect("bounds any schedule by the expiry", () =>
    Effect.gen(function*() {
      const stub = makeStub((n) => expiring(n < 1 ? "pending" : "expired"))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour", { schedule: Schedule.spaced("1 minute") }))
      expect(statusOf(answer)).toBe("expired")
      expect(stub.times).toEqual([0, 11000])
    }))

  it.effect("does not bound polling when the request never expires", () =>
    Effect.gen(function*() {
      const stub = makeStub((n) => ({
        status: n < 3 ? "pending" : "approved",
        extra: { created_at: "1970-01-01T00:00:00Z", seconds_to_expire: 0 }
      }))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour", { schedule: Schedule.spaced("1 minute") }))
      expect(statusOf(answer)).toBe("approved")
      expect(stub.times).toEqual([0, 60000, 120000, 180000])
    }))

  it.effect("returns the last pending answer when the schedule ends first", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => pending)
      const schedule = Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour", { schedule }))
      expect(statusOf(answer)).toBe("pending")
      expect(stub.times).toEqual([0, 1000, 2000])
    }))

  it.effect("fails with the last transient failure when the schedule ends without any answer", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => unavailable)
      const schedule = Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))
      const exit = yield* Fiber.await(yield* awaitFor(stub, "1 hour", { schedule }))
      expect(exit).toEqual(Exit.fail(expect.objectContaining({ _tag: "ApiError", status: 503 })))
      expect(stub.times).toEqual([0, 1000, 2000])
    }))

  it.effect("returns the last pending answer when the timeout runs out", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => pending)
      const fiber = yield* awaitFor(stub, "3 seconds", { timeout: "3 seconds" })
      const answer = yield* Fiber.join(fiber)
      expect(statusOf(answer)).toBe("pending")
      expect(stub.times).toEqual([0, 1000, 2500])
      yield* TestClock.adjust("1 hour")
      expect(stub.times).toHaveLength(3)
    }))

  it.effect("fails with a NetworkError Timeout when no answer came before the timeout", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => ({ hang: true }))
      const exit = yield* Fiber.await(yield* awaitFor(stub, "5 seconds", { timeout: "5 seconds" }))
      expect(exit).toEqual(Exit.fail(expect.objectContaining({ _tag: "NetworkError", reason: "Timeout" })))
      expect(stub.times).toEqual([0])
    }))

  it.effect("returns the last pending answer when the timeout cuts a poll short", () =>
    Effect.gen(function*() {
      const stub = makeStub(script([pending], { hang: true }))
      const fiber = yield* awaitFor(stub, "2 seconds", { timeout: "2 seconds" })
      const answer = yield* Fiber.join(fiber)
      expect(statusOf(answer)).toBe("pending")
      expect(stub.times).toEqual([0, 1000])
    }))

  it.effect("fails with a NetworkError Timeout, not the last transient failure, when the timeout runs out", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => unavailable)
      const exit = yield* Fiber.await(yield* awaitFor(stub, "3 seconds", { timeout: "3 seconds" }))
      expect(exit).toEqual(Exit.fail(expect.objectContaining({ _tag: "NetworkError", reason: "Timeout" })))
      expect(stub.times).toEqual([0, 1000, 2500])
    }))

  it.effect("starts each run of the same wait afresh: its own schedule and its own timeout", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => pending)
      const wait = OneTouch.awaitApproval(uuid, { timeout: "3 seconds" }).pipe(Effect.provide(stub.layer()))
      const fiber = yield* Effect.fork(Effect.zip(wait, wait))
      yield* TestClock.adjust("6 seconds")
      const [first, second] = yield* Fiber.join(fiber)
      expect([statusOf(first), statusOf(second)]).toEqual(["pending", "pending"])
      expect(stub.times).toEqual([0, 1000, 2500, 3000, 4000, 5500])
    }))

  it.effect("polls without end when the timeout is infinite", () =>
    Effect.gen(function*() {
      const stub = makeStub(script([pending, pending], approved))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour", { timeout: Duration.infinity }))
      expect(statusOf(answer)).toBe("approved")
      expect(stub.times).toEqual([0, 1000, 2500])
    }))

  it.effect("stops polling at once when interrupted", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => pending)
      const fiber = yield* awaitFor(stub, "3 seconds")
      expect(stub.times).toEqual([0, 1000, 2500])
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 hour")
      expect(stub.times).toHaveLength(3)
    }))

  it.effect("can be interrupted while a poll is in flight", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => ({ hang: true }))
      const fiber = yield* awaitFor(stub, "1 second")
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(stub.times).toEqual([0])
    }))

  it.effect("polls through a 503, a reset connection and a gateway's HTML page", () =>
    Effect.gen(function*() {
      const html: Reply = { http: 200, body: "<html>Please wait</html>" }
      const stub = makeStub(script([pending, unavailable, { fail: "ECONNRESET" }, html, pending], approved))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour"))
      expect(statusOf(answer)).toBe("approved")
      expect(stub.times).toEqual([0, 1000, 2500, 4750, 8125, 13125])
    }))

  it.effect("sends each poll once even when the client retries read-only requests", () =>
    Effect.gen(function*() {
      const stub = makeStub(script([pending, unavailable], approved))
      const fiber = yield* OneTouch.awaitApproval(uuid).pipe(
        Effect.provide(stub.layer({ retry: RetryPolicy.make({ jitter: false }) })),
        Effect.fork
      )
      yield* TestClock.adjust("1 hour")
      expect(statusOf(yield* Fiber.join(fiber))).toBe("approved")
      expect(stub.times).toEqual([0, 1000, 2500])
    }))

  it.effect("waits at least as long as a 429's Retry-After", () =>
    Effect.gen(function*() {
      const throttled: Reply = {
        http: 429,
        body: JSON.stringify({ message: "Too many requests", success: false, error_code: "60003" }),
        headers: { "retry-after": "30" }
      }
      const stub = makeStub(script([pending, throttled], approved))
      const answer = yield* Fiber.join(yield* awaitFor(stub, "1 hour"))
      expect(statusOf(answer)).toBe("approved")
      expect(stub.times).toEqual([0, 1000, 31000])
    }))

  it.effect("surfaces a non-transient error at once: 404 60049", () =>
    Effect.gen(function*() {
      const stub = makeStub(script([pending], notFound))
      const fiber = yield* awaitFor(stub, "1 hour")
      const exit = yield* Fiber.await(fiber)
      expect(exit).toEqual(Exit.fail(expect.objectContaining({ _tag: "ApiError", status: 404, errorCode: "60049" })))
      expect(stub.times).toEqual([0, 1000])
    }))

  it.effect("refuses a bad uuid or timeout before polling", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => pending)
      const badUuid = yield* OneTouch.awaitApproval("nope").pipe(Effect.provide(stub.layer()), Effect.flip)
      const badTimeout = yield* OneTouch.awaitApproval(uuid, { timeout: "soon" as Duration.DurationInput }).pipe(
        Effect.provide(stub.layer()),
        Effect.flip
      )
      expect(badUuid).toMatchObject({ _tag: "ValidationError", field: "uuid" })
      expect(badTimeout).toMatchObject({ _tag: "ValidationError", field: "timeout" })
      expect(stub.times).toEqual([])
    }))

  it.effect("runs many waits at once, each polling on its own schedule (a fiber each, no thread or socket)", () =>
    Effect.gen(function*() {
      // Kept to a hundred because the TestClock wakes sleepers one at a time,
      // checking every fiber each time: its cost, not the wait's, grows fast.
      const ids = Array.from({ length: 100 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`)
      const stub = makeStub((n, id) => n < 2 ? pending : { status: id.endsWith("7") ? "denied" : "approved" })
      const fiber = yield* Effect.forEach(ids, (id) => OneTouch.awaitApproval(id), { concurrency: "unbounded" }).pipe(
        Effect.provide(stub.layer()),
        Effect.fork
      )
      yield* TestClock.adjust("3 seconds")
      const answers = yield* Fiber.join(fiber)
      expect(answers.map((a) => a.approvalRequest.uuid)).toEqual(ids)
      expect(answers.filter((a) => a.approvalRequest.status === "denied")).toHaveLength(10)
      expect(stub.times).toHaveLength(3 * ids.length)
    }))
})

describe("awaitApproval on the live clock", () => {
  // The live clock's sleep is a bare timer, cleared by the end of the fiber
  // (src/internal/core/polling.ts, liveSleep): real time, real timers here.
  const activeTimers = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length

  it.live("polls as the schedule says, and returns the answer", () =>
    Effect.gen(function*() {
      const stub = makeStub(script([pending, pending], approved))
      const started = Date.now()
      const answer = yield* OneTouch.awaitApproval(uuid, { schedule: Schedule.spaced("30 millis") }).pipe(
        Effect.provide(stub.layer())
      )
      expect(statusOf(answer)).toBe("approved")
      expect(stub.times).toHaveLength(3)
      expect(stub.times[2]! - stub.times[0]!).toBeGreaterThanOrEqual(55) // two sleeps, never early
      expect(Date.now() - started).toBeGreaterThanOrEqual(55)
    }))

  it.live("returns the last pending answer when the timeout runs out during a sleep", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => pending)
      const answer = yield* OneTouch.awaitApproval(uuid, { schedule: Schedule.spaced("1 hour"), timeout: "50 millis" }).pipe(
        Effect.provide(stub.layer())
      )
      expect(statusOf(answer)).toBe("pending")
      expect(stub.times).toHaveLength(1)
    }))

  it.live("fails with a Timeout when the timeout cuts the first poll short", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => ({ hang: true }))
      const error = yield* OneTouch.awaitApproval(uuid, { timeout: "50 millis" }).pipe(Effect.provide(stub.layer()), Effect.flip)
      expect(error).toMatchObject({ _tag: "NetworkError", reason: "Timeout" })
    }))

  it.live("interrupting sleeping waits clears their timers at once", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => pending)
      const ids = Array.from({ length: 50 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`)
      const before = activeTimers()
      const fibers = yield* Effect.forEach(ids, (id) =>
        OneTouch.awaitApproval(id, { schedule: Schedule.spaced("1 hour") }).pipe(Effect.provide(stub.layer()), Effect.fork))
      // Each polls, decodes its answer and goes to sleep: wait (bounded) until all sleep.
      for (let i = 0; i < 1000 && activeTimers() - before < ids.length; i++) yield* Effect.sleep("5 millis")
      const sleeping = activeTimers()
      yield* Fiber.interruptAll(fibers)
      // Without clearing, 50 one-hour timers would hold the process open.
      expect(sleeping - activeTimers()).toBeGreaterThanOrEqual(ids.length)
    }))

  it.live("a fiber running wait after wait keeps nothing of the finished ones", () =>
    Effect.gen(function*() {
      const stub = makeStub((n) => n % 2 === 0 ? pending : approved)
      const timers = activeTimers()
      for (let i = 0; i < 5; i++) {
        const answer = yield* OneTouch.awaitApproval(uuid, { schedule: Schedule.spaced("5 millis") }).pipe(
          Effect.provide(stub.layer())
        )
        expect(statusOf(answer)).toBe("approved")
      }
      expect(stub.times).toHaveLength(10)
      expect(activeTimers()).toBeLessThanOrEqual(timers)
    }))
})

describe("defaultApprovalSchedule", () => {
  it.effect("waits 1 s, then 1.5× longer each time, up to 5 s", () =>
    Effect.gen(function*() {
      const delays = yield* Schedule.run(OneTouch.defaultApprovalSchedule, 0, Array(8).fill(undefined))
      expect(Chunk.toReadonlyArray(delays).map(Duration.toMillis)).toEqual([1000, 1500, 2250, 3375, 5000, 5000, 5000, 5000])
    }))
})

describe("approvalStatusChanges", () => {
  it.effect("emits each change of status, ending after the final one", () =>
    Effect.gen(function*() {
      const stub = makeStub(script([pending, pending, pending], approved))
      const fiber = yield* OneTouch.approvalStatusChanges(uuid).pipe(
        Stream.runCollect,
        Effect.provide(stub.layer()),
        Effect.fork
      )
      yield* TestClock.adjust("1 hour")
      const answers = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(answers.map(statusOf)).toEqual(["pending", "approved"])
      expect(stub.times).toEqual([0, 1000, 2500, 4750])
    }))

  it.effect("fails with a non-transient error", () =>
    Effect.gen(function*() {
      const stub = makeStub(script([pending], notFound))
      const fiber = yield* OneTouch.approvalStatusChanges(uuid).pipe(
        Stream.runCollect,
        Effect.provide(stub.layer()),
        Effect.fork
      )
      yield* TestClock.adjust("1 hour")
      const exit = yield* Fiber.await(fiber)
      expect(exit).toEqual(Exit.fail(expect.objectContaining({ _tag: "ApiError", errorCode: "60049" })))
    }))

  it.effect("stops polling when the consumer stops", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => pending)
      const first = yield* OneTouch.approvalStatusChanges(uuid).pipe(Stream.runHead, Effect.provide(stub.layer()))
      expect(first._tag).toBe("Some")
      yield* TestClock.adjust("1 hour")
      expect(stub.times).toEqual([0])
    }))
})
