/**
 * Bad input is refused with a ValidationError naming the field, and nothing is
 * sent. Property tests: valid input always yields a well-formed request, and
 * no string used as an id or a token can steer the request to another path.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { App, type AuthyService, OneTouch, Phones, Tokens, Users } from "../src/index.js"
import { json, makeStub } from "./util/stub.js"

const anySuccess = json(200, { success: true })

/** Runs a program that must be refused; returns the field named, checking nothing was sent. */
const refusedField = <A, E>(program: Effect.Effect<A, E, AuthyService>) => {
  const stub = makeStub(() => anySuccess)
  return Effect.provide(program, stub.layer()).pipe(
    Effect.flip,
    Effect.map((error) => {
      expect(stub.sent).toHaveLength(0)
      expect(error).toMatchObject({ _tag: "ValidationError" })
      return (error as { field: string }).field
    })
  )
}

// Typed inputs are bypassed on purpose: JavaScript callers and untrusted data can pass anything.
const loose = <A>(value: unknown) => value as A


const cases: ReadonlyArray<readonly [string, string, Effect.Effect<unknown, unknown, AuthyService>]> = [
  ["authy id with letters", "authyId", Users.status("12a")],
  ["authy id with a path", "authyId", Users.status("1/../../app/details")],
  ["negative authy id", "authyId", Users.requestSms(-1)],
  ["fractional authy id", "authyId", Users.requestCall(1.5)],
  ["empty authy id", "authyId", Users.remove("")],
  ["token too short", "token", Tokens.verify(1, "12345")],
  ["token too long", "token", Tokens.verify(1, "12345678901")],
  ["token with letters", "token", Tokens.verify(1, "12345a7")],
  ["token with a path", "token", Tokens.verify(1, "123456/../1")],
  ["verify force not boolean", "force", Tokens.verify(1, "1234567", loose({ force: "yes" }))],
  ["e-mail without @", "email", Users.create({ email: "nope", cellphone: "405-342-5699", countryCode: 57 })],
  ["cellphone with letters", "cellphone", Users.create({ email: "a@b.co", cellphone: "405-CALL-ME", countryCode: 57 })],
  ["cellphone too short", "cellphone", Users.create({ email: "a@b.co", cellphone: "12", countryCode: 57 })],
  ["country code too long", "countryCode", Users.create({ email: "a@b.co", cellphone: "405-342-5699", countryCode: 12345 })],
  ["country code zero", "countryCode", Users.create({ email: "a@b.co", cellphone: "405-342-5699", countryCode: 0 })],
  ["E.164 not a number", "cellphone", Users.create({ email: "a@b.co", cellphone: "+999 1" })],
  ["E.164 disagreeing country code", "countryCode", Users.create({ email: "a@b.co", cellphone: "+57 405 342 5699", countryCode: 44 })],
  ["sendInstallLinkViaSms not boolean", "sendInstallLinkViaSms", Users.create(loose({ email: "a@b.co", cellphone: "+57 405 342 5699", sendInstallLinkViaSms: "no" }))],
  ["user ip not an address", "userIp", Users.status(1, { userIp: "999.1.1.1" })],
  ["user ip garbage", "userIp", App.details({ userIp: "localhost" })],
  ["action empty", "action", Users.requestSms(1, { action: "" })],
  ["action too long", "action", Users.requestSms(1, { action: "a".repeat(256) })],
  ["actionMessage too long", "actionMessage", Users.requestCall(1, { actionMessage: "a".repeat(256) })],
  ["activity type unknown", "type", Users.registerActivity(1, loose({ type: "hacked" }))],
  ["activity data nested", "data", Users.registerActivity(1, loose({ type: "banned", data: { a: { b: "c" } } }))],
  ["qr size not an integer", "qrSize", Users.generateQrCode(1, { qrSize: 1.5 })],
  ["approval uuid malformed", "uuid", OneTouch.getApprovalStatus("../../protected/json/app/details")],
  ["await uuid malformed", "uuid", OneTouch.awaitApproval("nope")],
  ["message empty", "message", OneTouch.sendRequest(1, { message: "" })],
  ["message blank", "message", OneTouch.sendRequest(1, { message: "   " })],
  ["message too long", "message", OneTouch.sendRequest(1, { message: "m".repeat(145) })],
  ["details not flat", "details", OneTouch.sendRequest(1, loose({ message: "m", details: { a: 1 } }))],
  ["hidden details not flat", "hiddenDetails", OneTouch.sendRequest(1, loose({ message: "m", hiddenDetails: ["x"] }))],
  ["logo resolution", "logos[0].res", OneTouch.sendRequest(1, loose({ message: "m", logos: [{ res: "huge", url: "https://a.test/l.png" }] }))],
  ["logo url scheme", "logos[1].url", OneTouch.sendRequest(1, { message: "m", logos: [{ res: "low", url: "https://a.test/l.png" }, { res: "high", url: "javascript:alert(1)" }] })],
  ["logos not an array", "logos", OneTouch.sendRequest(1, loose({ message: "m", logos: { res: "low" } }))],
  ["secondsToExpire negative", "secondsToExpire", OneTouch.sendRequest(1, { message: "m", secondsToExpire: -1 })],
  ["secondsToExpire fractional", "secondsToExpire", OneTouch.sendRequest(1, { message: "m", secondsToExpire: 1.5 })],
  ["via unknown", "via", Phones.startVerification(loose({ phoneNumber: "775-461-5609", countryCode: 1, via: "email" }))],
  ["codeLength too short", "codeLength", Phones.startVerification({ phoneNumber: "775-461-5609", countryCode: 1, via: "sms", codeLength: 3 })],
  ["codeLength too long", "codeLength", Phones.startVerification({ phoneNumber: "775-461-5609", countryCode: 1, via: "sms", codeLength: 11 })],
  ["phone country code missing", "countryCode", Phones.startVerification({ phoneNumber: "775-461-5609", via: "sms" })],
  ["phone number letters", "phoneNumber", Phones.info({ phoneNumber: "call me", countryCode: 1 })],
  ["verification code too short", "verificationCode", Phones.checkVerification({ phoneNumber: "775-461-5609", countryCode: 1, verificationCode: "123" })],
  ["verification code too long", "verificationCode", Phones.checkVerification({ phoneNumber: "775-461-5609", countryCode: 1, verificationCode: "12345678901" })],
  ["verification code letters", "verificationCode", Phones.checkVerification({ phoneNumber: "775-461-5609", countryCode: 1, verificationCode: "12ab" })],
  ["options not an object", "options", Users.status(1, loose(null))]
]

// Inputs that throw when read: a getter, a Proxy trap, a revoked Proxy. The
// thrown error must become a refusal naming the field, never a defect.
const throwing = () => {
  throw new Error("boom")
}
const getterThrows = (key: string) => Object.defineProperty({}, key, { get: throwing, enumerable: true })
const trapsThrow = (target: object = {}) => new Proxy(target, { get: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing, has: throwing })
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

const unreadable: ReadonlyArray<readonly [string, string, Effect.Effect<unknown, unknown, AuthyService>]> = [
  ["details with a throwing getter", "details", OneTouch.sendRequest(1, loose({ message: "m", details: getterThrows("a") }))],
  ["details a Proxy whose traps throw", "details", OneTouch.sendRequest(1, loose({ message: "m", details: trapsThrow() }))],
  ["details a revoked Proxy", "details", OneTouch.sendRequest(1, loose({ message: "m", details: revoked() }))],
  ["hidden details with a throwing getter", "hiddenDetails", OneTouch.sendRequest(1, loose({ message: "m", hiddenDetails: getterThrows("b") }))],
  ["activity data with a throwing getter", "data", Users.registerActivity(1, loose({ type: "banned", data: getterThrows("k") }))],
  ["activity data a Proxy whose traps throw", "data", Users.registerActivity(1, loose({ type: "banned", data: trapsThrow() }))],
  ["approval input with a throwing message getter", "message", OneTouch.sendRequest(1, loose(getterThrows("message")))],
  ["approval input a revoked Proxy", "input", OneTouch.sendRequest(1, loose(revoked()))],
  ["logo with a throwing getter", "logos[0].url", OneTouch.sendRequest(1, loose({ message: "m", logos: [Object.defineProperty({ res: "low" }, "url", { get: throwing, enumerable: true })] }))],
  ["logos a Proxy whose traps throw", "logos", OneTouch.sendRequest(1, loose({ message: "m", logos: trapsThrow([]) }))],
  ["status options a Proxy whose traps throw", "userIp", Users.status(1, loose(trapsThrow()))],
  ["create input with a throwing cellphone getter", "cellphone", Users.create(loose({ email: "a@b.co", countryCode: 1, ...{}, get cellphone() { return throwing() } }))],
  ["phone input a revoked Proxy", "input", Phones.info(loose(revoked()))],
  ["verify options a Proxy whose traps throw", "force", Tokens.verify(1, "1234567", loose(trapsThrow()))],
  ["await options a Proxy whose traps throw", "schedule", OneTouch.awaitApproval("8d031630-d15b-0134-b0a8-0a77bbe8093e", loose(trapsThrow()))],
  ["await schedule a Proxy whose traps throw", "schedule", OneTouch.awaitApproval("8d031630-d15b-0134-b0a8-0a77bbe8093e", loose({ schedule: trapsThrow() }))],
  ["app options with a throwing getter", "userIp", App.details(loose(getterThrows("userIp")))]
]

const manyKeys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, "v"]))

const gaps: ReadonlyArray<readonly [string, string, Effect.Effect<unknown, unknown, AuthyService>]> = [
  ["cellphone with a newline", "cellphone", Users.create({ email: "a@b.co", cellphone: "405\n342 5699", countryCode: 57 })],
  ["cellphone with a tab", "cellphone", Users.create({ email: "a@b.co", cellphone: "405\t342 5699", countryCode: 57 })],
  ["cellphone with a no-break space", "cellphone", Users.create({ email: "a@b.co", cellphone: "405\u00a0342 5699", countryCode: 57 })],
  ["cellphone with a trailing newline", "cellphone", Users.create({ email: "a@b.co", cellphone: "405 342 5699\n", countryCode: 57 })],
  ["E.164 cellphone with a newline", "cellphone", Users.create({ email: "a@b.co", cellphone: "+57 405\n342 5699" })],
  ["E.164 phone number with a leading tab", "phoneNumber", Phones.info({ phoneNumber: "\t+1 775 461 5609" })],
  ["E.164 phone number with a no-break space", "phoneNumber", Phones.startVerification({ phoneNumber: "+1\u00a0775 461 5609", via: "sms" })],
  ["phone number with a line separator", "phoneNumber", Phones.checkVerification({ phoneNumber: "775\u2028461 5609", countryCode: 1, verificationCode: "1234" })],
  ["authy id -0", "authyId", Users.status(-0)],
  ["authy id -0 on verify", "authyId", Tokens.verify(-0, "1234567")],
  ["details key of 21 characters", "details", OneTouch.sendRequest(1, { message: "m", details: { ["k".repeat(21)]: "v" } })],
  ["details key of 100 characters", "details", OneTouch.sendRequest(1, { message: "m", details: { ["k".repeat(100)]: "v" } })],
  ["details with 10,000 keys", "details", OneTouch.sendRequest(1, { message: "m", details: manyKeys(10_000) })],
  ["details with one key too many", "details", OneTouch.sendRequest(1, { message: "m", details: manyKeys(51) })],
  ["details value of 1 MB", "details", OneTouch.sendRequest(1, { message: "m", details: { a: "x".repeat(1_000_000) } })],
  ["details value one character too long", "details", OneTouch.sendRequest(1, { message: "m", details: { a: "x".repeat(501) } })],
  ["hidden details key of 21 characters", "hiddenDetails", OneTouch.sendRequest(1, { message: "m", hiddenDetails: { ["k".repeat(21)]: "v" } })],
  ["hidden details with 10,000 keys", "hiddenDetails", OneTouch.sendRequest(1, { message: "m", hiddenDetails: manyKeys(10_000) })],
  ["hidden details value of 1 MB", "hiddenDetails", OneTouch.sendRequest(1, { message: "m", hiddenDetails: { a: "x".repeat(1_000_000) } })]
]

describe("validation", () => {
  for (const [name, field, program] of cases) {
    it.effect(`${name} → ValidationError(${field}), nothing sent`, () =>
      Effect.map(refusedField(program), (named) => expect(named).toBe(field)))
  }

  for (const [name, field, program] of [...unreadable, ...gaps]) {
    it.effect(`${name} → ValidationError(${field}), nothing sent`, () =>
      Effect.map(refusedField(program), (named) => expect(named).toBe(field)))
  }

  it.effect("details at the limits are sent: 50 keys of 20 characters, values of 500", () =>
    Effect.gen(function*() {
      const details = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${i}`.padStart(20, "k"), "v".repeat(500)]))
      const stub = makeStub(() => json(200, { approval_request: { uuid: "8d031630-d15b-0134-b0a8-0a77bbe8093e" }, success: true }))
      yield* Effect.provide(OneTouch.sendRequest(1, { message: "m", details, hiddenDetails: details }), stub.layer())
      expect(stub.sent[0]?.body).toEqual({ message: "m", details, hidden_details: details })
    }))

  it.effect("a getter is read once: what was checked is what is sent", () =>
    Effect.gen(function*() {
      let reads = 0
      const details = Object.defineProperty({}, "Amount", { enumerable: true, get: () => (reads++ === 0 ? "10 USD" : "x".repeat(1_000_000)) })
      const stub = makeStub(() => json(200, { approval_request: { uuid: "8d031630-d15b-0134-b0a8-0a77bbe8093e" }, success: true }))
      yield* Effect.provide(OneTouch.sendRequest(1, { message: "m", details }), stub.layer())
      expect(stub.sent[0]?.body).toEqual({ message: "m", details: { Amount: "10 USD" } })
      expect(reads).toBe(1)
    }))

  it.effect("a refusal of unreadable input does not quote what was thrown", () =>
    Effect.gen(function*() {
      const details = Object.defineProperty({}, "a", { enumerable: true, get: () => { throw new Error("secret-in-thrown-error") } })
      const stub = makeStub(() => anySuccess)
      const error = yield* Effect.flip(Effect.provide(OneTouch.sendRequest(1, loose({ message: "m", details })), stub.layer()))
      expect(JSON.stringify(error)).not.toContain("secret-in-thrown-error")
      expect(String(error)).not.toContain("secret-in-thrown-error")
    }))

  it.effect("a ValidationError never quotes the refused token", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => anySuccess)
      const error = yield* Effect.flip(Effect.provide(Tokens.verify(1, "12345a7"), stub.layer()))
      expect(JSON.stringify(error)).not.toContain("12345a7")
      expect(String(error)).not.toContain("12345a7")
    }))
})

/** Sends `program` to a stub that records the request, returning the request (or undefined if refused). */
const sentBy = (program: Effect.Effect<unknown, unknown, AuthyService>) => {
  const stub = makeStub(() => anySuccess)
  return Effect.runPromise(Effect.provide(Effect.either(program), stub.layer())).then(() => stub.sent[0])
}

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((d) => d.join(""))

describe("properties", () => {
  it("valid ids and tokens always produce the verify request, and only it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 2 ** 40 }), digits(6, 10), async (id, token) => {
        const request = await sentBy(Tokens.verify(id, token))
        expect(request?.url.pathname).toBe(`/protected/json/verify/${token}/${id}`)
        expect(request?.url.search).toBe("?force=true")
      }),
      { numRuns: 100 }
    )
  })

  it("arbitrary strings as ids never reach a path other than the endpoint's own", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.webPath(), fc.webSegment()), async (id) => {
        for (const program of [Users.status(id), Users.requestSms(id), Tokens.verify(id, "1234567"), OneTouch.sendRequest(id, { message: "m" })]) {
          const request = await sentBy(program)
          if (request === undefined) continue
          expect(request.url.pathname).toMatch(
            /^\/(protected\/json\/(users\/\d+\/status|sms\/\d+|verify\/1234567\/\d+)|onetouch\/json\/users\/\d+\/approval_requests)$/
          )
        }
      }),
      { numRuns: 200 }
    )
  })

  it("arbitrary strings as tokens and uuids never reach another path", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.webPath(), fc.uuid()), async (value) => {
        const verify = await sentBy(Tokens.verify(1635, value))
        if (verify !== undefined) expect(verify.url.pathname).toMatch(/^\/protected\/json\/verify\/\d{6,10}\/1635$/)
        const status = await sentBy(OneTouch.getApprovalStatus(value))
        if (status !== undefined) expect(status.url.pathname).toMatch(/^\/onetouch\/json\/approval_requests\/[0-9a-f-]{36}$/i)
      }),
      { numRuns: 200 }
    )
  })

  it("valid users always produce a well-formed create request", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.emailAddress(),
        digits(7, 12),
        fc.integer({ min: 1, max: 9999 }),
        async (email, cellphone, countryCode) => {
          const request = await sentBy(Users.create({ email, cellphone, countryCode }))
          expect(request?.method).toBe("POST")
          expect(request?.url.pathname).toBe("/protected/json/users/new")
          expect(request?.body).toEqual({ user: { email, cellphone, country_code: countryCode } })
        }
      ),
      { numRuns: 100 }
    )
  })

  it("valid approval requests always produce a well-formed body", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 144 }).filter((s) => s.trim() !== ""),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string()),
        fc.nat(),
        async (message, details, secondsToExpire) => {
          const request = await sentBy(OneTouch.sendRequest(7, { message, details, secondsToExpire }))
          expect(request?.url.pathname).toBe("/onetouch/json/users/7/approval_requests")
          expect(request?.body).toEqual({ message, details, seconds_to_expire: secondsToExpire })
        }
      ),
      { numRuns: 100 }
    )
  })

  it("arbitrary phone numbers are refused or sent as digits to the phone endpoint's own path", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.stringMatching(/^\+?[0-9 ().-]{1,20}$/)), fc.option(fc.integer({ min: -5, max: 10_000 }), { nil: undefined }), async (phoneNumber, countryCode) => {
        const request = await sentBy(Phones.info({ phoneNumber, ...(countryCode === undefined ? {} : { countryCode }) }))
        if (request === undefined) return
        expect(request.url.pathname).toBe("/protected/json/phones/info")
        expect(request.url.searchParams.get("phone_number")).toMatch(/^\d[\d .-]*$/)
        expect(request.url.searchParams.get("country_code")).toMatch(/^[1-9]\d{0,3}$/)
      }),
      { numRuns: 300 }
    )
  })

  it("arbitrary logos and e-mails are refused or sent as given", async () => {
    const logo = fc.record({ res: fc.oneof(fc.constantFrom("default", "low", "med", "high"), fc.string()), url: fc.oneof(fc.webUrl(), fc.string()) })
    await fc.assert(
      fc.asyncProperty(fc.array(logo, { maxLength: 4 }), fc.oneof(fc.emailAddress(), fc.string()), async (logos, email) => {
        const approval = await sentBy(OneTouch.sendRequest(1, { message: "m", logos: logos as never }))
        if (approval !== undefined) {
          expect(approval.url.pathname).toBe("/onetouch/json/users/1/approval_requests")
          for (const sent of (approval.body as { logos: ReadonlyArray<{ res: string; url: string }> }).logos) {
            expect(["default", "low", "med", "high"]).toContain(sent.res)
            expect(sent.url).toMatch(/^https?:/)
          }
        }
        const user = await sentBy(Users.create({ email, cellphone: "405-342-5699", countryCode: 57 }))
        if (user !== undefined) expect((user.body as { user: { email: string } }).user.email).toBe(email)
      }),
      { numRuns: 200 }
    )
  })

  it("an apiUrl is used only when https or loopback http, and requests never leave it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.webUrl(), fc.string(), fc.constantFrom("http://127.0.0.1:4010", "http://localhost:1", "http://[::1]:2")), async (apiUrl) => {
        const stub = makeStub(() => anySuccess)
        await Effect.runPromise(Effect.provide(Effect.either(App.details()), stub.layer({ apiUrl })))
        const request = stub.sent[0]
        if (request === undefined) return
        const configured = new URL(apiUrl)
        expect(configured.protocol === "https:" || /^(localhost|127\.0\.0\.1|\[::1\])$/.test(configured.hostname)).toBe(true)
        expect(request.url.origin).toBe(configured.origin)
        expect(request.url.pathname.endsWith("/protected/json/app/details")).toBe(true)
      }),
      { numRuns: 200 }
    )
  })
})
