/**
 * `Users.update`, `Users.requestEmail` and `Users.registrationStatus` (issue 14
 * §1), and the sandbox's `uuid: null` in `StartVerificationResponse`: what goes
 * on the wire and what decodes (stub), validation, safety classes (TestClock),
 * secrets, then the same programs against the emulator over real HTTP.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Schema, TestClock, Tracer } from "effect"
import { inspect } from "node:util"
import { AuthyService, Phones, Responses, RetryPolicy, Tokens, Users } from "effect-authy"
import { Emulator } from "effect-authy/emulator"
import { apiKey, json, makeStub, type Reply, type SentRequest } from "./util/stub.js"

/** Runs one program against a stub answering `reply`, returning the result and the one request sent. */
const exchange = <A, E>(program: Effect.Effect<A, E, AuthyService>, reply: Reply) => {
  const stub = makeStub(() => reply)
  return Effect.map(Effect.provide(program, stub.layer()), (result) => {
    expect(stub.sent).toHaveLength(1)
    return { result, request: stub.sent[0] as SentRequest }
  })
}

/** The `ValidationError` of a program expected to be refused before anything is sent. */
const refused = <A, E>(program: Effect.Effect<A, E, AuthyService>) => {
  const stub = makeStub(() => json(200, { message: "should not be sent", success: true }))
  return Effect.map(Effect.flip(Effect.provide(program, stub.layer())), (error) => {
    expect(stub.sent).toHaveLength(0)
    expect(error).toMatchObject({ _tag: "ValidationError" })
    return error as E & { readonly field: string; readonly message: string }
  })
}

const updated = json(200, { message: "User was updated successfully", success: true })
const emailSent = json(200, {
  success: true,
  message: "Email token was sent",
  email: "recipient@foo.com",
  email_id: "EMa364aa751cc280d8c22772307e2c5760"
})
const pending = json(200, { status: "pending", authy_id: null, message: "Registration pending.", success: true })
const unavailable = json(503, { message: "Service unavailable", success: false, errors: {}, error_code: "60000" })

describe("Users.update (stub)", () => {
  it.effect("posts the e-mail as JSON to users/{id}/update and decodes the message", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(Users.update(1635, { email: "ana.new@example.com" }), updated)
      expect(request.method).toBe("POST")
      expect(request.url.pathname).toBe("/protected/json/users/1635/update")
      expect(request.url.search).toBe("")
      expect(request.body).toEqual({ email: "ana.new@example.com" })
      expect(request.headers["x-authy-api-key"]).toBe(apiKey)
      expect(result).toEqual({ message: "User was updated successfully" })
    }))

  it.effect("takes the id as a digit string too", () =>
    Effect.gen(function*() {
      const { request } = yield* exchange(Users.update("0051", { email: "a@b.co" }), updated)
      expect(request.url.pathname).toBe("/protected/json/users/0051/update")
    }))

  it.effect("refuses a bad id, a missing or invalid e-mail, a non-object input: nothing sent", () =>
    Effect.gen(function*() {
      expect((yield* refused(Users.update(-1, { email: "a@b.co" }))).field).toBe("authyId")
      expect((yield* refused(Users.update("12a", { email: "a@b.co" }))).field).toBe("authyId")
      expect((yield* refused(Users.update(1, { email: "not-an-address" }))).field).toBe("email")
      expect((yield* refused(Users.update(1, {} as Users.UpdateUserInput))).field).toBe("email")
      expect((yield* refused(Users.update(1, null as unknown as Users.UpdateUserInput))).field).toBe("input")
      const error = yield* refused(Users.update(1, { email: "secret person@example.com" }))
      expect(error.message).not.toContain("secret person")
    }))

  it.effect("surfaces Authy's 400 60027 with its field error", () =>
    Effect.gen(function*() {
      const stub = makeStub(() =>
        json(400, { message: "User was not valid", success: false, errors: { email: "is invalid", message: "User was not valid" }, email: "is invalid", error_code: "60027" })
      )
      const error = yield* Effect.flip(Effect.provide(Users.update(7, { email: "a@b.co" }), stub.layer()))
      expect(error).toMatchObject({ _tag: "ApiError", status: 400, errorCode: "60027", errors: { email: "is invalid" } })
    }))
})

describe("Users.requestEmail (stub)", () => {
  it.effect("posts to email/{id} with nothing but the id and decodes the Ruby client's recorded body", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(Users.requestEmail(1635), emailSent)
      expect(request.method).toBe("POST")
      expect(request.url.pathname).toBe("/protected/json/email/1635")
      expect(request.url.search).toBe("")
      expect(request.body).toEqual({})
      expect(result).toEqual({
        message: "Email token was sent",
        email: "recipient@foo.com",
        emailId: "EMa364aa751cc280d8c22772307e2c5760"
      })
    }))

  it.effect("decodes leniently: a bare success, and unknown fields, are a sent e-mail", () =>
    Effect.gen(function*() {
      expect((yield* exchange(Users.requestEmail(1), json(200, { success: true }))).result).toEqual({})
      const extra = yield* exchange(Users.requestEmail(1), json(200, { success: "true", message: "ok", channel: "email", ttl: 600 }))
      expect(extra.result).toEqual({ message: "ok" })
    }))

  it.effect("refuses a bad id before sending", () =>
    Effect.gen(function*() {
      expect((yield* refused(Users.requestEmail(1.5))).field).toBe("authyId")
      expect((yield* refused(Users.requestEmail(-0))).field).toBe("authyId")
    }))

  it.effect("surfaces 404 60026 for an unknown user", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => json(404, { message: "User not found.", success: false, errors: {}, error_code: "60026" }))
      const error = yield* Effect.flip(Effect.provide(Users.requestEmail(999), stub.layer()))
      expect(error).toMatchObject({ _tag: "ApiError", status: 404, errorCode: "60026" })
    }))
})

describe("Users.registrationStatus (stub)", () => {
  it.effect("gets registrations/status with custom_user_id percent-encoded in the query", () =>
    Effect.gen(function*() {
      const id = "ana@example.com/1 &x=y+z"
      const { request, result } = yield* exchange(Users.registrationStatus(id), pending)
      expect(request.method).toBe("GET")
      expect(request.url.pathname).toBe("/protected/json/registrations/status")
      expect([...request.url.searchParams]).toEqual([["custom_user_id", id]])
      expect(request.url.search).not.toContain("&x=")
      expect(result).toEqual({ status: "pending", authyId: null, message: "Registration pending." })
    }))

  it.effect("decodes leniently: authy_id as a number or a digit string, absent; any status string; no message", () =>
    Effect.gen(function*() {
      const completed = yield* exchange(Users.registrationStatus("u"), json(200, { status: "completed", authy_id: 51, success: true }))
      expect(completed.result).toEqual({ status: "completed", authyId: 51 })
      const asString = yield* exchange(Users.registrationStatus("u"), json(200, { status: "completed", authy_id: "51", message: "m", success: true }))
      expect(asString.result.authyId).toBe(51)
      const other = yield* exchange(Users.registrationStatus("u"), json(200, { status: "expired", extra: { a: 1 }, success: true }))
      expect(other.result).toEqual({ status: "expired" })
    }))

  it.effect("an answer without a status is Undecodable", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => json(200, { message: "Registration pending.", success: true }))
      const error = yield* Effect.flip(Effect.provide(Users.registrationStatus("u"), stub.layer()))
      expect(error).toMatchObject({ _tag: "ApiError", reason: "Undecodable", status: 200 })
    }))

  it.effect("refuses an empty, blank, too long or non-string id: nothing sent", () =>
    Effect.gen(function*() {
      for (const id of ["", "   ", "x".repeat(256), 42 as unknown as string, undefined as unknown as string]) {
        expect((yield* refused(Users.registrationStatus(id))).field).toBe("customUserId")
      }
      const { request } = yield* exchange(Users.registrationStatus("x".repeat(255)), pending)
      expect(request.url.searchParams.get("custom_user_id")).toHaveLength(255)
    }))
})

/** Forks `program` against `stub` with retries on, moves the clock by `advance`, and returns the exit. */
const withRetries = <A, E>(
  program: Effect.Effect<A, E, AuthyService>,
  stub: ReturnType<typeof makeStub>,
  advance: ReadonlyArray<Duration.DurationInput>
) =>
  Effect.gen(function*() {
    const retry = RetryPolicy.make({ jitter: false, baseDelay: "100 millis" })
    const fiber = yield* Effect.fork(Effect.either(Effect.provide(program, stub.layer({ retry }))))
    for (const step of advance) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

/** A stub answering from a script, one reply per request, the last one repeating. */
const scripted = (...replies: ReadonlyArray<Reply>) => {
  let n = 0
  return makeStub(() => replies[Math.min(n++, replies.length - 1)] as Reply)
}

describe("safety classes (TestClock)", () => {
  it.effect("update is idempotent: a 503 and a reset connection are retried", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable, { fail: "ECONNRESET" }, updated)
      const result = yield* withRetries(Users.update(1, { email: "a@b.co" }), stub, ["100 millis", "200 millis"])
      expect(result).toMatchObject({ _tag: "Right", right: { message: "User was updated successfully" } })
      expect(stub.sent).toHaveLength(3)
      expect(stub.sent.map((r) => r.body)).toEqual([{ email: "a@b.co" }, { email: "a@b.co" }, { email: "a@b.co" }])
    }))

  it.effect("registrationStatus is read-only: a 503 is retried", () =>
    Effect.gen(function*() {
      const stub = scripted(unavailable, pending)
      const result = yield* withRetries(Users.registrationStatus("user-51"), stub, ["100 millis"])
      expect(result).toMatchObject({ _tag: "Right", right: { status: "pending" } })
      expect(stub.sent).toHaveLength(2)
    }))

  it.effect("requestEmail is side-effecting: a 503 or a reset connection is final", () =>
    Effect.gen(function*() {
      for (const reply of [unavailable, { fail: "ECONNRESET" } as const]) {
        const stub = scripted(reply, emailSent)
        const result = yield* withRetries(Users.requestEmail(1), stub, ["100 millis", "200 millis"])
        expect(result._tag).toBe("Left")
        expect(stub.sent).toHaveLength(1)
      }
    }))

  it.effect("requestEmail is retried when Authy provably never got it (connection refused, 429)", () =>
    Effect.gen(function*() {
      const refusedThenSent = scripted({ fail: "ECONNREFUSED" }, emailSent)
      expect((yield* withRetries(Users.requestEmail(1), refusedThenSent, ["100 millis"]))._tag).toBe("Right")
      expect(refusedThenSent.sent).toHaveLength(2)
      const limitedThenSent = scripted(json(429, { message: "Too many requests", success: false, errors: {}, error_code: "60003" }), emailSent)
      expect((yield* withRetries(Users.requestEmail(1), limitedThenSent, ["100 millis"]))._tag).toBe("Right")
      expect(limitedThenSent.sent).toHaveLength(2)
    }))
})

/** A tracer that keeps every span it makes. */
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

const spanText = (spans: ReadonlyArray<Tracer.Span>) =>
  spans.flatMap((span) => [span.name, inspect([...span.attributes], { depth: 10 })]).join("\n")

describe("secrets (stub)", () => {
  it.effect("an e-mail quoted back by Authy is scrubbed from errors, and no span carries it or the custom id", () =>
    Effect.gen(function*() {
      const email = "ana.secret@example.com"
      const customUserId = "bob.private@example.com"
      const spans: Array<Tracer.Span> = []
      const tracer = yield* recordingTracer(spans)
      const stub = makeStub((request) =>
        request.url.pathname.endsWith("/update") || request.url.pathname.endsWith("/users/new")
          ? json(400, {
            message: `Email ${email} is invalid`,
            success: false,
            errors: { email: `${email} is invalid`, message: `Email ${email} is invalid` },
            error_code: "60027"
          })
          : json(404, { message: "User not found.", success: false, errors: {}, error_code: "60026" })
      )
      const errors: Array<unknown> = []
      for (
        const program of [
          Users.update(42, { email }),
          Users.create({ email, cellphone: "+57 305 342 5699" }),
          Users.registrationStatus(customUserId),
          Users.requestEmail(42)
        ] as ReadonlyArray<Effect.Effect<unknown, unknown, AuthyService>>
      ) {
        errors.push(yield* Effect.flip(program.pipe(Effect.provide(stub.layer()), Effect.withTracer(tracer))))
      }
      expect(errors[0]).toMatchObject({ status: 400, errorCode: "60027", errors: { email: "[redacted] is invalid" } })
      const text = [...errors.flatMap(renderings), spanText(spans)].join("\n")
      expect(text).not.toContain(email)
      expect(text).not.toContain(customUserId)
      expect(text).not.toContain(apiKey)
      const names = spans.map((s) => s.name)
      expect(names).toEqual(expect.arrayContaining(["Authy.users.update", "Authy.users.registrationStatus", "Authy.users.requestEmail"]))
      const routes = spans.map((s) => s.attributes.get("http.route"))
      expect(routes).toEqual(expect.arrayContaining([
        "/protected/json/users/{authy_id}/update",
        "/protected/json/registrations/status",
        "/protected/json/email/{authy_id}"
      ]))
    }))
})

describe("StartVerificationResponse.uuid", () => {
  it("decodes null (Authy's sandbox) and absence as no uuid, a string as itself", () => {
    const decode = Schema.decodeUnknownSync(Responses.StartVerificationResponse)
    const base = { message: "Text message sent to +1 775-461-5609.", carrier: "Google Voice", is_cellphone: false, seconds_to_expire: 0 }
    const fromNull = decode({ ...base, uuid: null })
    expect(fromNull.uuid).toBeUndefined()
    expect("uuid" in fromNull).toBe(false)
    expect(decode(base).uuid).toBeUndefined()
    expect(decode({ ...base, uuid: "a-uuid" }).uuid).toBe("a-uuid")
    expect(() => decode({ ...base, uuid: 7 })).toThrow()
  })

  it.effect("Phones.startVerification succeeds on the sandbox's answer", () =>
    Effect.gen(function*() {
      const { result } = yield* exchange(
        Phones.startVerification({ phoneNumber: "775-461-5609", countryCode: 1, via: "sms" }),
        json(200, { carrier: "Google Voice", is_cellphone: false, message: "Text message sent to +1 775-461-5609.", seconds_to_expire: 0, uuid: null, success: true })
      )
      expect(result).toMatchObject({ carrier: "Google Voice", isCellphone: false, secondsToExpire: 0 })
      expect(result.uuid).toBeUndefined()
    }))
})

// Against the emulator, over real HTTP on loopback.

const key = "users-extra-key"
const AuthyTest = Emulator.layerAuthy({ apiKeys: [key] }).pipe(Layer.provide(NodeHttpClient.layerUndici))
const control = Effect.map(Emulator, (e) => e.control)

/** A fresh emulator state, then a new user. */
const freshUser = (email = "ada@example.com") =>
  Effect.gen(function*() {
    yield* (yield* control).reset
    const { user } = yield* Users.create({ email, cellphone: "+57 305 342 5699" })
    return user.id
  })

describe("against the emulator", () => {
  it.layer(AuthyTest)((it) => {
    it.effect("update changes the e-mail: the next e-mail token goes to the new address", () =>
      Effect.gen(function*() {
        const id = yield* freshUser()
        const result = yield* Users.update(id, { email: "grace@example.com" })
        expect(result).toEqual({ message: "User was updated successfully" })
        const state = yield* (yield* control).exportState(key)
        expect(state.authy?.applications[0]?.users?.[0]?.email).toBe("grace@example.com")
        const sent = yield* Users.requestEmail(String(id))
        expect(sent.email).toBe("grace@example.com")
        const messages = yield* (yield* control).messages({ authyId: id })
        expect(messages.at(-1)).toMatchObject({ channel: "email", via: "email", to: "grace@example.com" })
      }))

    it.effect("update and requestEmail answer 404 60026 for an unknown user", () =>
      Effect.gen(function*() {
        yield* (yield* control).reset
        const programs: ReadonlyArray<Effect.Effect<unknown, unknown, AuthyService>> = [
          Users.update(999, { email: "a@b.co" }),
          Users.requestEmail(999)
        ]
        for (const program of programs) {
          const error = yield* Effect.flip(program)
          expect(error).toMatchObject({ _tag: "ApiError", status: 404, errorCode: "60026" })
        }
      }))

    it.effect("requestEmail sends a code the control API lists with channel email, which Tokens.verify accepts once", () =>
      Effect.gen(function*() {
        const id = yield* freshUser()
        const spans: Array<Tracer.Span> = []
        const tracer = yield* recordingTracer(spans)
        const sent = yield* Users.requestEmail(id).pipe(Effect.withTracer(tracer))
        expect(sent).toMatchObject({ message: "Email token was sent", email: "ada@example.com" })
        expect(sent.emailId).toMatch(/^EM[0-9a-f]{32}$/)
        const c = yield* control
        const messages = (yield* c.messages({ authyId: id })).filter((m) => m.channel === "email")
        expect(messages).toHaveLength(1)
        expect(messages[0]).toMatchObject({ channel: "email", via: "email", to: "ada@example.com" })
        const code = yield* c.lastCode(id)
        expect(code).toBe(messages[0]?.code)
        expect((yield* c.counters()).emails).toBe(1)
        const verified = yield* Tokens.verify(id, code).pipe(Effect.withTracer(tracer))
        expect(verified).toMatchObject({ message: "Token is valid.", token: "is valid" })
        const reused = yield* Effect.flip(Tokens.verify(id, code).pipe(Effect.withTracer(tracer)))
        expect(reused).toMatchObject({ _tag: "ApiError", status: 401, errorCode: "60019" })
        const text = [...renderings(reused), spanText(spans)].join("\n")
        expect(text).not.toContain(code)
        expect(text).not.toContain("ada@example.com")
        expect(spans.map((s) => s.name)).toContain("Authy.users.requestEmail")
      }))

    it.effect("registrationStatus: pending, completed once the user has the app, 404 60026 for an unknown id", () =>
      Effect.gen(function*() {
        const c = yield* control
        yield* c.reset
        const customUserId = "sdk user/51 & co@example.com"
        yield* c.importState({
          version: 1,
          authy: {
            applications: [{
              api_key: key,
              users: [{ id: 51, email: "sdk@example.com", country_code: 1, cellphone: "4155550123", custom_user_id: customUserId }]
            }]
          }
        })
        expect(yield* Users.registrationStatus(customUserId)).toEqual({
          status: "pending",
          authyId: null,
          message: "Registration pending."
        })
        yield* c.registerDevice(51)
        expect(yield* Users.registrationStatus(customUserId)).toMatchObject({ status: "completed", authyId: 51 })
        const unknown = yield* Effect.flip(Users.registrationStatus("nobody"))
        expect(unknown).toMatchObject({ _tag: "ApiError", status: 404, errorCode: "60026" })
      }))

    it.effect("the three are service methods too", () =>
      Effect.gen(function*() {
        const id = yield* freshUser()
        const authy = yield* AuthyService
        expect(yield* authy.users.update(id, { email: "svc@example.com" })).toEqual({ message: "User was updated successfully" })
        expect((yield* authy.users.requestEmail(id)).email).toBe("svc@example.com")
        expect((yield* Effect.flip(authy.users.registrationStatus("nobody")))).toMatchObject({ errorCode: "60026" })
      }))
  })

  it.layer(Emulator.layerAuthy({ apiKeys: [key], profile: "sandbox" }).pipe(Layer.provide(NodeHttpClient.layerUndici)))((it) => {
    it.effect("the sandbox profile's uuid: null decodes through Phones.startVerification", () =>
      Effect.gen(function*() {
        const started = yield* Phones.startVerification({ phoneNumber: "775-461-5609", countryCode: 1, via: "sms" })
        expect(started).toMatchObject({ carrier: "Google Voice", isCellphone: false, secondsToExpire: 0 })
        expect(started.uuid).toBeUndefined()
      }))
  })
})
