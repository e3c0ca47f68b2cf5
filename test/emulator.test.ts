/**
 * The emulator's own tests, with raw HTTP requests in each encoding real
 * Authy clients use. Time-dependent behaviour is driven by the emulator clock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Emulator, layer, Totp } from "effect-authy/emulator"
import * as Cli from "../src/emulator/cli.js"
import * as Params from "../src/emulator/core/params.js"
import { raw } from "./util/raw.js"

const form = { "content-type": "application/x-www-form-urlencoded" }
const jsonType = { "content-type": "application/json" }

/** The emulator's URL, after emptying it (state and clock). */
const fresh = Effect.flatMap(Emulator, (e) => Effect.as(e.control.reset, e.url))

const createUser = (url: string, cellphone = "305-342-5699", countryCode = 57, key = "k1") =>
  raw(url, "/protected/json/users/new", {
    method: "POST",
    key,
    headers: jsonType,
    body: JSON.stringify({ user: { email: "ada@example.com", cellphone, country_code: countryCode } })
  }).pipe(Effect.map((r) => r.json.user.id as number))

const userNotFoundBody =
  `{"message":"User not found.","success":false,"errors":{"message":"User not found."},"error_code":"60026"}`

describe("emulator", () => {
  it.layer(layer({ apiKeys: ["k1", "k2"] }))((it) => {
    describe("API keys and encodings", () => {
      it.effect("creates a user from a JSON POST, with the exact body", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const r = yield* raw(url, "/protected/json/users/new", {
            method: "POST",
            headers: jsonType,
            body: `{"user":{"email":"ada@example.com","cellphone":"305-342-5699","country_code":57}}`
          })
          expect(r.status).toBe(200)
          expect(r.text).toBe(`{"message":"User created successfully.","user":{"id":1},"success":true}`)
        }))

      it.effect("reads a bracketed form POST with the key as a body field, matching users by phone", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const first = yield* createUser(url)
          const r = yield* raw(url, "/protected/json/users/new", {
            method: "POST",
            key: null,
            headers: form,
            body: "api_key=k1&user%5Bemail%5D=other%40example.com&user%5Bcellphone%5D=305.342.5699&user%5Bcountry_code%5D=57"
          })
          expect(r.status).toBe(200)
          expect(r.json.user.id).toBe(first)
          const other = yield* createUser(url, "305-342-5600")
          expect(other).not.toBe(first)
        }))

      it.effect("reads the key from the query string of a GET", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* createUser(url)
          const r = yield* raw(url, `/protected/json/users/${id}/status?api_key=k1`, { key: null })
          expect(r.status).toBe(200)
          expect(r.json.status).toMatchObject({ authy_id: id, country_code: 57, phone_number: "XXX-XXX-5699" })
        }))

      it.effect("reads a form body and a JSON body sent on GET", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const id = yield* createUser(url)
          yield* e.control.registerDevice(id, { apiKey: "k1" })
          const viaForm = yield* raw(url, `/protected/json/sms/${id}`, {
            key: null,
            headers: form,
            body: "api_key=k1&force=True"
          })
          expect(viaForm.json).toMatchObject({ success: true, message: "SMS token was sent" })
          const viaJson = yield* raw(url, `/protected/json/call/${id}`, { headers: jsonType, body: `{"force":"1"}` })
          expect(viaJson.json).toMatchObject({ success: true, message: "Call started..." })
          const unforced = yield* raw(url, `/protected/json/sms/${id}?force=false`)
          expect(unforced.json.ignored).toBe(true)
        }))

      it.effect("refuses a missing or unknown key with 401 60001", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const body =
            `{"error_code":"60001","message":"Invalid API key","errors":{"message":"Invalid API key"},"success":false}`
          const missing = yield* raw(url, "/protected/json/app/details", { key: null })
          expect(missing.status).toBe(401)
          expect(missing.text).toBe(body)
          const wrong = yield* raw(url, "/protected/json/app/details", { key: "nope" })
          expect(wrong.status).toBe(401)
          expect(wrong.text).toBe(body)
          const control = yield* raw(url, "/__emulator/messages", { key: "nope" })
          expect(control.status).toBe(401)
        }))

      it.effect("answers unknown paths with 404 and malformed JSON with 400, Authy-shaped", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const unknown = yield* raw(url, "/protected/json/nothing/here?api_key=secret")
          expect(unknown.status).toBe(404)
          expect(unknown.json).toMatchObject({ success: false, error_code: "60000" })
          expect(unknown.text).not.toContain("secret")
          const malformed = yield* raw(url, "/protected/json/users/new", {
            method: "POST",
            headers: jsonType,
            body: `{"user":`
          })
          expect(malformed.status).toBe(400)
          expect(malformed.json).toMatchObject({ success: false, error_code: "60002" })
        }))

      it.effect("keeps applications apart: ids are per API key", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const a = yield* createUser(url, "305-342-5699", 57, "k1")
          const b = yield* createUser(url, "311-555-0101", 57, "k1")
          const c = yield* createUser(url, "311-555-0101", 57, "k2")
          expect([a, b, c]).toEqual([1, 2, 1])
          const other = yield* raw(url, `/protected/json/users/2/status`, { key: "k2" })
          expect(other.status).toBe(404)
        }))
    })

    describe("users", () => {
      it.effect("refuses bad users with 60027, field errors repeated at top level", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const badPhone = yield* raw(url, "/protected/json/users/new", {
            method: "POST",
            headers: form,
            body: "user[email]=ada@example.com&user[cellphone]=12&user[country_code]=1"
          })
          expect(badPhone.status).toBe(400)
          expect(badPhone.text).toBe(
            `{"message":"User was not valid","success":false,"errors":{"cellphone":"is invalid","message":"User was not valid"},"cellphone":"is invalid","error_code":"60027"}`
          )
          const badEmail = yield* raw(url, "/protected/json/users/new", {
            method: "POST",
            headers: form,
            body: "user[email]=not-an-email&user[cellphone]=3053425699&user[country_code]=57"
          })
          expect(badEmail.status).toBe(400)
          expect(badEmail.json).toMatchObject({ email: "is invalid", errors: { email: "is invalid" }, error_code: "60027" })
        }))

      it.effect("answers 404 60026 for unknown and non-numeric ids", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          for (const path of ["/protected/json/users/42/status", "/protected/json/users/abc/status", "/protected/json/sms/x1"]) {
            const r = yield* raw(url, path)
            expect(r.status).toBe(404)
            expect(r.text).toBe(userNotFoundBody)
          }
        }))

      it.effect("removes users through each of the three delete paths", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const paths = [
            (id: number) => `/protected/json/users/${id}/remove`,
            (id: number) => `/protected/json/users/${id}/delete`,
            (id: number) => `/protected/json/users/delete/${id}`
          ]
          for (const [i, path] of paths.entries()) {
            const id = yield* createUser(url, `305-342-56${10 + i}`)
            const removed = yield* raw(url, path(id), { method: "POST", headers: form, body: "user_ip=10.0.0.1" })
            expect(removed.text).toBe(`{"message":"User removed from application","success":true}`)
            const status = yield* raw(url, `/protected/json/users/${id}/status`)
            expect(status.status).toBe(404)
            const again = yield* raw(url, path(id), { method: "POST" })
            expect(again.text).toBe(userNotFoundBody)
          }
        }))

      it.effect("registers activities and answers QR codes", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* createUser(url)
          const activity = yield* raw(url, `/protected/json/users/${id}/register_activity`, {
            method: "POST",
            headers: form,
            body: "type=cookie_login&data[reason]=remembered&user_ip=10.0.0.1"
          })
          expect(activity.text).toBe(`{"message":"Activity was created.","success":true}`)
          const badType = yield* raw(url, `/protected/json/users/${id}/register_activity`, {
            method: "POST",
            headers: form,
            body: "type=nonsense"
          })
          expect(badType.status).toBe(400)
          const qr = yield* raw(url, `/protected/json/users/${id}/secret`, {
            method: "POST",
            headers: jsonType,
            body: `{"qr_size":200,"label":"Example: ada"}`
          })
          expect(qr.json).toMatchObject({ label: "Example: ada", success: true })
          expect(qr.json.qr_code).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__emulator\/qr\/\d{24}\.png\?size=200$/)
          const image = yield* raw(url, new URL(qr.json.qr_code).pathname, { key: null })
          expect(image.status).toBe(200)
        }))
    })

    describe("SMS, calls and verification", () => {
      it.effect("ignores SMS and calls for users with the app unless forced, with the exact messages", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const id = yield* createUser(url, "305-342-5612")
          yield* e.control.registerDevice(id, { apiKey: "k1", osType: "android" })
          const sms = yield* raw(url, `/protected/json/sms/${id}`)
          expect(sms.text).toBe(
            `{"message":"Ignored: SMS is not needed for smartphones. Pass force=true if you want to actually send it anyway.","cellphone":"+57-XXX-XXX-XX12","device":"android","ignored":true,"success":true}`
          )
          const call = yield* raw(url, `/protected/json/call/${id}`)
          expect(call.text).toBe(
            `{"message":"Call ignored. User is using  App Tokens and this call is not necessary. Pass force=true if you still want to call users that are using the App.","cellphone":"+57-XXX-XXX-XX12","device":"android","ignored":true,"success":true}`
          )
          expect((yield* e.control.messages({ apiKey: "k1" })).length).toBe(0)
          const forced = yield* raw(url, `/protected/json/sms/${id}?force=true`)
          expect(forced.text).toBe(`{"success":true,"message":"SMS token was sent","cellphone":"+57-XXX-XXX-XX12"}`)
          const counters = yield* e.control.counters("k1")
          expect(counters.messages).toEqual({ sms: 1, call: 0, verification: 0 })
          expect(counters.ignored).toBe(2)
        }))

      it.effect("sends random 7-digit codes to the outbox and verifies them once, with the literal body", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* createUser(url)
          const sent = yield* raw(url, `/protected/json/call/${id}`)
          expect(sent.text).toBe(`{"cellphone":"+57-XXX-XXX-XX99","message":"Call started...","success":true}`)
          const outbox = yield* raw(url, `/__emulator/messages?authy_id=${id}`)
          expect(outbox.json.messages).toHaveLength(1)
          const message = outbox.json.messages[0]
          expect(message).toMatchObject({ authy_id: id, channel: "call", to: "+573053425699" })
          expect(message.code).toMatch(/^\d{7}$/)
          const ok = yield* raw(url, `/protected/json/verify/${message.code}/${id}?force=true`)
          expect(ok.status).toBe(200)
          expect(ok.text).toContain(`"token":"is valid"`)
          expect(ok.text).toContain(`"success":"true"`)
          expect(ok.text.startsWith(`{"message":"Token is valid.","token":"is valid","success":"true"`)).toBe(true)
          const again = yield* raw(url, `/protected/json/verify/${message.code}/${id}?force=true`)
          expect(again.status).toBe(401)
          expect(again.text).toBe(
            `{"message":"Token is invalid. Token was used recently.","token":"is invalid","success":false,"errors":{"message":"Token is invalid. Token was used recently."},"error_code":"60019"}`
          )
          const wrong = yield* raw(url, `/protected/json/verify/0000000/${id}`)
          expect(wrong.status).toBe(401)
          expect(wrong.text).toBe(
            `{"message":"Token is invalid","token":"is invalid","success":false,"errors":{"message":"Token is invalid"},"error_code":"60020"}`
          )
        }))

      it.effect("lets any well-formed token through for an unconfirmed user unless forced", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* createUser(url)
          const unforced = yield* raw(url, `/protected/json/verify/1234567/${id}`)
          expect(unforced.status).toBe(200)
          const forced = yield* raw(url, `/protected/json/verify/1234567/${id}?force=true`)
          expect(forced.status).toBe(401)
          const malformed = yield* raw(url, `/protected/json/verify/12ab/${id}`)
          expect(malformed.status).toBe(401)
          const status = yield* raw(url, `/protected/json/users/${id}/status`)
          expect(status.json.status.confirmed).toBe(false)
        }))

      it.effect("expires SMS tokens after 10 minutes of emulator time", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const id = yield* createUser(url)
          yield* raw(url, `/protected/json/sms/${id}`)
          const first = yield* e.control.lastCode(id, "k1")
          yield* e.control.advanceClock("9 minutes")
          expect((yield* raw(url, `/protected/json/verify/${first}/${id}?force=true`)).status).toBe(200)
          yield* raw(url, `/protected/json/sms/${id}`)
          const second = yield* e.control.lastCode(id, "k1")
          const advanced = yield* raw(url, "/__emulator/clock/advance", {
            method: "POST",
            headers: jsonType,
            body: `{"seconds":601}`
          })
          expect(advanced.json.offset_seconds).toBe(9 * 60 + 601)
          const late = yield* raw(url, `/protected/json/verify/${second}/${id}?force=true`)
          expect(late.json.error_code).toBe("60020")
        }))

      it.effect("accepts the current code of a registered app once, and no other", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* createUser(url)
          const device = yield* raw(url, `/__emulator/users/${id}/devices`, {
            method: "POST",
            headers: jsonType,
            body: `{"os_type":"ios"}`
          })
          expect(device.status).toBe(200)
          const { secret, totp } = device.json as { secret: string; totp: string }
          expect(secret).toMatch(/^[A-Z2-7]{32}$/)
          expect(totp).toMatch(/^\d{7}$/)
          const ok = yield* raw(url, `/protected/json/verify/${totp}/${id}`)
          expect(ok.json.device).toMatchObject({ os_type: "ios" })
          const reused = yield* raw(url, `/protected/json/verify/${totp}/${id}`)
          expect(reused.json.error_code).toBe("60019")
          const e = yield* Emulator
          const now = yield* e.control.now
          const old = Totp.totp(secret, now - 5 * 30_000)
          const stale = yield* raw(url, `/protected/json/verify/${old}/${id}`)
          expect(stale.json.error_code).toBe(old === totp ? "60019" : "60020")
          const status = yield* raw(url, `/protected/json/users/${id}/status`)
          expect(status.json.status).toMatchObject({ registered: true, confirmed: true, devices: ["ios"] })
        }))

      it.effect("answers verify for an unknown user with 404", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const r = yield* raw(url, `/protected/json/verify/1234567/999`)
          expect(r.status).toBe(404)
          expect(r.json).toMatchObject({ success: false, message: "User doesn't exist" })
        }))
    })

    describe("OneTouch", () => {
      it.effect("creates requests from a bracketed form, approves them, and keeps the whole record", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* createUser(url)
          const created = yield* raw(url, `/onetouch/json/users/${id}/approval_requests`, {
            method: "POST",
            headers: form,
            body: [
              "message=Log+in",
              "details[Browser]=Firefox",
              "hidden_details[ip]=10.0.0.1",
              "logos[][res]=default",
              "logos[][url]=https://example.com/d.png",
              "logos[][res]=low",
              "logos[][url]=https://example.com/l.png"
            ].join("&")
          })
          expect(created.status).toBe(200)
          const uuid = created.json.approval_request.uuid as string
          const pending = yield* raw(url, `/onetouch/json/approval_requests/${uuid}`)
          expect(pending.json.approval_request).toMatchObject({
            status: "pending",
            processed_at: null,
            seconds_to_expire: 86400,
            _authy_id: id,
            uuid
          })
          const record = yield* raw(url, `/__emulator/approval_requests/${uuid}`)
          expect(record.json.approval_request).toMatchObject({
            message: "Log in",
            details: { Browser: "Firefox" },
            hidden_details: { ip: "10.0.0.1" },
            logos: [
              { res: "default", url: "https://example.com/d.png" },
              { res: "low", url: "https://example.com/l.png" }
            ]
          })
          const approved = yield* raw(url, `/__emulator/approval_requests/${uuid}/approve`, { method: "POST" })
          expect(approved.status).toBe(200)
          const after = yield* raw(url, `/onetouch/json/approval_requests/${uuid}`)
          expect(after.json.approval_request.status).toBe("approved")
          expect(after.json.approval_request.processed_at).toMatch(/Z$/)
          const twice = yield* raw(url, `/__emulator/approval_requests/${uuid}/deny`, { method: "POST" })
          expect(twice.status).toBe(409)
        }))

      it.effect("reads indexed logos (logos[0][res]) and JSON bodies", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* createUser(url)
          const indexed = yield* raw(url, `/onetouch/json/users/${id}/approval_requests`, {
            method: "POST",
            headers: form,
            body: "message=Hi&logos[1][res]=low&logos[1][url]=https://e.co/l.png&logos[0][res]=default&logos[0][url]=https://e.co/d.png"
          })
          const record = yield* raw(url, `/__emulator/approval_requests/${indexed.json.approval_request.uuid}`)
          expect(record.json.approval_request.logos.map((l: { res: string }) => l.res)).toEqual(["default", "low"])
          const viaJson = yield* raw(url, `/onetouch/json/users/${id}/approval_requests`, {
            method: "POST",
            headers: jsonType,
            body: JSON.stringify({ message: "Hi", details: { a: "b" }, seconds_to_expire: 0 })
          })
          expect(viaJson.status).toBe(200)
          const missing = yield* raw(url, `/onetouch/json/users/${id}/approval_requests`, { method: "POST" })
          expect(missing.json.error_code).toBe("60004")
        }))

      it.effect("expires requests after seconds_to_expire of emulator time; 0 never expires", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const id = yield* createUser(url)
          const send = (seconds: number) =>
            raw(url, `/onetouch/json/users/${id}/approval_requests`, {
              method: "POST",
              headers: form,
              body: `message=Hi&seconds_to_expire=${seconds}`
            }).pipe(Effect.map((r) => r.json.approval_request.uuid as string))
          const short = yield* send(60)
          const never = yield* send(0)
          const byDefault = yield* send(86400)
          yield* e.control.advanceClock("61 seconds")
          const expired = yield* raw(url, `/onetouch/json/approval_requests/${short}`)
          expect(expired.json.approval_request.status).toBe("expired")
          expect(expired.json.approval_request.processed_at).not.toBeNull()
          const late = yield* raw(url, `/__emulator/approval_requests/${short}/approve`, { method: "POST" })
          expect(late.status).toBe(409)
          yield* e.control.advanceClock("30 days")
          const still = yield* raw(url, `/onetouch/json/approval_requests/${never}`)
          expect(still.json.approval_request.status).toBe("pending")
          const day = yield* raw(url, `/onetouch/json/approval_requests/${byDefault}`)
          expect(day.json.approval_request.status).toBe("expired")
          expect((yield* e.control.counters("k1")).pushes).toBe(3)
        }))

      it.effect("answers unknown approval requests with the exact 60049 body", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const uuid = "8d031630-d15b-0134-b0a8-0a77bbe8093e"
          const r = yield* raw(url, `/onetouch/json/approval_requests/${uuid}`)
          expect(r.status).toBe(404)
          expect(r.text).toBe(
            `{"message":"Approval request not found: ${uuid}","success":false,"errors":{},"error_code":"60049"}`
          )
        }))
    })

    describe("phones", () => {
      const start = (url: string, body: string) =>
        raw(url, "/protected/json/phones/verification/start", { method: "POST", headers: form, body })
      const check = (url: string, code: string) =>
        raw(url, `/protected/json/phones/verification/check?phone_number=201-555-0123&country_code=1&verification_code=${code}`)

      it.effect("sends a 4-digit code, re-sends it unchanged within 10 minutes, and checks it once", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const first = yield* start(url, "via=sms&phone_number=201-555-0123&country_code=1")
          expect(first.json).toMatchObject({
            message: "Text message sent to +1 201-555-0123.",
            seconds_to_expire: 599,
            is_cellphone: true,
            success: true
          })
          yield* e.control.advanceClock("5 minutes")
          const second = yield* start(url, "via=call&phone_number=2015550123&country_code=1")
          expect(second.json.message).toBe("Call to +1 201-555-0123 initiated")
          const outbox = yield* raw(url, "/__emulator/messages?phone_number=201-555-0123&country_code=1")
          const codes = outbox.json.messages.map((m: { code: string }) => m.code)
          expect(codes).toHaveLength(2)
          expect(codes[0]).toMatch(/^\d{4}$/)
          expect(codes[1]).toBe(codes[0])
          const wrong = yield* check(url, codes[0] === "0000" ? "1111" : "0000")
          expect(wrong.status).toBe(401)
          expect(wrong.json).toMatchObject({ error_code: "60022", message: "Verification code is incorrect" })
          const right = yield* check(url, codes[0])
          expect(right.text).toBe(`{"message":"Verification code is correct.","success":true}`)
          const none = yield* check(url, codes[0])
          expect(none.status).toBe(404)
          expect(none.json).toMatchObject({
            error_code: "60023",
            message: "No pending verifications for +1 201-555-0123 found."
          })
        }))

      it.effect("issues a new code after 10 minutes and honours code_length", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          yield* start(url, "via=sms&phone_number=201-555-0123&country_code=1&code_length=8")
          const [first] = yield* e.control.messages({ apiKey: "k1", phoneNumber: "2015550123" })
          expect(first?.code).toMatch(/^\d{8}$/)
          yield* e.control.advanceClock("601 seconds")
          expect((yield* check(url, first!.code)).json.error_code).toBe("60023")
          yield* start(url, "via=sms&phone_number=201-555-0123&country_code=1&custom_code=424242")
          const messages = yield* e.control.messages({ apiKey: "k1", phoneNumber: "2015550123" })
          expect(messages.at(-1)?.code).toBe("424242")
        }))

      it.effect("answers 60004 for missing parameters and 60033 for invalid numbers", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const missing = yield* start(url, "via=sms&phone_number=201-555-0123")
          expect(missing.status).toBe(400)
          expect(missing.json).toMatchObject({
            error_code: "60004",
            message: "Invalid parameter: country_code - Parameter is required"
          })
          const invalid = yield* start(url, "via=sms&phone_number=12ab&country_code=1")
          expect(invalid.status).toBe(400)
          expect(invalid.json).toMatchObject({ error_code: "60033", message: "Phone number is invalid" })
        }))

      it.effect("answers phone information, and 60025 for numbers ending in 0000", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const info = yield* raw(url, "/protected/json/phones/info?phone_number=201-555-0123&country_code=1")
          expect(info.json).toMatchObject({ type: "cellphone", ported: false, success: true })
          expect(info.json.message).toMatch(/^Phone number information as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)
          const failing = yield* raw(url, "/protected/json/phones/info?phone_number=201-555-0000&country_code=1")
          expect(failing.status).toBe(500)
          expect(failing.json.error_code).toBe("60025")
        }))
    })

    describe("application", () => {
      it.effect("answers details, and stats counting what happened month by month", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const details = yield* raw(url, "/protected/json/app/details")
          expect(details.json).toMatchObject({ app: { app_id: 1, plan: "pay_as_you_go" }, success: true })
          const id = yield* createUser(url)
          yield* raw(url, `/protected/json/sms/${id}`)
          yield* raw(url, `/protected/json/call/${id}`)
          const code = yield* e.control.lastCode(id, "k1")
          yield* raw(url, `/protected/json/verify/${code}/${id}`)
          yield* raw(url, `/protected/json/verify/0000000/${id}`) // refused: not an auth
          const stats = yield* raw(url, "/protected/json/app/stats")
          expect(stats.json).toMatchObject({ message: "Monthly statistics.", count: 1, total_users: 1, app_id: 1 })
          expect(stats.json.stats[0]).toMatchObject({
            users_count: 1,
            sms_count: 1,
            calls_count: 1,
            auths_count: 1,
            api_calls_count: 7
          })
          expect((yield* e.control.counters("k1")).apiCalls).toBe(7)
          yield* e.control.advanceClock("32 days")
          const later = yield* raw(url, "/protected/json/app/stats")
          expect(later.json.count).toBe(2)
          expect(later.json.stats[1]).toMatchObject({ users_count: 0, api_calls_count: 1 })
        }))

      it.effect("resets one application through the control API", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          yield* createUser(url, "305-342-5699", 57, "k1")
          yield* createUser(url, "305-342-5699", 57, "k2")
          const r = yield* raw(url, "/__emulator/reset", { method: "POST", key: "k1" })
          expect(r.status).toBe(200)
          expect((yield* raw(url, "/protected/json/users/1/status", { key: "k1" })).status).toBe(404)
          expect((yield* raw(url, "/protected/json/users/1/status", { key: "k2" })).status).toBe(200)
          const clock = yield* raw(url, "/__emulator/clock")
          expect(clock.json).toMatchObject({ offset_seconds: 0, success: true })
        }))
    })
  })
})

describe("TOTP (RFC 6238)", () => {
  // RFC 6238 appendix B, SHA-1 key "12345678901234567890".
  const secret = Totp.base32Encode(new TextEncoder().encode("12345678901234567890"))

  it("encodes the RFC key in base32", () => {
    expect(secret).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    expect(Totp.base32Decode(secret)).toEqual(new TextEncoder().encode("12345678901234567890"))
  })

  it("reproduces the 8-digit test vectors", () => {
    const vectors: ReadonlyArray<readonly [number, string]> = [
      [59, "94287082"],
      [1111111109, "07081804"],
      [1111111111, "14050471"],
      [1234567890, "89005924"],
      [2000000000, "69279037"],
      [20000000000, "65353130"]
    ]
    for (const [seconds, code] of vectors) expect(Totp.totp(secret, seconds * 1000, 8)).toBe(code)
  })

  it("gives Authy's 7 digits: the same value modulo 10^7", () => {
    expect(Totp.totp(secret, 59_000)).toBe("4287082")
    expect(Totp.matchingCounter(secret, "4287082", 59_000 + 30_000)).toBe(1)
    expect(Totp.matchingCounter(secret, "4287082", 59_000 + 90_000)).toBeUndefined()
  })
})

describe("parameters (Rails brackets)", () => {
  it("nests brackets, appends [] and starts a new element when a key repeats", () => {
    const params = Params.fromPairs(
      new URLSearchParams(
        "user[email]=a@b.co&details[Browser]=Firefox&tags[]=a&tags[]=b&logos[][res]=default&logos[][url]=d&logos[][res]=low&logos[][url]=l"
      )
    )
    expect(params).toEqual({
      user: { email: "a@b.co" },
      details: { Browser: "Firefox" },
      tags: ["a", "b"],
      logos: [{ res: "default", url: "d" }, { res: "low", url: "l" }]
    })
  })

  it("merges query, form and JSON, the body winning", () => {
    const merged = Params.fromRequest(new URLSearchParams("force=false&user[email]=q@b.co"), `{"force":true,"user":{"cellphone":"1"}}`, "application/json")
    expect(merged).toEqual({ force: true, user: { email: "q@b.co", cellphone: "1" } })
    expect(Params.fromRequest(new URLSearchParams(), "{nope", undefined)).toBeInstanceOf(Params.MalformedBody)
  })

  it("reads booleans as Authy's clients send them", () => {
    for (const value of ["true", "True", "TRUE", "1", true]) expect(Params.boolean({ force: value }, "force")).toBe(true)
    for (const value of ["false", "False", "0", false, ""]) expect(Params.boolean({ force: value }, "force")).toBe(false)
  })
})

describe("command line", () => {
  it("defaults to port 4010 on 127.0.0.1 with one key, and takes repeated keys", () => {
    expect(Cli.parse([])).toEqual({ port: 4010, host: "127.0.0.1", apiKeys: ["test-key"], help: false })
    expect(Cli.parse(["--port", "0", "--api-key", "a", "--api-key", "b", "--host", "::1"])).toMatchObject({
      port: 0,
      host: "::1",
      apiKeys: ["a", "b"]
    })
    expect(() => Cli.parse(["--port", "70000"])).toThrow()
  })
})
