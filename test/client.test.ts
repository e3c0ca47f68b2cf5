/**
 * Every endpoint against a stub HttpClient: what goes on the wire, and what
 * the real bodies of authy-api.md decode to.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { App, type AuthyService, OneTouch, Phones, RetryPolicy, Tokens, Users } from "../src/index.js"
import { version } from "../src/internal/core/version.js"
import packageJson from "../package.json" with { type: "json" }
import { apiKey, json, makeStub, type Reply, type SentRequest } from "./util/stub.js"

/** Runs one program against a stub answering `reply`, returning the result and the one request sent. */
const exchange = <A, E>(program: Effect.Effect<A, E, import("../src/index.js").AuthyService>, reply: Reply) => {
  const stub = makeStub(() => reply)
  return Effect.map(Effect.provide(program, stub.layer()), (result) => {
    expect(stub.sent).toHaveLength(1)
    return { result, request: stub.sent[0] as SentRequest }
  })
}

const query = (request: SentRequest) => Object.fromEntries(request.url.searchParams)

const verifyBody = {
  message: "Token is valid.",
  token: "is valid",
  success: "true",
  device: {
    id: null,
    os_type: "sms",
    registration_date: 1500648405,
    registration_method: null,
    registration_country: null,
    registration_region: null,
    registration_city: null,
    country: null,
    region: null,
    city: null,
    ip: null,
    last_account_recovery_at: 1494631010,
    last_sync_date: null
  }
}

describe("requests", () => {
  it.effect("send the key only in X-Authy-API-Key, with the User-Agent", () =>
    Effect.gen(function*() {
      const { request } = yield* exchange(App.details(), json(200, { app: appBody, message: "m", success: true }))
      expect(request.headers["x-authy-api-key"]).toBe(apiKey)
      expect(request.headers["user-agent"]).toBe(`effect-authy/${version} (Node ${process.versions.node})`)
      expect(request.url.href).not.toContain(apiKey)
      expect(request.url.origin).toBe("https://api.authy.test")
    }))

  it("keeps the User-Agent version equal to package.json's", () => {
    expect(version).toBe(packageJson.version)
  })
})

describe("Users", () => {
  it.effect("create posts the user as JSON and decodes the id", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Users.create({ email: "a@b.co", cellphone: "405-342-5699", countryCode: 57, sendInstallLinkViaSms: false }),
        json(200, { message: "User created successfully.", user: { id: 1635 }, success: true })
      )
      expect(request.method).toBe("POST")
      expect(request.url.pathname).toBe("/protected/json/users/new")
      expect(request.body).toEqual({
        user: { email: "a@b.co", cellphone: "405-342-5699", country_code: 57 },
        send_install_link_via_sms: false
      })
      expect(result).toEqual({ message: "User created successfully.", user: { id: 1635 } })
    }))

  it.effect("create splits an E.164 cellphone into calling code and national number", () =>
    Effect.gen(function*() {
      const { request } = yield* exchange(
        Users.create({ email: "a@b.co", cellphone: "+57 405 342 5699" }),
        json(200, { message: "ok", user: { id: 1 }, success: true })
      )
      expect(request.body).toEqual({ user: { email: "a@b.co", cellphone: "4053425699", country_code: 57 } })
    }))

  it.effect("create defaults the calling code to 1, as Authy's clients do", () =>
    Effect.gen(function*() {
      const { request } = yield* exchange(
        Users.create({ email: "a@b.co", cellphone: "775-461-5609" }),
        json(200, { message: "ok", user: { id: 1 }, success: true })
      )
      expect(request.body).toMatchObject({ user: { country_code: 1 } })
    }))

  it.effect("status reads the user, passing user_ip in the query", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Users.status("290907", { userIp: "203.0.113.7" }),
        json(200, {
          status: {
            authy_id: 290907,
            confirmed: true,
            registered: false,
            country_code: 1,
            phone_number: "XXX-XXX-1118",
            devices: ["iphone", "ipad"],
            has_hard_token: false,
            account_disabled: false,
            detailed_devices: [{
              device_type: "authy",
              os_type: "unknown",
              registration_device_id: null,
              registration_method: null,
              device_id: 290908,
              last_sync_date: 0,
              creation_date: 1433868212
            }],
            deleted_devices: []
          },
          message: "User status.",
          success: true
        })
      )
      expect(request.method).toBe("GET")
      expect(request.url.pathname).toBe("/protected/json/users/290907/status")
      expect(query(request)).toEqual({ user_ip: "203.0.113.7" })
      expect(result.status).toMatchObject({
        authyId: 290907,
        confirmed: true,
        registered: false,
        countryCode: 1,
        phoneNumber: "XXX-XXX-1118",
        devices: ["iphone", "ipad"],
        detailedDevices: [{ deviceType: "authy", deviceId: 290908, creationDate: 1433868212 }]
      })
    }))

  it.effect("status decodes the minimal body Authy guarantees", () =>
    Effect.gen(function*() {
      const { result } = yield* exchange(
        Users.status(1),
        json(200, {
          status: { authy_id: "1", confirmed: false, registered: false, country_code: 1, phone_number: "XXX-XXX-1118", devices: [] },
          message: "User status.",
          success: true,
          something_new: 1
        })
      )
      expect(result.status.authyId).toBe(1)
      expect(result.status.detailedDevices).toBeUndefined()
    }))

  it.effect("remove posts to /remove with user_ip in the body", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Users.remove(1635, { userIp: "2001:db8::1" }),
        json(200, { message: "User removed from application", success: true })
      )
      expect(request.method).toBe("POST")
      expect(request.url.pathname).toBe("/protected/json/users/1635/remove")
      expect(request.body).toEqual({ user_ip: "2001:db8::1" })
      expect(result).toEqual({ message: "User removed from application" })
    }))

  it.effect("requestSms sends force, action and locale in the query", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Users.requestSms(1635, { force: true, action: "login", actionMessage: "Log in", locale: "es" }),
        json(200, { success: true, message: "SMS token was sent", cellphone: "+57-XXX-XXX-XX12" })
      )
      expect(request.method).toBe("GET")
      expect(request.url.pathname).toBe("/protected/json/sms/1635")
      expect(query(request)).toEqual({ force: "true", action: "login", action_message: "Log in", locale: "es" })
      expect(result).toEqual({ message: "SMS token was sent", cellphone: "+57-XXX-XXX-XX12", ignored: false })
    }))

  it.effect("requestSms reports an ignored SMS", () =>
    Effect.gen(function*() {
      const { result } = yield* exchange(
        Users.requestSms(1635),
        json(200, {
          message:
            "Ignored: SMS is not needed for smartphones. Pass force=true if you want to actually send it anyway.",
          cellphone: "+57-XXX-XXX-XX12",
          device: "android",
          ignored: true,
          success: true
        })
      )
      expect(result.ignored).toBe(true)
      expect(result.device).toBe("android")
    }))

  it.effect("requestCall calls /call and reports an ignored call", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Users.requestCall(1635),
        json(200, {
          message:
            "Call ignored. User is using  App Tokens and this call is not necessary. Pass force=true if you still want to call users that are using the App.",
          cellphone: "+57-XXX-XXX-XX12",
          device: "android",
          ignored: true,
          success: true
        })
      )
      expect(request.url.pathname).toBe("/protected/json/call/1635")
      expect(query(request)).toEqual({})
      expect(result.ignored).toBe(true)
    }))

  it.effect("requestCall decodes a started call", () =>
    Effect.gen(function*() {
      const { result } = yield* exchange(
        Users.requestCall(1635, { force: true }),
        json(200, { cellphone: "+351-XXX-XXX-XX67", message: "Call started...", success: true })
      )
      expect(result).toEqual({ cellphone: "+351-XXX-XXX-XX67", message: "Call started...", ignored: false })
    }))

  it.effect("registerActivity posts type, data and user_ip", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Users.registerActivity(1635, { type: "banned", data: { reason: "fraud" }, userIp: "203.0.113.7" }),
        json(200, { message: "Activity was created.", success: true })
      )
      expect(request.method).toBe("POST")
      expect(request.url.pathname).toBe("/protected/json/users/1635/register_activity")
      expect(request.body).toEqual({ type: "banned", data: { reason: "fraud" }, user_ip: "203.0.113.7" })
      expect(result.message).toBe("Activity was created.")
    }))

  it.effect("generateQrCode posts qr_size and label", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Users.generateQrCode(1635, { qrSize: 250, label: "Example" }),
        json(200, { qr_code: "https://example.test/qr.png", label: "Example", success: true })
      )
      expect(request.method).toBe("POST")
      expect(request.url.pathname).toBe("/protected/json/users/1635/secret")
      expect(request.body).toEqual({ qr_size: 250, label: "Example" })
      expect(result.qrCode).toBe("https://example.test/qr.png")
    }))
})

describe("Tokens", () => {
  it.effect("verify puts the token then the id in the path and forces by default", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(Tokens.verify(1635, "1234567"), json(200, verifyBody))
      expect(request.method).toBe("GET")
      expect(request.url.pathname).toBe("/protected/json/verify/1234567/1635")
      expect(query(request)).toEqual({ force: "true" })
      expect(result.token).toBe("is valid")
      expect(result.device).toMatchObject({ osType: "sms", registrationDate: 1500648405, lastSyncDate: null })
    }))

  it.effect("verify sends force=false when asked, and accepts a body without device", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Tokens.verify("1635", "0123456", { force: false }),
        json(200, { message: "Token is valid.", token: "is valid", success: true })
      )
      expect(query(request)).toEqual({ force: "false" })
      expect(result).toEqual({ message: "Token is valid.", token: "is valid" })
    }))
})

describe("OneTouch", () => {
  it.effect("sendRequest posts message, details, logos and expiry", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        OneTouch.sendRequest(1635, {
          message: "Log in?",
          details: { From: "Bogotá" },
          hiddenDetails: { ip: "203.0.113.7" },
          logos: [{ res: "default", url: "https://example.test/l.png" }],
          secondsToExpire: 120
        }),
        json(200, { approval_request: { uuid: "dda2c400-bc43-0135-d7be-1285ca17e122" }, success: true })
      )
      expect(request.method).toBe("POST")
      expect(request.url.pathname).toBe("/onetouch/json/users/1635/approval_requests")
      expect(request.body).toEqual({
        message: "Log in?",
        details: { From: "Bogotá" },
        hidden_details: { ip: "203.0.113.7" },
        logos: [{ res: "default", url: "https://example.test/l.png" }],
        seconds_to_expire: 120
      })
      expect(result).toEqual({ approvalRequest: { uuid: "dda2c400-bc43-0135-d7be-1285ca17e122" } })
    }))

  it.effect("getApprovalStatus decodes the record, with _authy_id as a string", () =>
    Effect.gen(function*() {
      const uuid = "8d031630-d15b-0134-b0a8-0a77bbe8093e"
      const { request, result } = yield* exchange(
        OneTouch.getApprovalStatus(uuid),
        json(200, {
          approval_request: {
            _app_name: "testhans",
            _app_serial_id: 46113,
            _authy_id: "28894864",
            _id: "589d12e07d558e6b91e9370a",
            _user_email: "hans+1@example.com",
            app_id: "58547f6f4014250a11c201f6",
            created_at: "2017-02-10T01:09:52Z",
            notified: false,
            processed_at: "2017-02-13T11:11:58Z",
            seconds_to_expire: 86400,
            status: "expired",
            updated_at: "2017-02-13T11:11:58Z",
            user_id: "5840a9328aa2fb674c485436",
            uuid
          },
          success: true
        })
      )
      expect(request.method).toBe("GET")
      expect(request.url.pathname).toBe(`/onetouch/json/approval_requests/${uuid}`)
      expect(result.approvalRequest).toMatchObject({
        authyId: 28894864,
        status: "expired",
        processedAt: "2017-02-13T11:11:58Z",
        createdAt: "2017-02-10T01:09:52Z",
        uuid
      })
    }))
})

describe("Phones", () => {
  it.effect("startVerification posts the phone and decodes an answer without carrier", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Phones.startVerification({ phoneNumber: "775-461-5609", countryCode: 1, via: "sms", codeLength: 6, locale: "en" }),
        json(200, {
          is_cellphone: false,
          message: "Text message sent to +1 775-461-5609.",
          seconds_to_expire: 599,
          uuid: "bec828c0-b535-0135-8e26-1226b57fac04",
          success: true
        })
      )
      expect(request.method).toBe("POST")
      expect(request.url.pathname).toBe("/protected/json/phones/verification/start")
      expect(request.body).toEqual({
        via: "sms",
        phone_number: "775-461-5609",
        country_code: 1,
        code_length: 6,
        locale: "en"
      })
      expect(result).toMatchObject({ isCellphone: false, secondsToExpire: 599 })
      expect(result.carrier).toBeUndefined()
    }))

  it.effect("startVerification accepts E.164 and a null carrier", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Phones.startVerification({ phoneNumber: "+1 775-461-5609", via: "call" }),
        json(200, { carrier: null, is_cellphone: true, message: "Call to +1 775-461-5609 initiated", success: true })
      )
      expect(request.body).toEqual({ via: "call", phone_number: "7754615609", country_code: 1 })
      expect(result.carrier).toBeNull()
    }))

  it.effect("checkVerification sends the code in the query", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Phones.checkVerification({ phoneNumber: "775-461-5609", countryCode: "1", verificationCode: "1234" }),
        json(200, { message: "Verification code is correct.", success: true })
      )
      expect(request.method).toBe("GET")
      expect(request.url.pathname).toBe("/protected/json/phones/verification/check")
      expect(query(request)).toEqual({ phone_number: "775-461-5609", country_code: "1", verification_code: "1234" })
      expect(result.message).toBe("Verification code is correct.")
    }))

  it.effect("info reads the phone's type and provider", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Phones.info({ phoneNumber: "+1 775 461 5609", userIp: "203.0.113.7" }),
        json(200, {
          message: "Phone number information as of 2016-02-20 18:09:18 UTC",
          ported: false,
          provider: "Pinger/TextFree",
          success: true,
          type: "voip"
        })
      )
      expect(request.url.pathname).toBe("/protected/json/phones/info")
      expect(query(request)).toEqual({ phone_number: "7754615609", country_code: "1", user_ip: "203.0.113.7" })
      expect(result).toMatchObject({ ported: false, provider: "Pinger/TextFree", type: "voip" })
    }))
})

const appBody = {
  app_id: 3,
  name: "Test",
  plan: "pay_as_you_go",
  sms_enabled: false,
  phone_calls_enabled: true,
  onetouch_enabled: true,
  white_label: false
}

describe("App", () => {
  it.effect("details decodes the application", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        App.details({ userIp: "203.0.113.7" }),
        json(200, { app: appBody, message: "Application information.", success: true })
      )
      expect(request.url.pathname).toBe("/protected/json/app/details")
      expect(query(request)).toEqual({ user_ip: "203.0.113.7" })
      expect(result.app).toEqual({
        appId: 3,
        name: "Test",
        plan: "pay_as_you_go",
        smsEnabled: false,
        phoneCallsEnabled: true,
        onetouchEnabled: true,
        whiteLabel: false
      })
    }))

  it.effect("stats decodes the monthly entries", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        App.stats(),
        json(200, {
          message: "Monthly statistics.",
          count: 1,
          total_users: 115,
          app_id: 3,
          success: true,
          stats: [{
            sms_count: 0,
            calls_count: 0,
            users_count: 1,
            auths_count: 0,
            month: "August",
            api_calls_count: 13,
            year: 2013
          }]
        })
      )
      expect(request.url.pathname).toBe("/protected/json/app/stats")
      expect(result).toMatchObject({ count: 1, totalUsers: 115, appId: 3 })
      expect(result.stats[0]).toEqual({
        smsCount: 0,
        callsCount: 0,
        usersCount: 1,
        authsCount: 0,
        month: "August",
        apiCallsCount: 13,
        year: 2013
      })
    }))
})

/**
 * Bad layer options (a JavaScript caller, a cast, a value read from a file)
 * do not kill the layer: it builds, and every call fails with a
 * ValidationError naming the option, before anything is sent — as a bad
 * `apiUrl` always did. `AuthyService.layer` keeps its `never` error type.
 */
describe("layer options", () => {
  const bad = <K extends keyof AuthyService.Options>(key: K, value: unknown) => ({ [key]: value }) as Partial<AuthyService.Options>

  const cases: ReadonlyArray<readonly [string, Partial<AuthyService.Options>, string]> = [
    ["timeout not a duration", bad("timeout", "abc"), "timeout"],
    ["timeout of zero", bad("timeout", 0), "timeout"],
    ["timeout NaN", bad("timeout", NaN), "timeout"],
    ["totalTimeout not a duration", bad("totalTimeout", { seconds: 3 }), "totalTimeout"],
    ["retry not a policy", bad("retry", "never"), "retry"],
    ["retry with a non-duration delay", bad("retry", { ...RetryPolicy.defaults, baseDelay: "abc" }), "retry.baseDelay"],
    ["rateLimit without an interval", bad("rateLimit", { limit: 5, interval: "abc" }), "rateLimit.interval"],
    ["rateLimit with a limit of NaN", bad("rateLimit", { limit: NaN, interval: "1 second" }), "rateLimit.limit"],
    ["maxConcurrency of zero", bad("maxConcurrency", 0), "maxConcurrency"],
    ["userAgent with a line break", bad("userAgent", "me\r\nx-injected: 1"), "userAgent"],
    ["apiKey not Redacted", bad("apiKey", "plain-key"), "apiKey"],
    ["apiKey empty", bad("apiKey", Redacted.make("")), "apiKey"],
    ["apiKey with a line break", bad("apiKey", Redacted.make("key\nx-injected: 1")), "apiKey"],
    ["transformClient not a function", bad("transformClient", 1), "transformClient"]
  ]

  for (const [name, options, field] of cases) {
    it.effect(`${name}: the layer builds, calls fail with ValidationError(${field}), nothing sent`, () =>
      Effect.gen(function*() {
        const stub = makeStub(() => json(200, { success: true }))
        const exit = yield* Effect.exit(Effect.provide(Users.status(1), stub.layer(options)))
        expect(exit).toMatchObject({ _tag: "Failure", cause: { _tag: "Fail", error: { _tag: "ValidationError", field } } })
        expect(stub.sent).toHaveLength(0)
        const error = JSON.stringify(exit)
        expect(error).not.toContain("plain-key")
        expect(error).not.toContain("x-injected")
      }))
  }
})
