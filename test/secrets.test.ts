/**
 * The API key, OTP codes and full phone numbers never appear in a span, a log
 * line, or any rendering of an error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Logger, Tracer } from "effect"
import { inspect } from "node:util"
import { type AuthyService, Phones, Tokens, Users } from "../src/index.js"
import { apiKey, json, makeStub, type Reply, type SentRequest } from "./util/stub.js"

const token = "7654321"
const verificationCode = "918273"
const phoneDigits = ["4053425699", "405-342-5699", "405 342 5699", "7754615609", "775-461-5609", "2015550123"]
const secrets = [apiKey, token, verificationCode, ...phoneDigits]

/** Answers like Authy, quoting full numbers back where the real API does. */
const authy = (request: SentRequest): Reply => {
  const path = request.url.pathname
  if (path.endsWith("/users/new")) return json(200, { message: "User created successfully.", user: { id: 42 }, success: true })
  if (path.startsWith("/protected/json/verify/")) {
    return json(401, { message: "Token is invalid", token: "is invalid", success: false, errors: { message: "Token is invalid" }, error_code: "60020" })
  }
  if (path.startsWith("/protected/json/sms/")) return { status: 502, body: `<html>bad gateway for ${token} +1 775-461-5609</html>` }
  if (path.endsWith("/verification/start")) {
    return json(200, { message: "Text message sent to +1 775-461-5609.", seconds_to_expire: 599, success: true, carrier: { not: "a string" } })
  }
  if (path.endsWith("/verification/check")) {
    return json(404, { message: "No pending verifications for +1 201-555-0123 found.", success: false, errors: { message: "No pending verifications for +1 201-555-0123 found." }, error_code: "60023" })
  }
  return json(500, { message: "Server error", success: false, errors: {}, error_code: "60025" })
}

const recordingTracer = (spans: Array<Tracer.Span>) =>
  Effect.map(Effect.tracer, (base) =>
    Tracer.make({
      span: (...args) => {
        const span = base.span(...args)
        spans.push(span)
        return span
      },
      context: base.context
    }))

const renderings = (error: unknown): ReadonlyArray<string> => [
  String(error),
  JSON.stringify(error),
  inspect(error, { depth: 10 }),
  (error as Error).message
]

describe("secrets", () => {
  it.effect("a whole flow leaks no key, code or phone number", () =>
    Effect.gen(function*() {
      const spans: Array<Tracer.Span> = []
      const lines: Array<string> = []
      const errors: Array<unknown> = []
      const logger = Logger.make(({ annotations, message }) => lines.push(inspect({ message, annotations: [...annotations] }, { depth: 10 })))
      const stub = makeStub(authy)
      const tracer = yield* recordingTracer(spans)

      const flow = [
        Users.create({ email: "a@b.co", cellphone: "+57 405 342 5699" }),
        Users.create({ email: "a@b.co", cellphone: "405-342-5699", countryCode: 57 }),
        Tokens.verify(42, token),
        Users.requestSms(42),
        Phones.startVerification({ phoneNumber: "+1 775-461-5609", via: "sms" }),
        Phones.checkVerification({ phoneNumber: "201-555-0123", countryCode: 1, verificationCode }),
        Phones.info({ phoneNumber: "775-461-5609", countryCode: 1 }),
        Tokens.verify(42, "76543x1")
      ] as ReadonlyArray<Effect.Effect<unknown, unknown, AuthyService>>

      for (const program of flow) {
        const exit = yield* program.pipe(
          Effect.tapError((e) => Effect.logError("authy failed", e)),
          Effect.withSpan("login"),
          Effect.provide(stub.layer()),
          Effect.withTracer(tracer),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Effect.exit
        )
        if (Exit.isFailure(exit)) errors.push(Cause.squash(exit.cause))
      }

      const texts = [
        ...spans.flatMap((span) => [
          span.name,
          inspect([...span.attributes], { depth: 10 }),
          inspect(span.status, { depth: 10 })
        ]),
        ...lines,
        ...errors.flatMap(renderings)
      ]
      expect(stub.sent.length).toBeGreaterThanOrEqual(7)
      expect(errors.length).toBeGreaterThanOrEqual(4)
      expect(spans.map((s) => s.name)).toContain("Authy.tokens.verify")
      expect(lines.length).toBeGreaterThan(0)
      for (const text of texts) {
        for (const secret of secrets) expect(text).not.toContain(secret)
      }
    }))
})
