/**
 * The Verify fault matrix: every program under every fault, with retries on.
 * A side-effecting program (a verification start sends a message, a check
 * uses an attempt, a challenge pushes to a phone) is sent again only when
 * the request provably never reached Twilio (connection refused, DNS) or
 * Twilio said it was not processed (429 20429): never a duplicate send
 * otherwise. Read-only and idempotent programs are retried on transient
 * failures — but never on Twilio's business 429s (60202, 60203, 60212).
 * Waiting is driven by TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream, TestClock } from "effect"
import {
  Challenges,
  Entities,
  Factors,
  Lookup,
  RetryPolicy,
  Services,
  Verifications,
  type VerifyService,
  Webhooks
} from "effect-authy/verify"
import { json, makeStub, type Reply, twilioError } from "./util/verifyStub.js"

const VE = `VE${"c".repeat(32)}`
const YF = `YF${"d".repeat(32)}`
const YC = `YC${"e".repeat(32)}`
const YW = `YW${"f".repeat(32)}`
const identity = "ff483d1f-f591-898a"

type Safety = "side-effecting" | "read-only" | "idempotent"

const programs: ReadonlyArray<readonly [string, Safety, Effect.Effect<unknown, unknown, VerifyService>]> = [
  ["services.create", "side-effecting", Services.create({ friendlyName: "Example" })],
  ["verifications.start", "side-effecting", Verifications.start({ to: "+15017122661", channel: "sms" })],
  ["verifications.check", "side-effecting", Verifications.check({ to: "+15017122661", code: "123456" })],
  ["factors.createTotp", "side-effecting", Factors.createTotp(identity, { friendlyName: "phone" })],
  ["factors.verifyTotp", "side-effecting", Factors.verifyTotp(identity, YF, "123456")],
  ["challenges.create (push)", "side-effecting", Challenges.create(identity, { factorSid: YF, message: "Log in?" })],
  ["challenges.create (totp)", "side-effecting", Challenges.create(identity, { factorSid: YF, code: "123456" })],
  ["webhooks.create", "side-effecting", Webhooks.create({ friendlyName: "x", eventTypes: ["*"], webhookUrl: "https://example.com/h" })],
  ["services.fetch", "read-only", Services.fetch()],
  ["verifications.fetch", "read-only", Verifications.fetch(VE)],
  ["factors.fetch", "read-only", Factors.fetch(identity, YF)],
  ["factors.list", "read-only", Stream.runDrain(Factors.list(identity))],
  ["challenges.fetch", "read-only", Challenges.fetch(identity, YC)],
  ["challenges.list", "read-only", Stream.runDrain(Challenges.list(identity))],
  ["webhooks.list", "read-only", Stream.runDrain(Webhooks.list())],
  ["entities.fetch", "read-only", Entities.fetch(identity)],
  ["lookup.phoneNumber", "read-only", Lookup.phoneNumber("+15017122661")],
  ["services.update", "idempotent", Services.update({ lookupEnabled: true })],
  ["verifications.cancel", "idempotent", Verifications.cancel(VE)],
  ["verifications.approve", "idempotent", Verifications.approve(VE)],
  ["factors.remove", "idempotent", Factors.remove(identity, YF)],
  ["entities.remove", "idempotent", Entities.remove(identity)],
  ["webhooks.remove", "idempotent", Webhooks.remove(YW)]
]

interface Fault {
  readonly name: string
  readonly reply: Reply
  /** Sends with 3 attempts allowed, by safety class. */
  readonly sideEffecting: number
  readonly other: number
}

const faults: ReadonlyArray<Fault> = [
  { name: "connection refused", reply: { fail: "ECONNREFUSED" }, sideEffecting: 3, other: 3 },
  { name: "DNS failure", reply: { fail: "ENOTFOUND" }, sideEffecting: 3, other: 3 },
  { name: "connection reset", reply: { fail: "ECONNRESET" }, sideEffecting: 1, other: 3 },
  { name: "no answer (timeout)", reply: { hang: true }, sideEffecting: 1, other: 3 },
  { name: "500", reply: twilioError(500, 20500, "Internal Server Error"), sideEffecting: 1, other: 1 },
  { name: "502 HTML page", reply: { status: 502, body: "<html>Bad Gateway</html>" }, sideEffecting: 1, other: 3 },
  { name: "503", reply: twilioError(503, 20503, "Service Unavailable"), sideEffecting: 1, other: 3 },
  { name: "504", reply: { status: 504, body: "" }, sideEffecting: 1, other: 3 },
  { name: "429 20429 (never processed)", reply: twilioError(429, 20429, "Too Many Requests"), sideEffecting: 3, other: 3 },
  { name: "429 60203 (max send attempts)", reply: twilioError(429, 60203, "Max send attempts reached"), sideEffecting: 1, other: 1 },
  { name: "429 60202 (max check attempts)", reply: twilioError(429, 60202, "Max check attempts reached"), sideEffecting: 1, other: 1 },
  { name: "429 60212 (too many for this number)", reply: twilioError(429, 60212, "Too many concurrent requests"), sideEffecting: 1, other: 1 },
  { name: "200 that is not JSON", reply: { status: 200, body: "<html>ok</html>" }, sideEffecting: 1, other: 1 },
  { name: "200 of another shape", reply: json(200, { unexpected: true }), sideEffecting: 1, other: 1 },
  { name: "404 20404", reply: twilioError(404, 20404, "not found"), sideEffecting: 1, other: 1 }
]

const policy = RetryPolicy.make({ maxAttempts: 3, baseDelay: "100 millis", jitter: false })

/** Runs `program` against a stub replying `reply`, moving the clock until it is done. */
const run = (program: Effect.Effect<unknown, unknown, VerifyService>, reply: Reply) =>
  Effect.gen(function*() {
    const stub = makeStub(() => reply)
    const fiber = yield* Effect.fork(Effect.exit(Effect.provide(program, stub.layer({ retry: policy, timeout: "1 second" }))))
    for (let i = 0; i < 8; i++) yield* TestClock.adjust("1 second")
    const exit = yield* Fiber.join(fiber)
    return { exit, sent: stub.sent.length }
  })

describe("Verify fault matrix", () => {
  for (const [name, safety, program] of programs) {
    describe(`${name} (${safety})`, () => {
      for (const fault of faults) {
        const expected = safety === "side-effecting" ? fault.sideEffecting : fault.other
        it.effect(`${fault.name}: ${expected} request(s), a typed failure`, () =>
          Effect.gen(function*() {
            const { exit, sent } = yield* run(program, fault.reply)
            expect(sent).toBe(expected)
            // A DELETE's body is not read, and every Lookup field is optional: any JSON object is an answer.
            if (fault.name === "200 of another shape" && (name.endsWith(".remove") || name.startsWith("lookup"))) {
              expect(exit._tag).toBe("Success")
              return
            }
            expect(exit._tag).toBe("Failure")
            if (exit._tag === "Failure") {
              // Never a defect, never a platform error: one of the three, naming its service.
              expect(exit.cause._tag).toBe("Fail")
              const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
              expect(error).toMatchObject({ _tag: expect.stringMatching(/^(ApiError|NetworkError)$/) })
              expect((error as { service: string }).service).toBe(name.startsWith("lookup") ? "Lookup" : "Verify")
            }
          }))
      }
    })
  }

  it.effect("a 20429 then a success: the verification is sent twice, once processed", () =>
    Effect.gen(function*() {
      let n = 0
      const stub = makeStub(() =>
        n++ === 0
          ? twilioError(429, 20429, "Too Many Requests")
          : json(201, { sid: VE, status: "pending" })
      )
      const fiber = yield* Effect.fork(
        Effect.provide(Verifications.start({ to: "+15017122661", channel: "sms" }), stub.layer({ retry: policy }))
      )
      yield* TestClock.adjust("100 millis")
      const verification = yield* Fiber.join(fiber)
      expect(verification.status).toBe("pending")
      expect(stub.sent).toHaveLength(2)
    }))

  it.effect("a Retry-After on a 20429 is honoured", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => twilioError(429, 20429, "Too Many Requests", { "retry-after": "2" }))
      const fiber = yield* Effect.fork(
        Effect.either(Effect.provide(Verifications.check({ to: "+15017122661", code: "123456" }), stub.layer({ retry: policy })))
      )
      yield* TestClock.adjust("1999 millis")
      expect(stub.sent).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect(stub.sent).toHaveLength(2)
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(fiber)
    }))
})
