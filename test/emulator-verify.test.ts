/**
 * The emulator's Verify v2 and Lookup v2 routes over real HTTP: the
 * lifecycle rules of verify-api.md (driven by the emulator clock, never by
 * sleeping), Twilio's errors and auth, paging, scoping between accounts and
 * against Authy applications, and hostile input.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { Emulator, layer, Totp } from "effect-authy/emulator"
import * as Cli from "../src/emulator/cli.js"
import * as Signature from "../src/internal/verify/signature.js"

const A = { accountSid: `AC${"a".repeat(32)}`, authToken: "token-a", apiKeys: [{ sid: `SK${"b".repeat(32)}`, secret: "key-secret" }] }
const B = { accountSid: `AC${"c".repeat(32)}`, authToken: "token-b" }

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`
const asA = basic(A.accountSid, A.authToken)
const asB = basic(B.accountSid, B.authToken)

interface Answer {
  readonly status: number
  readonly json: any
  readonly text: string
}

const call = (
  method: string,
  path: string,
  options: { readonly auth?: string | null; readonly form?: Record<string, string | ReadonlyArray<string>>; readonly body?: string; readonly headers?: Record<string, string> } = {}
): Effect.Effect<Answer, never, Emulator> =>
  Effect.flatMap(Emulator, (emulator) =>
    Effect.promise(async () => {
      const headers: Record<string, string> = { ...options.headers }
      if (options.auth !== null) headers.authorization = options.auth ?? asA
      let body = options.body
      if (options.form !== undefined) {
        const search = new URLSearchParams()
        for (const [k, v] of Object.entries(options.form)) for (const one of typeof v === "string" ? [v] : v) search.append(k, one)
        body = search.toString()
        headers["content-type"] = "application/x-www-form-urlencoded"
      }
      const response = await fetch(`${emulator.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
      const text = await response.text()
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      return { status: response.status, json, text }
    }))

/** Every Twilio error: the four fields of verify-api.md §1. */
const twilioError = (answer: Answer, status: number, code: number) => {
  expect(answer.status).toBe(status)
  expect(answer.json).toEqual({
    code,
    message: expect.any(String),
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status
  })
}

const newService = (auth = asA, form: Record<string, string> = {}) =>
  Effect.map(call("POST", "/v2/Services", { auth, form: { FriendlyName: "Tests", ...form } }), (a) => {
    expect(a.status).toBe(201)
    return a.json.sid as string
  })

const start = (service: string, to: string, auth = asA) =>
  call("POST", `/v2/Services/${service}/Verifications`, { auth, form: { To: to, Channel: "sms" } })

const check = (service: string, form: Record<string, string>, auth = asA) =>
  call("POST", `/v2/Services/${service}/VerificationCheck`, { auth, form })

const lastCode = (to: string, auth = asA) =>
  Effect.map(call("GET", `/__emulator/messages?to=${encodeURIComponent(to)}`, { auth }), (a) => a.json.messages.at(-1).code as string)

const advance = (seconds: number, auth = asA) =>
  Effect.map(call("POST", "/__emulator/clock/advance", { auth, form: { seconds: String(seconds) } }), (a) => expect(a.status).toBe(200))

const emulatorNow = Effect.flatMap(Emulator, (e) => e.control.verify.now(A.accountSid))

describe("Verify emulator", () => {
  it.layer(layer({ apiKeys: ["authy-key"], accounts: [A, B] }))((it) => {
    describe("verification lifecycle", () => {
      it.effect("a resend inside the window sends the same code and answers the same verification", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          const first = yield* start(service, "+15550000001")
          const second = yield* start(service, "+15550000001")
          expect(first.status).toBe(201)
          expect(second.status).toBe(201)
          expect(second.json.sid).toBe(first.json.sid)
          expect(second.json.send_code_attempts).toHaveLength(2)
          const { json } = yield* call("GET", "/__emulator/messages?to=%2B15550000001")
          expect(json.messages).toHaveLength(2)
          expect(json.messages[0].code).toBe(json.messages[1].code)
          expect(json.messages[0].code).toMatch(/^\d{6}$/)
        }))

      it.effect("the 6th send in one lifecycle is 429 60203", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          for (let i = 0; i < 5; i++) expect((yield* start(service, "+15550000002")).status).toBe(201)
          twilioError(yield* start(service, "+15550000002"), 429, 60203)
        }))

      it.effect("5 wrong checks answer valid: false and leave max_attempts_reached; the 6th check is 429 60202", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          const to = "+15550000003"
          yield* start(service, to)
          const code = yield* lastCode(to)
          const wrong = code === "000000" ? "111111" : "000000"
          for (let i = 1; i <= 5; i++) {
            const answer = yield* check(service, { To: to, Code: wrong })
            expect(answer.status).toBe(200)
            expect(answer.json.valid).toBe(false)
            expect(answer.json.status).toBe(i < 5 ? "pending" : "max_attempts_reached")
          }
          twilioError(yield* check(service, { To: to, Code: code }), 429, 60202)
        }))

      it.effect("an approved verification is soft-deleted: fetch and check answer 404 20404", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          const to = "+15550000004"
          const started = yield* start(service, to)
          const approved = yield* check(service, { VerificationSid: started.json.sid, Code: yield* lastCode(to) })
          expect(approved.json).toMatchObject({ status: "approved", valid: true, sid: started.json.sid })
          twilioError(yield* call("GET", `/v2/Services/${service}/Verifications/${started.json.sid}`), 404, 20404)
          twilioError(yield* check(service, { To: to, Code: yield* lastCode(to) }), 404, 20404)
          // A new lifecycle: a new verification.
          expect((yield* start(service, to)).json.sid).not.toBe(started.json.sid)
        }))

      it.effect("a code expires after 10 minutes of the account's clock: 404 20404", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          const to = "+15550000005"
          const started = yield* start(service, to)
          yield* advance(9 * 60 + 59)
          expect((yield* call("GET", `/v2/Services/${service}/Verifications/${started.json.sid}`)).status).toBe(200)
          yield* advance(1)
          twilioError(yield* call("GET", `/v2/Services/${service}/Verifications/${started.json.sid}`), 404, 20404)
          twilioError(yield* check(service, { To: to, Code: yield* lastCode(to) }), 404, 20404)
        }))

      it.effect("canceled and approved by update: the resource answered, then 404 20404", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          for (const status of ["canceled", "approved"]) {
            const started = yield* start(service, `+1555000001${status.length}`)
            const path = `/v2/Services/${service}/Verifications/${started.json.sid}`
            const updated = yield* call("POST", path, { form: { Status: status } })
            expect(updated.status).toBe(200)
            expect(updated.json.status).toBe(status)
            twilioError(yield* call("GET", path), 404, 20404)
            twilioError(yield* call("POST", path, { form: { Status: "canceled" } }), 404, 20404)
          }
          twilioError(yield* call("POST", `/v2/Services/${service}/Verifications/VE${"0".repeat(32)}`, { form: { Status: "pending" } }), 400, 60200)
        }))

      it.effect("custom codes need CustomCodeEnabled; code length follows the service", () =>
        Effect.gen(function*() {
          const plain = yield* newService(asA, { CodeLength: "8" })
          twilioError(yield* call("POST", `/v2/Services/${plain}/Verifications`, { form: { To: "+15550000020", Channel: "sms", CustomCode: "4242" } }), 400, 60200)
          yield* start(plain, "+15550000021")
          expect(yield* lastCode("+15550000021")).toMatch(/^\d{8}$/)
          const custom = yield* newService(asA, { CustomCodeEnabled: "true" })
          yield* call("POST", `/v2/Services/${custom}/Verifications`, { form: { To: "+15550000022", Channel: "call", CustomCode: "4242" } })
          expect(yield* lastCode("+15550000022")).toBe("4242")
        }))
    })

    describe("errors", () => {
      it.effect("bad To, Channel, Code: 400 60200; unknown service or path: 404 20404", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          twilioError(yield* call("POST", `/v2/Services/${service}/Verifications`, { form: { To: "5550000001", Channel: "sms" } }), 400, 60200)
          twilioError(yield* call("POST", `/v2/Services/${service}/Verifications`, { form: { To: "+15550000001", Channel: "pigeon" } }), 400, 60200)
          twilioError(yield* check(service, { To: "+15550000001", Code: "12" }), 400, 60200)
          twilioError(yield* call("GET", `/v2/Services/VA${"9".repeat(32)}`), 404, 20404)
          twilioError(yield* call("GET", "/v2/Nothing/Here"), 404, 20404)
          twilioError(yield* call("POST", "/v2/Services", { form: { FriendlyName: "x".repeat(33) } }), 400, 60200)
        }))

      it.effect("a JSON body is refused: Twilio takes forms", () =>
        Effect.gen(function*() {
          const answer = yield* call("POST", "/v2/Services", {
            body: JSON.stringify({ FriendlyName: "json" }),
            headers: { "content-type": "application/json" }
          })
          twilioError(answer, 400, 60200)
        }))
    })

    describe("auth", () => {
      it.effect("no credentials, a wrong token, an Authy key, another account's token: 401 20003", () =>
        Effect.gen(function*() {
          twilioError(yield* call("GET", "/v2/Services", { auth: null }), 401, 20003)
          twilioError(yield* call("GET", "/v2/Services", { auth: basic(A.accountSid, "nope") }), 401, 20003)
          twilioError(yield* call("GET", "/v2/Services", { auth: basic(A.accountSid, B.authToken) }), 401, 20003)
          twilioError(yield* call("GET", "/v2/Services", { auth: null, headers: { "x-authy-api-key": "authy-key" } }), 401, 20003)
          twilioError(yield* call("GET", "/v2/Services", { auth: "Basic %%%not-base64" }), 401, 20003)
          twilioError(yield* call("GET", "/v2/PhoneNumbers/%2B14155552671", { auth: null }), 401, 20003)
          twilioError(yield* call("GET", "/__emulator/challenges", { auth: basic(A.accountSid, "nope") }), 401, 20003)
        }))

      it.effect("an API key (SK… and its secret) authenticates as its account", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          const viaKey = yield* call("GET", `/v2/Services/${service}`, { auth: basic(A.apiKeys[0]!.sid, A.apiKeys[0]!.secret) })
          expect(viaKey.status).toBe(200)
          expect(viaKey.json.account_sid).toBe(A.accountSid)
        }))
    })

    describe("paging", () => {
      it.effect("PageSize pages with meta; next_page_url is followed to the end; a bad PageSize is 400", () =>
        Effect.gen(function*() {
          const emulator = yield* Emulator
          const service = yield* newService()
          for (const identity of ["user-0001", "user-0002", "user-0003"]) {
            expect((yield* call("POST", `/v2/Services/${service}/Entities`, { form: { Identity: identity } })).status).toBe(201)
          }
          const first = yield* call("GET", `/v2/Services/${service}/Entities?PageSize=2`)
          expect(first.json.entities.map((e: { identity: string }) => e.identity)).toEqual(["user-0001", "user-0002"])
          expect(first.json.meta).toMatchObject({ page: 0, page_size: 2, key: "entities", previous_page_url: null })
          const next = first.json.meta.next_page_url as string
          expect(next.startsWith(emulator.url)).toBe(true)
          const second = yield* call("GET", next.slice(emulator.url.length))
          expect(second.json.entities.map((e: { identity: string }) => e.identity)).toEqual(["user-0003"])
          expect(second.json.meta.next_page_url).toBeNull()
          twilioError(yield* call("GET", `/v2/Services/${service}/Entities?PageSize=0`), 400, 60200)
          twilioError(yield* call("GET", `/v2/Services/${service}/Entities?PageToken=bogus`), 400, 60200)
        }))
    })

    describe("scoping", () => {
      it.effect("accounts do not see each other's services, messages, clocks or faults, nor do Authy applications", () =>
        Effect.gen(function*() {
          const service = yield* newService(asA)
          yield* start(service, "+15550000030")
          twilioError(yield* call("GET", `/v2/Services/${service}`, { auth: asB }), 404, 20404)
          expect((yield* call("GET", "/__emulator/messages?to=%2B15550000030", { auth: asB })).json.messages).toEqual([])
          const clockB = (yield* call("GET", "/__emulator/clock", { auth: asB })).json.offset_seconds
          yield* advance(60, asA)
          expect((yield* call("GET", "/__emulator/clock", { auth: asB })).json.offset_seconds).toBe(clockB)
          // A's fault fails A's next request only, with Twilio's body.
          const fault = yield* call("POST", "/__emulator/faults", { form: { path: "/v2/Services", status: "503" } })
          expect(fault.status).toBe(200)
          expect((yield* call("GET", "/v2/Services", { auth: asB })).status).toBe(200)
          expect((yield* call("GET", "/protected/json/app/details", { auth: null, headers: { "x-authy-api-key": "authy-key" } })).status).toBe(200)
          twilioError(yield* call("GET", "/v2/Services", { auth: asA }), 503, 20503)
          // Reset of B leaves A alone.
          expect((yield* call("POST", "/__emulator/reset", { auth: asB })).status).toBe(200)
          expect((yield* call("GET", `/v2/Services/${service}`)).status).toBe(200)
          // The Authy side keeps its own dialect on the shared routes.
          const authyMessages = yield* call("GET", "/__emulator/messages", { auth: null, headers: { "x-authy-api-key": "authy-key" } })
          expect(authyMessages.json).toEqual({ messages: [], success: true })
        }))
    })

    describe("TOTP", () => {
      it.effect("factor verification: a wrong code leaves it unverified (200); the 6th attempt is 429 60310", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          const base = `/v2/Services/${service}/Entities/totp-user-1/Factors`
          const factor = yield* call("POST", base, {
            form: { FriendlyName: "phone", FactorType: "totp", "Config.TimeStep": "20", "Config.CodeLength": "8", "Config.Alg": "sha256" }
          })
          expect(factor.status).toBe(201)
          expect(factor.json.config).toEqual({ alg: "sha256", skew: 1, code_length: 8, time_step: 20 })
          expect(factor.json.binding.uri).toContain("algorithm=SHA256&digits=8&period=20")
          for (let i = 0; i < 5; i++) {
            const wrong = yield* call("POST", `${base}/${factor.json.sid}`, { form: { AuthPayload: "00000000" } })
            expect(wrong.status).toBe(200)
            expect(wrong.json.status).toBe("unverified")
          }
          const now = yield* emulatorNow
          const code = Totp.totp(factor.json.binding.secret, now, 8, { stepSeconds: 20, alg: "sha256" })
          twilioError(yield* call("POST", `${base}/${factor.json.sid}`, { form: { AuthPayload: code } }), 429, 60310)
          // The binding is answered once: fetch has none.
          expect((yield* call("GET", `${base}/${factor.json.sid}`)).json.binding).toBeUndefined()
        }))

      it.effect("a code is checked at the factor's step and skew; challenges cap wrong codes at 5 (60308)", () =>
        Effect.gen(function*() {
          const emulator = yield* Emulator
          const service = yield* newService()
          const entity = `/v2/Services/${service}/Entities/totp-user-2`
          const factor = yield* call("POST", `${entity}/Factors`, { form: { FriendlyName: "phone", FactorType: "totp", "Config.Skew": "0" } })
          const sid = factor.json.sid as string
          const secret = factor.json.binding.secret as string
          // The handle computes the same code as RFC 6238 over the secret. Skew 0 below: start at
          // the beginning of a 30-second step, so that the checks stay within it on any machine.
          const before = yield* emulatorNow
          yield* emulator.control.verify.advanceClock(Duration.millis(30_000 - (before % 30_000) + 100), A.accountSid)
          const now = yield* emulatorNow
          expect(yield* emulator.control.verify.totp(sid, A.accountSid)).toBe(Totp.totp(secret, now, 6))
          // Skew 0: the next step's code is refused.
          const ahead = yield* call("POST", `${entity}/Factors/${sid}`, { form: { AuthPayload: Totp.totp(secret, now + 30_000, 6) } })
          expect(ahead.json.status).toBe("unverified")
          const ok = yield* call("POST", `${entity}/Factors/${sid}`, { form: { AuthPayload: Totp.totp(secret, now, 6) } })
          expect(ok.json.status).toBe("verified")
          const challenge = yield* call("POST", `${entity}/Challenges`, { form: { FactorSid: sid } })
          expect(challenge.status).toBe(201)
          expect(challenge.json.status).toBe("pending")
          for (let i = 0; i < 5; i++) {
            const wrong = yield* call("POST", `${entity}/Challenges/${challenge.json.sid}`, { form: { AuthPayload: "000000" } })
            expect(wrong.json.status).toBe("pending")
          }
          twilioError(yield* call("POST", `${entity}/Challenges/${challenge.json.sid}`, { form: { AuthPayload: "000000" } }), 429, 60308)
        }))

      it.effect("an unverified factor cannot be challenged", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          const entity = `/v2/Services/${service}/Entities/totp-user-3`
          const factor = yield* call("POST", `${entity}/Factors`, { form: { FriendlyName: "phone", FactorType: "totp" } })
          twilioError(yield* call("POST", `${entity}/Challenges`, { form: { FactorSid: factor.json.sid } }), 400, 60300)
        }))
    })

    describe("push", () => {
      const pushFactor = (entity: string) =>
        call("POST", `${entity}/Factors`, {
          form: {
            FriendlyName: "device",
            FactorType: "push",
            "Binding.Alg": "ES256",
            "Binding.PublicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
            "Config.AppId": "com.example",
            "Config.NotificationPlatform": "none"
          }
        })

      it.effect("a push factor is verified at once; its challenge is denied through the handle, expires by the clock, and refuses a device payload", () =>
        Effect.gen(function*() {
          const emulator = yield* Emulator
          const service = yield* newService()
          const entity = `/v2/Services/${service}/Entities/push-user-1`
          const factor = yield* pushFactor(entity)
          expect(factor.json).toMatchObject({ status: "verified", factor_type: "push", binding: { alg: "ES256" } })
          const make = (form: Record<string, string | ReadonlyArray<string>> = {}) =>
            call("POST", `${entity}/Challenges`, { form: { FactorSid: factor.json.sid, "Details.Message": "Approve?", ...form } })
          const denied = yield* make({ "Details.Fields": ['{"label":"a","value":"1"}', '{"label":"b","value":"2"}'] })
          expect(denied.json.details.fields).toEqual([{ label: "a", value: "1" }, { label: "b", value: "2" }])
          const listed = yield* emulator.control.verify.challenges({ identity: "push-user-1", accountSid: A.accountSid })
          expect(listed.map((c) => c.sid)).toEqual([denied.json.sid])
          yield* emulator.control.verify.denyChallenge(denied.json.sid, A.accountSid)
          expect((yield* call("GET", `${entity}/Challenges/${denied.json.sid}`)).json.status).toBe("denied")
          const again = yield* call("POST", `/__emulator/challenges/${denied.json.sid}/approve`)
          twilioError(again, 409, 60315)

          const expiring = yield* make({ ExpirationDate: new Date((yield* emulatorNow) + 120_000).toISOString().replace(/\.\d{3}Z$/, "Z") })
          twilioError(yield* call("POST", `${entity}/Challenges/${expiring.json.sid}`, { form: { AuthPayload: "signed" } }), 403, 60324)
          yield* advance(120)
          expect((yield* call("GET", `${entity}/Challenges/${expiring.json.sid}`)).json.status).toBe("expired")
          twilioError(yield* call("POST", `/__emulator/challenges/${expiring.json.sid}/approve`), 409, 60315)
        }))

      it.effect("challenge inputs are bounded: message, fields, hidden details, expiration", () =>
        Effect.gen(function*() {
          const service = yield* newService()
          const entity = `/v2/Services/${service}/Entities/push-user-2`
          const factor = yield* pushFactor(entity)
          const make = (form: Record<string, string | ReadonlyArray<string>>) =>
            call("POST", `${entity}/Challenges`, { form: { FactorSid: factor.json.sid, "Details.Message": "m", ...form } })
          twilioError(yield* make({ "Details.Message": "x".repeat(257) }), 400, 60200)
          twilioError(yield* make({ "Details.Fields": Array.from({ length: 21 }, () => '{"label":"a","value":"b"}') }), 400, 60300)
          twilioError(yield* make({ "Details.Fields": "not json" }), 400, 60300)
          twilioError(yield* make({ HiddenDetails: '{"a":1}' }), 400, 60200)
          twilioError(yield* make({ ExpirationDate: "2000-01-01T00:00:00Z" }), 400, 60300)
          twilioError(yield* make({ ExpirationDate: "tomorrow" }), 400, 60300)
        }))
    })

    describe("Lookup", () => {
      it.effect("line type by the last four digits; an invalid number is 200 valid: false", () =>
        Effect.gen(function*() {
          const landline = yield* call("GET", "/v2/PhoneNumbers/+14155551111?Fields=line_type_intelligence")
          expect(landline.json.line_type_intelligence.type).toBe("landline")
          const plain = yield* call("GET", "/v2/PhoneNumbers/%2B14155552671")
          expect(plain.json).toMatchObject({ valid: true, line_type_intelligence: null, caller_name: null })
          const national = yield* call("GET", "/v2/PhoneNumbers/4155552671?CountryCode=US")
          expect(national.json.phone_number).toBe("+14155552671")
          const letters = yield* call("GET", "/v2/PhoneNumbers/hello")
          expect(letters.status).toBe(200)
          expect(letters.json).toMatchObject({ valid: false, validation_errors: ["NOT_A_NUMBER"] })
        }))
    })

    describe("hostile input", () => {
      it.effect("too many parameters, a body too large, prototype names, an unbounded clock: Twilio-shaped refusals, never a 500", () =>
        Effect.gen(function*() {
          const many = Array.from({ length: 1001 }, (_, i) => `k${i}=v`).join("&")
          twilioError(
            yield* call("POST", "/v2/Services", { body: many, headers: { "content-type": "application/x-www-form-urlencoded" } }),
            400,
            60200
          )
          const big = yield* call("POST", "/v2/Services", {
            body: "FriendlyName=" + "x".repeat(1024 * 1024 + 10),
            headers: { "content-type": "application/x-www-form-urlencoded" }
          })
          expect(big.status).toBe(413)
          expect(big.json.code).toBe(20413)
          const proto = yield* call("POST", "/v2/Services", {
            body: "__proto__=x&constructor=y&FriendlyName=proto",
            headers: { "content-type": "application/x-www-form-urlencoded" }
          })
          expect(proto.status).toBe(201)
          const service = proto.json.sid as string
          const hidden = yield* call("POST", `/v2/Services/${service}/Entities/proto-user/Factors`, {
            form: { FriendlyName: "f", FactorType: "totp", Metadata: '{"__proto__":{"polluted":"yes"},"a":"b"}' }
          })
          expect(hidden.status).toBe(201)
          expect(hidden.json.metadata).toEqual({ a: "b" })
          expect(({} as Record<string, unknown>).polluted).toBeUndefined()
          twilioError(yield* call("POST", "/__emulator/clock/advance", { form: { seconds: "1e20" } }), 400, 60200)
          twilioError(yield* call("POST", "/__emulator/clock/advance", { form: {} }), 400, 60200)
          twilioError(yield* call("POST", `/v2/Services/${service}/Entities`, { form: { Identity: "a/b c" } }), 400, 60300)
          twilioError(yield* call("POST", "/__emulator/faults", { form: { path: "no-slash" } }), 400, 60200)
          twilioError(yield* call("POST", "/__emulator/challenges/YC0/approve"), 404, 20404)
        }))
    })
  })
})

describe("Twilio request signature", () => {
  it("matches the contract's test vectors (twilio-node's spec)", () => {
    const params = {
      CallSid: "CA1234567890ABCDE",
      Caller: "+14158675309",
      Digits: "1234",
      From: "+14158675309",
      To: "+18005551212"
    }
    const url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    expect(Signature.signedString(url, params)).toBe(
      "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212"
    )
    expect(Signature.compute("12345", url, params)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    const bodyUrl = `${url}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620`
    expect(Signature.compute("12345", bodyUrl, {})).toBe("a9nBmqA0ju/hNViExpshrM61xv4=")
  })
})

describe("CLI accounts", () => {
  it("--account-sid and --auth-token pair up; without them the default account is used", () => {
    expect(Cli.parse([]).accounts).toBeUndefined()
    expect(Cli.parse(["--account-sid", A.accountSid, "--auth-token", "t"]).accounts).toEqual([
      { accountSid: A.accountSid, authToken: "t" }
    ])
    expect(() => Cli.parse(["--account-sid", A.accountSid])).toThrow(/pairs/)
    expect(() => Cli.parse(["--account-sid", "AC123", "--auth-token", "t"])).toThrow(/AC \+ 32 hex/)
    expect(Cli.usage).toContain(`AC${"0".repeat(32)}`)
  })
})
