/**
 * Issue 14 on the emulator, over real HTTP: the three endpoints real clients
 * call (users/{id}/update, email/{id}, registrations/status), application
 * settings honoured with Authy's codes, the sandbox profile, phone numbers
 * judged like a carrier (reserved numbers included), and real QR images of
 * the otpauth URI.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Emulator, layer, Totp } from "effect-authy/emulator"
import QRCode from "qrcode"
import * as Qr from "../src/emulator/core/qr.js"

interface Answer {
  readonly status: number
  readonly json: any
  readonly bytes: Uint8Array
  readonly type: string | null
}

const call = (
  url: string,
  method: string,
  path: string,
  options: { readonly key?: string | null; readonly body?: unknown } = {}
): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const headers: Record<string, string> = {}
    if (options.key !== null) headers["x-authy-api-key"] = options.key ?? "k1"
    if (options.body !== undefined) headers["content-type"] = "application/json"
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
    })
    const bytes = new Uint8Array(await response.arrayBuffer())
    let json: any = undefined
    try {
      json = JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      // an image
    }
    return { status: response.status, json, bytes, type: response.headers.get("content-type") }
  })

const fresh = Effect.flatMap(Emulator, (e) =>
  Effect.zipRight(
    Effect.zipRight(e.control.reset, e.control.updateSettings({ profile: "default" }, "k1")),
    Effect.succeed(e.url)
  ))

const newUser = (url: string, cellphone = "305-342-5699", countryCode = 57, key = "k1") =>
  Effect.map(
    call(url, "POST", "/protected/json/users/new", {
      key,
      body: { user: { email: "ada@example.com", cellphone, country_code: countryCode } }
    }),
    (a) => a.json?.user?.id as number
  )

const error = (a: Answer) => ({ status: a.status, code: a.json?.error_code, message: a.json?.message })

describe("emulator fidelity (issue 14)", () => {
  it.layer(layer({ apiKeys: ["k1", "k2"] }))((it) => {
    describe("endpoints real clients call", () => {
      it.effect("updates a user's e-mail (form or JSON), refuses a bad one, 404 for nobody", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* newUser(url)
          const updated = yield* call(url, "POST", `/protected/json/users/${id}/update`, { body: { email: "grace@example.com" } })
          expect(updated.json).toEqual({ message: "User was updated successfully", success: true })
          const state = yield* (yield* Emulator).control.exportState("k1")
          expect(state.authy?.applications[0]?.users?.[0]?.email).toBe("grace@example.com")
          const bad = yield* call(url, "POST", `/protected/json/users/${id}/update`, { body: { email: "nope" } })
          expect(bad.status).toBe(400)
          expect(bad.json).toMatchObject({ error_code: "60027", email: "is invalid" })
          const nobody = yield* call(url, "POST", "/protected/json/users/999/update", { body: { email: "a@b.co" } })
          expect(error(nobody)).toEqual({ status: 404, code: "60026", message: "User not found." })
        }))

      it.effect("sends an e-mail token that the control API lists with channel email and verify accepts once", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const id = yield* newUser(url)
          const sent = yield* call(url, "POST", `/protected/json/email/${id}`)
          expect(sent.json).toMatchObject({ success: true, message: "Email token was sent", email: "ada@example.com" })
          expect(sent.json.email_id).toMatch(/^EM[0-9a-f]{32}$/)
          const listed = yield* call(url, "GET", `/__emulator/messages?authy_id=${id}&channel=email`)
          expect(listed.json.messages).toHaveLength(1)
          expect(listed.json.messages[0]).toMatchObject({ channel: "email", via: "email", to: "ada@example.com" })
          const code = yield* e.control.lastCode(id, "k1")
          expect(code).toBe(listed.json.messages[0].code)
          const ok = yield* call(url, "GET", `/protected/json/verify/${code}/${id}?force=true`)
          expect(ok.json).toMatchObject({ token: "is valid" })
          const again = yield* call(url, "GET", `/protected/json/verify/${code}/${id}?force=true`)
          expect(error(again)).toMatchObject({ status: 401, code: "60019" })
          expect((yield* e.control.counters("k1")).emails).toBe(1)
          expect(error(yield* call(url, "POST", "/protected/json/email/999"))).toMatchObject({ status: 404, code: "60026" })
        }))

      it.effect("answers registrations/status by custom_user_id: pending, completed, 404, 60004", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          yield* e.control.importState({
            version: 1,
            authy: { applications: [{ api_key: "k1", users: [{ id: 51, email: "sdk@example.com", country_code: 1, cellphone: "4155550123", custom_user_id: "user-51" }] }] }
          }, "k1")
          const pending = yield* call(url, "GET", "/protected/json/registrations/status?custom_user_id=user-51")
          expect(pending.json).toEqual({ status: "pending", authy_id: null, message: "Registration pending.", success: true })
          yield* e.control.registerDevice(51, { apiKey: "k1" })
          const done = yield* call(url, "GET", "/protected/json/registrations/status?custom_user_id=user-51")
          expect(done.json).toMatchObject({ status: "completed", authy_id: 51, success: true })
          const unknown = yield* call(url, "GET", "/protected/json/registrations/status?custom_user_id=nobody")
          expect(error(unknown)).toMatchObject({ status: 404, code: "60026" })
          expect(error(yield* call(url, "GET", "/protected/json/registrations/status"))).toMatchObject({ status: 400, code: "60004" })
        }))
    })

    describe("application settings", () => {
      it.effect("are reported by app/details and GET /__emulator/app, changed by PUT for one app only", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const put = yield* call(url, "PUT", "/__emulator/app", { body: { name: "Shop", plan: "starter", sms_enabled: false, white_label: "true" } })
          expect(put.json.app).toMatchObject({ name: "Shop", plan: "starter", sms_enabled: false, white_label: true, onetouch_enabled: true })
          const details = yield* call(url, "GET", "/protected/json/app/details")
          expect(details.json.app).toEqual({
            app_id: 1,
            name: "Shop",
            plan: "starter",
            sms_enabled: false,
            phone_calls_enabled: true,
            onetouch_enabled: true,
            white_label: true
          })
          const other = yield* call(url, "GET", "/__emulator/app", { key: "k2" })
          expect(other.json.app).toMatchObject({ name: "Authy Emulator 2", sms_enabled: true })
          const bad = yield* call(url, "PUT", "/__emulator/app", { body: { sms_enabled: "maybe" } })
          expect(error(bad)).toEqual({ status: 400, code: "60004", message: "Invalid parameter: sms_enabled - must be true or false" })
          expect((yield* call(url, "GET", "/__emulator/app", { key: "nope" })).status).toBe(401)
        }))

      it.effect("are honoured: SMS 60007, calls 60006, generic tokens 60123, OneTouch 403, custom codes 60042", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const id = yield* newUser(url)
          yield* e.control.updateSettings({
            smsEnabled: false,
            phoneCallsEnabled: false,
            genericTokensEnabled: false,
            onetouchEnabled: false,
            customCodesEnabled: false
          }, "k1")
          expect(error(yield* call(url, "GET", `/protected/json/sms/${id}?force=true`)))
            .toEqual({ status: 403, code: "60007", message: "SMS is not enabled" })
          expect(error(yield* call(url, "GET", `/protected/json/call/${id}`)))
            .toEqual({ status: 403, code: "60006", message: "Phone calls are not enabled on this account" })
          expect(error(yield* call(url, "POST", `/protected/json/users/${id}/secret`))).toMatchObject({ status: 403, code: "60123" })
          expect(error(yield* call(url, "POST", `/onetouch/json/users/${id}/approval_requests`, { body: { message: "Hi" } })))
            .toMatchObject({ status: 403, code: "60031" })
          const custom = yield* call(url, "POST", "/protected/json/phones/verification/start", {
            body: { via: "sms", country_code: 1, phone_number: "775-461-5609", custom_code: "123456" }
          })
          expect(error(custom)).toMatchObject({ status: 400, code: "60042" })
          expect((yield* e.control.counters("k1")).messages).toEqual({ sms: 0, call: 0, verification: 0 })
          // Settings are configuration: a reset keeps them.
          yield* e.control.reset
          expect((yield* e.control.settings("k1")).smsEnabled).toBe(false)
        }))

      it.effect("strict_verify refuses an unchecked token of an unconfirmed user without force (today's rule lets it pass)", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const id = yield* newUser(url)
          expect((yield* call(url, "GET", `/protected/json/verify/1234567/${id}`)).status).toBe(200)
          yield* e.control.updateSettings({ strictVerify: true }, "k1")
          expect(error(yield* call(url, "GET", `/protected/json/verify/1234567/${id}`))).toMatchObject({ status: 401, code: "60020" })
          expect(error(yield* call(url, "GET", "/protected/json/verify/1234567/999")))
            .toEqual({ status: 404, code: "60026", message: "User doesn't exist" })
        }))
    })

    describe("the sandbox profile", () => {
      it.effect("accepts 0000000 for every user, answers landline and the sandbox app's details", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          yield* e.control.updateSettings({ profile: "sandbox" }, "k1")
          const id = yield* newUser(url)
          const details = yield* call(url, "GET", "/protected/json/app/details")
          expect(details.json.app).toEqual({
            app_id: 1,
            name: "Sandbox App 1",
            plan: "starter",
            sms_enabled: false,
            phone_calls_enabled: true,
            onetouch_enabled: false,
            white_label: false
          })
          for (let i = 0; i < 2; i++) {
            expect((yield* call(url, "GET", `/protected/json/verify/0000000/${id}?force=true`)).json).toMatchObject({ token: "is valid" })
          }
          expect(error(yield* call(url, "GET", `/protected/json/verify/1234567/${id}`))).toMatchObject({ code: "60020" })
          const info = yield* call(url, "GET", "/protected/json/phones/info?country_code=57&phone_number=305-342-5699")
          expect(info.json).toMatchObject({ type: "landline", ported: false, success: true })
          const started = yield* call(url, "POST", "/protected/json/phones/verification/start", {
            body: { via: "sms", country_code: 1, phone_number: "775-461-5609" }
          })
          expect(started.json).toMatchObject({ carrier: "Google Voice", seconds_to_expire: 0, uuid: null, success: true })
          expect((yield* call(url, "GET", "/protected/json/verify/0000000/1", { key: "k2" })).status).toBe(404)
        }))
    })

    describe("phone numbers judged like a carrier", () => {
      it.effect("60033 for invalid numbers on phones/verification/start and phones/info", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          for (const path of ["/protected/json/phones/info?", "/protected/json/phones/verification/start?via=sms&"]) {
            const method = path.includes("start") ? "POST" : "GET"
            const answer = yield* call(url, method, `${path}country_code=1&phone_number=111-111-1111`)
            expect(error(answer)).toEqual({ status: 400, code: "60033", message: "Phone number is invalid" })
          }
        }))

      it.effect("users/new: 60027 for a malformed phone, 60033 for a well-formed number no carrier serves", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const create = (cellphone: string, country_code: number) =>
            call(url, "POST", "/protected/json/users/new", { body: { user: { email: "a@example.com", cellphone, country_code } } })
          expect(yield* create("12ab", 1)).toMatchObject({ status: 400, json: { error_code: "60027", cellphone: "is invalid" } })
          expect(error(yield* create("111-111-1111", 1))).toEqual({ status: 400, code: "60033", message: "Phone number is invalid" })
          expect(error(yield* create("405-342-5699", 57))).toMatchObject({ code: "60033" })
          expect((yield* create("305-342-5699", 57)).status).toBe(200)
        }))

      it.effect("phones/info types numbers from their real type and the reserved endings", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const info = (cc: number, n: string) => call(url, "GET", `/protected/json/phones/info?country_code=${cc}&phone_number=${n}`)
          expect((yield* info(57, "305-342-5699")).json).toMatchObject({ type: "cellphone", provider: "Authy Emulator Mobile", ported: false })
          expect((yield* info(44, "20 7183 8750")).json).toMatchObject({ type: "landline", provider: "Authy Emulator Landline" })
          expect((yield* info(1, "775-461-1111")).json).toMatchObject({ type: "landline" })
          expect((yield* info(1, "775-461-2222")).json).toMatchObject({ type: "voip", provider: "Authy Emulator VoIP" })
          expect(error(yield* info(1, "775-461-0000"))).toMatchObject({ status: 500, code: "60025" })
        }))

      it.effect("refuses an SMS to a landline with 60082, by verification and by token; a call goes through", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const start = (via: string) =>
            call(url, "POST", "/protected/json/phones/verification/start", { body: { via, country_code: 44, phone_number: "20 7183 8750" } })
          expect(error(yield* start("sms"))).toMatchObject({ status: 400, code: "60082" })
          expect((yield* start("call")).json).toMatchObject({ is_cellphone: false, success: true })
          const id = yield* newUser(url, "775-461-1111", 1)
          expect(error(yield* call(url, "GET", `/protected/json/sms/${id}`))).toMatchObject({ status: 400, code: "60082" })
          expect((yield* call(url, "GET", `/protected/json/call/${id}`)).status).toBe(200)
        }))
    })

    describe("QR codes of generic tokens", () => {
      it.effect("serve the library's own image of the exact otpauth URI, whose codes verify accepts", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const e = yield* Emulator
          const id = yield* newUser(url)
          const qr = yield* call(url, "POST", `/protected/json/users/${id}/secret`, { body: { qr_size: 200, label: "Shop: ada" } })
          expect(qr.json).toMatchObject({ label: "Shop: ada", issuer: "Authy Emulator 1", success: true })
          const image = new URL(qr.json.qr_code)
          expect(image.pathname).toMatch(/^\/__emulator\/qr\/\d{24}\.png$/)
          const state = yield* e.control.exportState("k1")
          const device = state.authy!.applications[0]!.users![0]!.devices![0]!
          expect(device).toMatchObject({ os_type: "authenticator", digits: 6 })
          const uri = `otpauth://totp/Authy%20Emulator%201:Shop%3A%20ada?secret=${device.secret}&issuer=Authy%20Emulator%201&algorithm=SHA1&digits=6&period=30`
          const png = yield* call(url, "GET", `${image.pathname}${image.search}`, { key: null })
          expect(png.type).toBe("image/png")
          expect([...png.bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
          const expected = yield* Effect.promise(() => QRCode.toBuffer(uri, Qr.options(200)))
          expect(Buffer.from(png.bytes).equals(expected)).toBe(true)
          const svg = yield* call(url, "GET", image.pathname.replace(".png", ".svg"), { key: null })
          expect(new TextDecoder().decode(svg.bytes)).toBe(
            yield* Effect.promise(() => QRCode.toString(uri, { ...Qr.options(300), type: "svg" }))
          )
          // What a phone would show after scanning: accepted once.
          const code = Totp.totp(device.secret, yield* e.control.now, 6)
          expect((yield* call(url, "GET", `/protected/json/verify/${code}/${id}`)).json).toMatchObject({ token: "is valid" })
          expect((yield* call(url, "GET", "/__emulator/qr/123456789012345678901234.png", { key: null })).status).toBe(404)
          expect((yield* call(url, "GET", `${image.pathname}?size=99999`, { key: null })).status).toBe(400)
        }))
    })

    it.effect("an unknown route answers 404 60000", () =>
      Effect.gen(function*() {
        const url = yield* fresh
        expect(error(yield* call(url, "GET", "/protected/json/nothing"))).toMatchObject({ status: 404, code: "60000" })
      }))
  })
})
