/**
 * Every client endpoint against the emulator, over real HTTP on loopback.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schedule } from "effect"
import { App, OneTouch, Phones, Tokens, Users } from "effect-authy"
import { Emulator } from "effect-authy/emulator"

const AuthyTest = Emulator.layerAuthy().pipe(Layer.provide(NodeHttpClient.layerUndici))

const control = Effect.map(Emulator, (e) => e.control)

/** A fresh emulator state, then a new user. */
const freshUser = (cellphone = "305-342-5699", countryCode = 57) =>
  Effect.gen(function*() {
    yield* (yield* control).reset
    const { user } = yield* Users.create({ email: "ada@example.com", cellphone, countryCode })
    return user.id
  })

/** The failure of an effect expected to fail with an `ApiError`. */
const apiError = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flip(effect).pipe(
    Effect.map((error) => {
      expect(error).toMatchObject({ _tag: "ApiError" })
      return error as Extract<E, { readonly _tag: "ApiError" }> & {
        readonly status: number
        readonly errorCode?: string
        readonly errors: Record<string, string>
      }
    })
  )

describe("client against the emulator", () => {
  it.layer(AuthyTest)((it) => {
    describe("users", () => {
      it.effect("creates users, matching them by phone", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const again = yield* Users.create({ email: "other@example.com", cellphone: "+57 305 342 5699" })
          expect(again.user.id).toBe(id)
          expect(again.message).toBe("User created successfully.")
        }))

      it.effect("refuses an invalid user with 60027 and its field errors", () =>
        Effect.gen(function*() {
          yield* (yield* control).reset
          const error = yield* apiError(Users.create({ email: "ada@example.com", cellphone: "1234", countryCode: 1 }))
          expect(error).toMatchObject({ status: 400, errorCode: "60027", errors: { cellphone: "is invalid" } })
        }))

      it.effect("reads a user's status", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const { status } = yield* Users.status(id)
          expect(status).toMatchObject({
            authyId: id,
            confirmed: false,
            registered: false,
            countryCode: 57,
            phoneNumber: "XXX-XXX-5699",
            devices: []
          })
        }))

      it.effect("answers 404 60026 for unknown users", () =>
        Effect.gen(function*() {
          yield* (yield* control).reset
          for (const program of [Users.status(999), Users.requestSms(999), Users.remove(999)]) {
            const error = yield* apiError(program)
            expect(error).toMatchObject({ status: 404, errorCode: "60026" })
          }
        }))

      it.effect("removes users", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          expect((yield* Users.remove(id)).message).toBe("User removed from application")
          expect((yield* apiError(Users.status(id))).errorCode).toBe("60026")
        }))

      it.effect("registers activities", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const answer = yield* Users.registerActivity(id, {
            type: "password_reset",
            data: { reason: "forgotten" },
            userIp: "10.0.0.1"
          })
          expect(answer.message).toBe("Activity was created.")
        }))

      it.effect("generates QR codes", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const qr = yield* Users.generateQrCode(id, { qrSize: 250, label: "Example" })
          expect(qr.qrCode).toMatch(/\/__emulator\/qr\/\d+\.png\?size=250$/)
          expect(qr.label).toBe("Example")
        }))
    })

    describe("SMS, calls and tokens", () => {
      it.effect("sends an SMS and verifies its code, once", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const sent = yield* Users.requestSms(id)
          expect(sent).toMatchObject({ message: "SMS token was sent", cellphone: "+57-XXX-XXX-XX99", ignored: false })
          const code = yield* (yield* control).lastCode(id)
          const verified = yield* Tokens.verify(id, code)
          expect(verified).toMatchObject({ message: "Token is valid.", token: "is valid" })
          const reused = yield* apiError(Tokens.verify(id, code))
          expect(reused).toMatchObject({ status: 401, errorCode: "60019" })
        }))

      it.effect("refuses a wrong code with 60020", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          yield* Users.requestCall(id)
          const code = yield* (yield* control).lastCode(id)
          const wrong = code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10)
          const error = yield* apiError(Tokens.verify(id, wrong))
          expect(error).toMatchObject({ status: 401, errorCode: "60020" })
        }))

      it.effect("has SMS and calls ignored for users with the app unless forced", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const emulator = yield* control
          yield* emulator.registerDevice(id, { osType: "ios" })
          const sms = yield* Users.requestSms(id)
          expect(sms).toMatchObject({ ignored: true, device: "ios" })
          const call = yield* Users.requestCall(id)
          expect(call.ignored).toBe(true)
          expect(call.message).toContain("User is using  App Tokens")
          expect((yield* emulator.counters()).messages).toEqual({ sms: 0, call: 0, verification: 0 })
          const forced = yield* Users.requestCall(id, { force: true, locale: "es" })
          expect(forced).toMatchObject({ ignored: false, message: "Call started..." })
          expect((yield* emulator.counters()).messages.call).toBe(1)
          const { status } = yield* Users.status(id)
          expect(status).toMatchObject({ registered: true, devices: ["ios"] })
        }))

      it.effect("verifies the code of the user's Authy app", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const emulator = yield* control
          yield* emulator.registerDevice(id)
          const code = yield* emulator.totp(id)
          const verified = yield* Tokens.verify(id, code)
          expect(verified.device?.osType).toBe("android")
          expect((yield* emulator.counters()).tokensConsumed).toBe(1)
        }))

      it.effect("lets a token through for an unconfirmed user only when force is false", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          expect((yield* Tokens.verify(id, "1234567", { force: false })).token).toBe("is valid")
          expect((yield* apiError(Tokens.verify(id, "1234567"))).errorCode).toBe("60020")
        }))

      it.effect("expires SMS codes after 10 minutes", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const emulator = yield* control
          yield* Users.requestSms(id)
          const code = yield* emulator.lastCode(id)
          yield* emulator.advanceClock("10 minutes")
          expect((yield* apiError(Tokens.verify(id, code))).errorCode).toBe("60020")
        }))
    })

    describe("OneTouch", () => {
      it.effect("sends a request, sees it approved", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const { approvalRequest } = yield* OneTouch.sendRequest(id, {
            message: "Log in",
            details: { Browser: "Firefox" },
            hiddenDetails: { ip: "10.0.0.1" },
            logos: [{ res: "default", url: "https://example.com/logo.png" }]
          })
          const pending = yield* OneTouch.getApprovalStatus(approvalRequest.uuid)
          expect(pending.approvalRequest).toMatchObject({ status: "pending", processedAt: null, authyId: id })
          yield* (yield* control).approve(approvalRequest.uuid)
          const answer = yield* OneTouch.awaitApproval(approvalRequest.uuid)
          expect(answer.approvalRequest.status).toBe("approved")
          expect(answer.approvalRequest.processedAt).toEqual(expect.any(String))
        }))

      it.effect("sees a request denied", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const { approvalRequest } = yield* OneTouch.sendRequest(id, { message: "Pay 10 USD" })
          yield* (yield* control).deny(approvalRequest.uuid)
          expect((yield* OneTouch.getApprovalStatus(approvalRequest.uuid)).approvalRequest.status).toBe("denied")
        }))

      it.effect("sees a request expire after seconds_to_expire", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          const { approvalRequest } = yield* OneTouch.sendRequest(id, { message: "Log in", secondsToExpire: 30 })
          const stillPending = yield* OneTouch.awaitApproval(approvalRequest.uuid, { schedule: Schedule.recurs(0) })
          expect(stillPending.approvalRequest.status).toBe("pending")
          yield* (yield* control).advanceClock("31 seconds")
          const answer = yield* OneTouch.awaitApproval(approvalRequest.uuid)
          expect(answer.approvalRequest).toMatchObject({ status: "expired", secondsToExpire: 30 })
        }))

      it.effect("answers 404 60049 for unknown requests, and 60026 for unknown users", () =>
        Effect.gen(function*() {
          yield* (yield* control).reset
          const unknown = yield* apiError(OneTouch.getApprovalStatus("8d031630-d15b-0134-b0a8-0a77bbe8093e"))
          expect(unknown).toMatchObject({ status: 404, errorCode: "60049" })
          const nobody = yield* apiError(OneTouch.sendRequest(999, { message: "Hi" }))
          expect(nobody).toMatchObject({ status: 404, errorCode: "60026" })
        }))
    })

    describe("phones", () => {
      const phone = { phoneNumber: "201-555-0123", countryCode: 1 }

      it.effect("verifies a phone: start, wrong code, right code, nothing pending", () =>
        Effect.gen(function*() {
          const emulator = yield* control
          yield* emulator.reset
          const started = yield* Phones.startVerification({ ...phone, via: "sms", codeLength: 6 })
          expect(started).toMatchObject({ message: "Text message sent to +1 201-555-0123.", secondsToExpire: 599 })
          const [message] = yield* emulator.messages({ phoneNumber: phone.phoneNumber, countryCode: 1 })
          const code = message!.code
          expect(code).toMatch(/^\d{6}$/)
          const wrong = code === "000000" ? "111111" : "000000"
          expect(yield* apiError(Phones.checkVerification({ ...phone, verificationCode: wrong }))).toMatchObject({
            status: 401,
            errorCode: "60022"
          })
          const checked = yield* Phones.checkVerification({ ...phone, verificationCode: code })
          expect(checked.message).toBe("Verification code is correct.")
          expect(yield* apiError(Phones.checkVerification({ ...phone, verificationCode: code }))).toMatchObject({
            status: 404,
            errorCode: "60023"
          })
        }))

      it.effect("refuses an invalid phone number with 60033", () =>
        Effect.gen(function*() {
          yield* (yield* control).reset
          const error = yield* apiError(Phones.startVerification({ phoneNumber: "12345", countryCode: 1, via: "call" }))
          expect(error).toMatchObject({ status: 400, errorCode: "60033" })
        }))

      it.effect("answers phone information, and 60025 when the lookup fails", () =>
        Effect.gen(function*() {
          const info = yield* Phones.info({ ...phone, userIp: "10.0.0.1" })
          expect(info).toMatchObject({ type: "cellphone", ported: false })
          const error = yield* apiError(Phones.info({ phoneNumber: "201-555-0000", countryCode: 1 }))
          expect(error).toMatchObject({ status: 500, errorCode: "60025" })
        }))
    })

    describe("application", () => {
      it.effect("reads the application's details", () =>
        Effect.gen(function*() {
          const { app } = yield* App.details()
          expect(app).toMatchObject({ appId: 1, plan: "pay_as_you_go", smsEnabled: true, onetouchEnabled: true })
        }))

      it.effect("reads statistics that count what happened", () =>
        Effect.gen(function*() {
          const id = yield* freshUser()
          yield* Users.requestSms(id)
          yield* Tokens.verify(id, yield* (yield* control).lastCode(id))
          const stats = yield* App.stats()
          expect(stats).toMatchObject({ count: 1, totalUsers: 1, appId: 1 })
          expect(stats.stats[0]).toMatchObject({ usersCount: 1, smsCount: 1, authsCount: 1, apiCallsCount: 4 })
        }))
    })
  })
})
