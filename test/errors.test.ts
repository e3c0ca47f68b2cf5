/**
 * Every kind of answer Authy or a gateway can give becomes a typed error:
 * never a platform error, never a defect.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { type ApiError, App, type NetworkError, OneTouch, Phones, Tokens, Users } from "../src/index.js"
import { json, makeStub, type Reply } from "./util/stub.js"

const failure = <A, E>(program: Effect.Effect<A, E, import("../src/index.js").AuthyService>, reply: Reply) =>
  Effect.flip(Effect.provide(program, makeStub(() => reply).layer()))

const apiError = (error: unknown): ApiError => {
  expect(error).toMatchObject({ _tag: "ApiError" })
  return error as ApiError
}

describe("Authy error bodies", () => {
  it.effect("401/60001 invalid API key", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(
          App.details(),
          json(401, {
            error_code: "60001",
            message: "Invalid API key",
            errors: { message: "Invalid API key" },
            success: false
          })
        )
      )
      expect(e).toMatchObject({ reason: "ErrorResponse", status: 401, errorCode: "60001", errors: {} })
      expect(e.message).toContain("Invalid API key")
    }))

  it.effect("401/60020 wrong token", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(
          Tokens.verify(1635, "1234567"),
          json(401, {
            message: "Token is invalid",
            token: "is invalid",
            success: false,
            errors: { message: "Token is invalid" },
            error_code: "60020"
          })
        )
      )
      expect(e).toMatchObject({ status: 401, errorCode: "60020" })
    }))

  it.effect("404/60026 user not found", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(
          Users.requestSms(1),
          json(404, {
            message: "User not found.",
            success: false,
            errors: { message: "User not found." },
            error_code: "60026"
          })
        )
      )
      expect(e).toMatchObject({ status: 404, errorCode: "60026" })
    }))

  it.effect("400/60027 keeps the field errors", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(
          Users.create({ email: "a@b.co", cellphone: "405-342-5699", countryCode: 57 }),
          json(400, {
            message: "User was not valid",
            success: false,
            errors: { cellphone: "is invalid", message: "User was not valid" },
            cellphone: "is invalid",
            error_code: "60027"
          })
        )
      )
      expect(e).toMatchObject({ status: 400, errorCode: "60027", errors: { cellphone: "is invalid" } })
    }))

  it.effect("404/60049 with an empty errors object", () =>
    Effect.gen(function*() {
      const uuid = "8d031630-d15b-0134-b0a8-0a77bbe8093e"
      const e = apiError(
        yield* failure(
          OneTouch.getApprovalStatus(uuid),
          json(404, {
            message: `Approval request not found: ${uuid}`,
            success: false,
            errors: {},
            error_code: "60049"
          })
        )
      )
      expect(e).toMatchObject({ status: 404, errorCode: "60049", errors: {} })
    }))

  it.effect("429/60003 rate limited, with Retry-After kept", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(
          Users.status(1),
          json(429, { message: "Too many requests", success: false, errors: {}, error_code: "60003" }, {
            "retry-after": "7"
          })
        )
      )
      expect(e).toMatchObject({ status: 429, errorCode: "60003", retryAfterMillis: 7000 })
    }))

  it.effect("500/60025 phone lookup failure", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(
          Phones.info({ phoneNumber: "+1 775-461-5609" }),
          json(500, {
            message: "Server error while querying phone information. Please try again later",
            success: false,
            errors: {},
            error_code: 60025
          })
        )
      )
      expect(e).toMatchObject({ status: 500, errorCode: "60025" })
    }))

  it.effect("a message quoting a phone number is scrubbed", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(
          Phones.checkVerification({ phoneNumber: "201-555-0123", countryCode: 1, verificationCode: "1234" }),
          json(404, {
            message: "No pending verifications for +1 201-555-0123 found.",
            success: false,
            errors: { message: "No pending verifications for +1 201-555-0123 found." },
            error_code: "60023"
          })
        )
      )
      expect(e.errorCode).toBe("60023")
      expect(e.message).not.toContain("555")
      expect(e.message).toContain("No pending verifications")
    }))
})

describe("unusable answers", () => {
  it.effect("200 with success:false", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(
          Users.requestSms(1),
          json(200, { message: "SMS not sent", success: false, errors: {}, error_code: "60015" })
        )
      )
      expect(e).toMatchObject({ reason: "Unsuccessful", status: 200, errorCode: "60015" })
    }))

  it.effect("a 502 with an HTML body", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(App.stats(), { status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>" })
      )
      expect(e).toMatchObject({ reason: "NotJson", status: 502 })
      expect(e.excerpt).toContain("502 Bad Gateway")
    }))

  it.effect("truncated JSON", () =>
    Effect.gen(function*() {
      const e = apiError(yield* failure(App.details(), { status: 200, body: "{\"app\":{\"app_id\":3,\"na" }))
      expect(e).toMatchObject({ reason: "NotJson", status: 200 })
    }))

  it.effect("an empty body", () =>
    Effect.gen(function*() {
      const e = apiError(yield* failure(Users.status(1), { status: 503, body: "" }))
      expect(e).toMatchObject({ reason: "NotJson", status: 503, excerpt: "" })
    }))

  it.effect("a plain-text 503", () =>
    Effect.gen(function*() {
      const e = apiError(yield* failure(Users.status(1), { status: 503, body: "Rate limit exceeded" }))
      expect(e).toMatchObject({ reason: "NotJson", status: 503, excerpt: "Rate limit exceeded" })
    }))

  it.effect("JSON of the wrong shape", () =>
    Effect.gen(function*() {
      const e = apiError(yield* failure(Users.create({ email: "a@b.co", cellphone: "+57 405 342 5699" }), json(200, { success: true, user: "x" })))
      expect(e).toMatchObject({ reason: "Undecodable", status: 200 })
    }))

  it.effect("a redirect is an error, never followed", () =>
    Effect.gen(function*() {
      const e = apiError(
        yield* failure(App.details(), { status: 302, body: "", headers: { location: "https://elsewhere.test/" } })
      )
      expect(e.status).toBe(302)
    }))
})

describe("transport failures", () => {
  const networkError = (error: unknown): NetworkError => {
    expect(error).toMatchObject({ _tag: "NetworkError" })
    return error as NetworkError
  }

  it.effect("a refused connection", () =>
    Effect.gen(function*() {
      const e = networkError(yield* failure(Users.status(1), { fail: "ECONNREFUSED" }))
      expect(e.reason).toBe("ConnectionRefused")
      expect(e.neverReachedServer).toBe(true)
      expect(e.message).not.toContain("api.authy.test")
    }))

  it.effect("a DNS failure", () =>
    Effect.gen(function*() {
      const e = networkError(yield* failure(Users.status(1), { fail: "ENOTFOUND" }))
      expect(e.reason).toBe("DnsFailure")
    }))

  it.effect("a reset connection", () =>
    Effect.gen(function*() {
      const e = networkError(yield* failure(Users.status(1), { fail: "ECONNRESET" }))
      expect(e.reason).toBe("ConnectionReset")
      expect(e.neverReachedServer).toBe(false)
    }))

  it.effect("a timeout, at 10 seconds by default", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => ({ hang: true }))
      const fiber = yield* Effect.fork(Effect.provide(Users.status(1), stub.layer()))
      yield* TestClock.adjust("9999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const e = networkError(yield* Effect.flip(Fiber.join(fiber)))
      expect(e.reason).toBe("Timeout")
    }))

  it.effect("a configured timeout", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => ({ hang: true }))
      const fiber = yield* Effect.fork(Effect.flip(Effect.provide(Users.status(1), stub.layer({ timeout: "2 seconds" }))))
      yield* TestClock.adjust("2 seconds")
      const e = networkError(yield* Fiber.join(fiber))
      expect(e.reason).toBe("Timeout")
    }))
})

describe("apiUrl", () => {
  it.effect("plain http is refused for a remote host, before anything is sent", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => json(200, {}))
      const e = yield* Effect.flip(Effect.provide(App.details(), stub.layer({ apiUrl: "http://api.authy.com" })))
      expect(e).toMatchObject({ _tag: "ValidationError", field: "apiUrl" })
      expect(stub.sent).toHaveLength(0)
    }))

  it.effect("plain http is allowed for loopback", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => json(200, { message: "m", app: { app_id: 1, name: "n", plan: "p", sms_enabled: true }, success: true }))
      yield* Effect.provide(App.details(), stub.layer({ apiUrl: "http://127.0.0.1:4010/" }))
      expect(stub.sent[0]?.url.href).toBe("http://127.0.0.1:4010/protected/json/app/details")
    }))
})
