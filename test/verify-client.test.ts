/**
 * Every Verify program against a stub HttpClient: what goes on the wire
 * (method, path, form body, headers), and what Twilio's bodies (the
 * contract's fixtures) decode to.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, ConfigProvider, Effect, Exit, Fiber, Layer, Redacted, Schedule, Stream, TestClock } from "effect"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import {
  Challenges,
  Entities,
  Factors,
  Lookup,
  Services,
  Verifications,
  VerifyService,
  Webhooks
} from "effect-authy/verify"
import {
  accountSid,
  authToken,
  formOf,
  json,
  makeStub,
  type Reply,
  type SentRequest,
  serviceSid,
  twilioError
} from "./util/verifyStub.js"

const VE = `VE${"c".repeat(32)}`
const YF = `YF${"d".repeat(32)}`
const YC = `YC${"e".repeat(32)}`
const YW = `YW${"f".repeat(32)}`
const identity = "ff483d1f-f591-898a"

/** Runs one program against a stub answering `reply`; returns the result and the one request sent. */
const exchange = <A, E>(program: Effect.Effect<A, E, VerifyService>, reply: Reply) => {
  const stub = makeStub(() => reply)
  return Effect.map(Effect.provide(program, stub.layer()), (result) => {
    expect(stub.sent).toHaveLength(1)
    return { result, request: stub.sent[0] as SentRequest }
  })
}

/** A program expected to be refused before anything is sent. */
const refused = <A, E>(program: Effect.Effect<A, E, VerifyService>) => {
  const stub = makeStub(() => json(500, "unused"))
  return Effect.map(Effect.flip(Effect.provide(program, stub.layer())), (error) => {
    expect(stub.sent).toHaveLength(0)
    expect(error).toMatchObject({ _tag: "ValidationError", service: "Verify" })
    return error as E & { readonly field: string; readonly message: string }
  })
}

const verificationBody = (status = "pending") => ({
  sid: VE,
  service_sid: serviceSid,
  account_sid: accountSid,
  to: "+15017122661",
  channel: "sms",
  status,
  valid: false,
  date_created: "2015-07-30T20:00:00Z",
  date_updated: "2015-07-30T20:00:00Z",
  lookup: {},
  amount: null,
  payee: null,
  send_code_attempts: [{ time: "2015-07-30T20:00:00Z", channel: "SMS", attempt_sid: `VL${"0".repeat(32)}` }],
  sna: null,
  url: `https://verify.twilio.com/v2/Services/${serviceSid}/Verifications/${VE}`
})

const checkBody = (status: string, valid: boolean) => ({
  sid: VE,
  service_sid: serviceSid,
  account_sid: accountSid,
  to: "+15017122661",
  channel: "sms",
  status,
  valid,
  amount: null,
  payee: null,
  date_created: "2015-07-30T20:00:00Z",
  date_updated: "2015-07-30T20:00:00Z"
})

const factorBody = (status = "unverified", withBinding = false) => ({
  sid: YF,
  account_sid: accountSid,
  service_sid: serviceSid,
  entity_sid: `YE${"0".repeat(32)}`,
  identity,
  ...(withBinding
    ? {
      binding: {
        secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        uri: "otpauth://totp/test-issuer:John%E2%80%99s%20Account%20Name?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=test-issuer&algorithm=SHA1&digits=6&period=30"
      }
    }
    : {}),
  date_created: "2015-07-30T20:00:00Z",
  date_updated: "2015-07-30T20:00:00Z",
  friendly_name: "friendly_name",
  status,
  factor_type: "totp",
  config: { alg: "sha1", skew: 1, code_length: 6, time_step: 30 },
  metadata: null,
  url: `https://verify.twilio.com/v2/Services/${serviceSid}/Entities/${identity}/Factors/${YF}`
})

const challengeBody = (status = "pending", expirationDate = "2015-07-30T20:05:00Z") => ({
  sid: YC,
  account_sid: accountSid,
  service_sid: serviceSid,
  entity_sid: `YE${"0".repeat(32)}`,
  identity,
  factor_sid: YF,
  date_created: "2015-07-30T20:00:00Z",
  date_updated: "2015-07-30T20:00:00Z",
  date_responded: null,
  expiration_date: expirationDate,
  status,
  responded_reason: "none",
  details: { message: "Hi! Mr. John Doe, would you like to sign up?", fields: [{ label: "Action", value: "Sign up in portal" }] },
  hidden_details: { ip: "172.168.1.234" },
  metadata: null,
  factor_type: "push",
  url: `https://verify.twilio.com/v2/Services/${serviceSid}/Entities/${identity}/Challenges/${YC}`,
  links: { notifications: "…" }
})

const webhookBody = {
  sid: YW,
  service_sid: serviceSid,
  account_sid: accountSid,
  friendly_name: "name",
  event_types: ["factor.deleted", "factor.verified"],
  status: "enabled",
  version: "v2",
  webhook_url: "https://owlbank.twilio.com",
  webhook_method: "POST",
  date_created: "2015-07-30T20:00:00Z",
  date_updated: "2015-07-30T20:00:00Z",
  url: `https://verify.twilio.com/v2/Services/${serviceSid}/Webhooks/${YW}`
}

const serviceBody = {
  sid: serviceSid,
  account_sid: accountSid,
  friendly_name: "name",
  code_length: 4,
  lookup_enabled: false,
  psd2_enabled: false,
  skip_sms_to_landlines: false,
  dtmf_input_required: false,
  tts_name: "name",
  do_not_share_warning_enabled: false,
  custom_code_enabled: true,
  push: { include_date: false, apn_credential_sid: `CR${"0".repeat(32)}`, fcm_credential_sid: null },
  totp: { issuer: "test-issuer", time_step: 30, code_length: 3, skew: 2 },
  default_template_sid: `HJ${"0".repeat(32)}`,
  mailer_sid: "ignored",
  date_created: "2015-07-30T20:00:00Z",
  date_updated: "2015-07-30T20:00:00Z",
  url: `https://verify.twilio.com/v2/Services/${serviceSid}`,
  links: {}
}

const page = (key: string, items: ReadonlyArray<unknown>, next: string | null) => ({
  [key]: items,
  meta: { page: 0, page_size: 50, first_page_url: "…", previous_page_url: null, url: "…", next_page_url: next, key }
})

describe("transport", () => {
  it.effect("authenticates with Basic account SID and auth token, only in Authorization", () =>
    Effect.gen(function*() {
      const { request } = yield* exchange(Verifications.fetch(VE), json(200, verificationBody()))
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`)
      expect(request.headers.accept).toBe("application/json")
      expect(request.url.href).not.toContain(authToken)
      expect(request.url.origin).toBe("https://verify.twilio.test")
    }))

  it.effect("an API key (SK… and secret) signs the requests in place of the auth token", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => json(200, verificationBody()))
      const apiKey = { sid: `SK${"1".repeat(32)}`, secret: Redacted.make("api-key-secret") }
      yield* Effect.provide(Verifications.fetch(VE), stub.layer({ apiKey }))
      expect(stub.sent[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${apiKey.sid}:api-key-secret`).toString("base64")}`)
    }))

  it.effect("POST bodies are form-encoded with Twilio's parameter names", () =>
    Effect.gen(function*() {
      const { request } = yield* exchange(
        Verifications.start({ to: "+1 (501) 712-2661", channel: "sms", locale: "en" }),
        json(201, verificationBody())
      )
      expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(request.rawBody).toBe("To=%2B15017122661&Channel=sms&Locale=en")
    }))

  it.effect("an unusable option fails every call with a ValidationError naming it, nothing sent", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => json(200, verificationBody()))
      for (
        const [options, field] of [
          [{ serviceSid: "VA123" }, "serviceSid"],
          [{ accountSid: "SK" + "0".repeat(32) }, "accountSid"],
          [{ baseUrl: "http://verify.example.com" }, "baseUrl"],
          [{ authToken: "plain" as unknown as Redacted.Redacted<string> }, "authToken"],
          [{ timeout: "abc" as unknown as number }, "timeout"]
        ] as const
      ) {
        const error = yield* Effect.flip(Effect.provide(Verifications.fetch(VE), stub.layer(options)))
        expect(error).toMatchObject({ _tag: "ValidationError", field, service: "Verify" })
      }
      expect(stub.sent).toHaveLength(0)
    }))

  it.effect("layerConfig reads TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_VERIFY_SERVICE_SID", () =>
    Effect.gen(function*() {
      const sent: Array<URL> = []
      const client = HttpClient.make((request, url) => {
        sent.push(url)
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(JSON.stringify(serviceBody), { status: 200 })))
      })
      const config = ConfigProvider.fromMap(
        new Map([
          ["TWILIO_ACCOUNT_SID", accountSid],
          ["TWILIO_AUTH_TOKEN", authToken],
          ["TWILIO_VERIFY_SERVICE_SID", serviceSid],
          ["TWILIO_VERIFY_URL", "https://verify.config.test"]
        ])
      )
      const layer = VerifyService.layerConfig().pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, client)),
        Layer.provide(Layer.setConfigProvider(config))
      )
      const service = yield* Effect.provide(Services.fetch(), layer)
      expect(service.sid).toBe(serviceSid)
      expect(sent[0]?.href).toBe(`https://verify.config.test/v2/Services/${serviceSid}`)
    }))
})

describe("Services", () => {
  it.effect("create posts the settings and decodes the 201", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Services.create({ friendlyName: "Example", codeLength: 6, customCodeEnabled: true, totp: { issuer: "Ex", skew: 1 } }),
        json(201, serviceBody)
      )
      expect(request.method).toBe("POST")
      expect(request.url.pathname).toBe("/v2/Services")
      expect(formOf(request)).toEqual({
        FriendlyName: "Example",
        CodeLength: "6",
        CustomCodeEnabled: "true",
        "Totp.Issuer": "Ex",
        "Totp.Skew": "1"
      })
      expect(result).toMatchObject({
        sid: serviceSid,
        friendlyName: "name",
        codeLength: 4,
        customCodeEnabled: true,
        push: { includeDate: false, fcmCredentialSid: null },
        totp: { issuer: "test-issuer", timeStep: 30, codeLength: 3, skew: 2 }
      })
    }))

  it.effect("fetch reads the layer's service, or the one given", () =>
    Effect.gen(function*() {
      const mine = yield* exchange(Services.fetch(), json(200, serviceBody))
      expect(mine.request.url.pathname).toBe(`/v2/Services/${serviceSid}`)
      const other = `VA${"9".repeat(32)}`
      const theirs = yield* exchange(Services.fetch(other), json(200, serviceBody))
      expect(theirs.request.url.pathname).toBe(`/v2/Services/${other}`)
    }))

  it.effect("update sends only the settings given", () =>
    Effect.gen(function*() {
      const { request } = yield* exchange(Services.update({ lookupEnabled: true }), json(200, serviceBody))
      expect(request.url.pathname).toBe(`/v2/Services/${serviceSid}`)
      expect(formOf(request)).toEqual({ LookupEnabled: "true" })
    }))

  it.effect("refuses a code length out of 4..10 and a name past 30 characters", () =>
    Effect.gen(function*() {
      expect((yield* refused(Services.create({ friendlyName: "x", codeLength: 11 }))).field).toBe("codeLength")
      expect((yield* refused(Services.create({ friendlyName: "x".repeat(31) }))).field).toBe("friendlyName")
    }))
})

describe("Verifications", () => {
  it.effect("start decodes the 201, camelCased", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Verifications.start({ to: "+15017122661", channel: "call", customCode: "8675", customFriendlyName: "Owl" }),
        json(201, verificationBody())
      )
      expect(request.url.pathname).toBe(`/v2/Services/${serviceSid}/Verifications`)
      expect(formOf(request)).toEqual({ To: "+15017122661", Channel: "call", CustomCode: "8675", CustomFriendlyName: "Owl" })
      expect(result).toMatchObject({
        sid: VE,
        status: "pending",
        to: "+15017122661",
        sendCodeAttempts: [{ channel: "SMS", attemptSid: `VL${"0".repeat(32)}` }]
      })
    }))

  it.effect("start by e-mail sends the address", () =>
    Effect.gen(function*() {
      const { request } = yield* exchange(Verifications.start({ to: "ada@example.com", channel: "email" }), json(201, verificationBody()))
      expect(formOf(request)).toEqual({ To: "ada@example.com", Channel: "email" })
    }))

  it.effect("start refuses a number without +, a bad channel, a short custom code: nothing sent", () =>
    Effect.gen(function*() {
      expect((yield* refused(Verifications.start({ to: "5017122661", channel: "sms" }))).field).toBe("to")
      expect((yield* refused(Verifications.start({ to: "+15017122661", channel: "fax" as "sms" }))).field).toBe("channel")
      expect((yield* refused(Verifications.start({ to: "+15017122661", channel: "sms", customCode: "12" }))).field).toBe("customCode")
    }))

  it.effect("fetch, cancel and approve address one verification", () =>
    Effect.gen(function*() {
      const fetched = yield* exchange(Verifications.fetch(VE), json(200, verificationBody()))
      expect(fetched.request.method).toBe("GET")
      expect(fetched.request.url.pathname).toBe(`/v2/Services/${serviceSid}/Verifications/${VE}`)
      const canceled = yield* exchange(Verifications.cancel(VE), json(200, verificationBody("canceled")))
      expect(formOf(canceled.request)).toEqual({ Status: "canceled" })
      expect(canceled.result.status).toBe("canceled")
      const approved = yield* exchange(Verifications.approve(VE), json(200, verificationBody("approved")))
      expect(formOf(approved.request)).toEqual({ Status: "approved" })
    }))

  it.effect("check by `to`: the right code is approved", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Verifications.check({ to: "+15017122661", code: "123456" }),
        json(200, checkBody("approved", true))
      )
      expect(request.url.pathname).toBe(`/v2/Services/${serviceSid}/VerificationCheck`)
      expect(formOf(request)).toEqual({ Code: "123456", To: "+15017122661" })
      expect(result).toMatchObject({ status: "approved", valid: true })
    }))

  it.effect("check: a wrong code is a success with valid: false, not an error (201 accepted too)", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Verifications.check({ verificationSid: VE, code: "000000" }),
        json(201, checkBody("pending", false))
      )
      expect(formOf(request)).toEqual({ Code: "000000", VerificationSid: VE })
      expect(result).toMatchObject({ status: "pending", valid: false })
    }))

  it.effect("check needs exactly one of to and verificationSid, and a 4..10 digit code", () =>
    Effect.gen(function*() {
      expect((yield* refused(Verifications.check({ code: "123456" } as never))).field).toBe("to")
      expect((yield* refused(Verifications.check({ to: "+15017122661", verificationSid: VE, code: "123456" } as never))).field)
        .toBe("to")
      expect((yield* refused(Verifications.check({ to: "+15017122661", code: "12" }))).field).toBe("code")
      expect((yield* refused(Verifications.check({ verificationSid: "VE12", code: "1234" }))).field).toBe("verificationSid")
    }))

  it.effect("a finished verification is an ApiError 20404 with Twilio's code, status, message and moreInfo", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => twilioError(404, 20404, `The requested resource /Services/${serviceSid}/VerificationCheck was not found`))
      const error = yield* Effect.flip(Effect.provide(Verifications.check({ to: "+15017122661", code: "123456" }), stub.layer()))
      expect(error).toMatchObject({
        _tag: "ApiError",
        service: "Verify",
        reason: "ErrorResponse",
        status: 404,
        errorCode: "20404",
        moreInfo: "https://www.twilio.com/docs/errors/20404"
      })
      expect(error.message).toContain("(Twilio Verify error 20404)")
    }))

  it.effect("60202 and 60203 come back as ApiErrors with their codes", () =>
    Effect.gen(function*() {
      for (const code of [60202, 60203]) {
        const stub = makeStub(() => twilioError(429, code, "Max attempts reached"))
        const error = yield* Effect.flip(Effect.provide(Verifications.start({ to: "+15017122661", channel: "sms" }), stub.layer()))
        expect(error).toMatchObject({ _tag: "ApiError", status: 429, errorCode: String(code) })
      }
    }))
})

describe("Entities and TOTP factors", () => {
  it.effect("createTotp posts the factor and returns its secret and otpauth URI once", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Factors.createTotp(identity, { friendlyName: "Ada's phone", secret: "gezdgnbvgy3tqojqgezdgnbvgy3tqojq==", codeLength: 6, skew: 1, timeStep: 30, alg: "sha1" }),
        json(201, factorBody("unverified", true))
      )
      expect(request.url.pathname).toBe(`/v2/Services/${serviceSid}/Entities/${identity}/Factors`)
      expect(formOf(request)).toEqual({
        FriendlyName: "Ada's phone",
        FactorType: "totp",
        "Binding.Secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "Config.TimeStep": "30",
        "Config.CodeLength": "6",
        "Config.Skew": "1",
        "Config.Alg": "sha1"
      })
      expect(result.binding?.secret).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
      expect(result.binding?.uri).toMatch(/^otpauth:\/\/totp\//)
      expect(result).toMatchObject({ status: "unverified", factorType: "totp", config: { codeLength: 6, timeStep: 30 } })
    }))

  it.effect("verifyTotp posts the code as AuthPayload; a wrong code leaves the factor unverified", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(Factors.verifyTotp(identity, YF, "123456"), json(200, factorBody("unverified")))
      expect(request.url.pathname).toBe(`/v2/Services/${serviceSid}/Entities/${identity}/Factors/${YF}`)
      expect(formOf(request)).toEqual({ AuthPayload: "123456" })
      expect(result.status).toBe("unverified")
    }))

  it.effect("fetch, remove (204) and list, following next_page_url", () =>
    Effect.gen(function*() {
      const fetched = yield* exchange(Factors.fetch(identity, YF), json(200, factorBody("verified")))
      expect(fetched.result.status).toBe("verified")
      const removed = yield* exchange(Factors.remove(identity, YF), { status: 204, body: "" })
      expect(removed.request.method).toBe("DELETE")
      expect(removed.result).toBeUndefined()

      const path = `/v2/Services/${serviceSid}/Entities/${identity}/Factors`
      const stub = makeStub((request) =>
        request.url.searchParams.get("PageToken") === null
          ? json(200, page("factors", [factorBody()], `https://verify.twilio.com${path}?PageSize=1&Page=1&PageToken=PT2`))
          : json(200, page("factors", [factorBody("verified")], null))
      )
      const all = yield* Effect.provide(Stream.runCollect(Factors.list(identity, { pageSize: 1 })), stub.layer())
      expect(Chunk.toReadonlyArray(all).map((f) => f.status)).toEqual(["unverified", "verified"])
      expect(stub.sent.map((r) => r.url.href)).toEqual([
        `https://verify.twilio.test${path}?PageSize=1`,
        `https://verify.twilio.test${path}?PageSize=1&Page=1&PageToken=PT2`
      ])
    }))

  it.effect("paging never follows a link to another resource, nor sends the credentials elsewhere", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => json(200, page("factors", [factorBody()], "https://evil.example/v2/Services/other?PageToken=x")))
      const all = yield* Effect.provide(Stream.runCollect(Factors.list(identity)), stub.layer())
      expect(Chunk.size(all)).toBe(1)
      expect(stub.sent).toHaveLength(1)
    }))

  it.effect("Entities.fetch and Entities.remove", () =>
    Effect.gen(function*() {
      const fetched = yield* exchange(
        Entities.fetch(identity),
        json(200, { sid: `YE${"0".repeat(32)}`, identity, account_sid: accountSid, service_sid: serviceSid, date_created: null, date_updated: null, url: "…" })
      )
      expect(fetched.request.url.pathname).toBe(`/v2/Services/${serviceSid}/Entities/${identity}`)
      expect(fetched.result.identity).toBe(identity)
      const removed = yield* exchange(Entities.remove(identity), { status: 204, body: "" })
      expect(removed.request.method).toBe("DELETE")
    }))

  it.effect("refuses an identity that is too short or not dash-separated alphanumerics, and a bad seed", () =>
    Effect.gen(function*() {
      expect((yield* refused(Entities.remove("short"))).field).toBe("identity")
      expect((yield* refused(Entities.remove("ada lovelace 1815"))).field).toBe("identity")
      expect((yield* refused(Factors.createTotp(identity, { friendlyName: "x", secret: "not base32!" }))).field).toBe("secret")
      expect((yield* refused(Factors.verifyTotp(identity, YF, "12"))).field).toBe("code")
    }))
})

describe("Challenges", () => {
  it.effect("a TOTP challenge carries the code as AuthPayload and is approved at once", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Challenges.create(identity, { factorSid: YF, code: "123456" }),
        json(201, { ...challengeBody("approved"), factor_type: "totp", details: null, hidden_details: null })
      )
      expect(request.url.pathname).toBe(`/v2/Services/${serviceSid}/Entities/${identity}/Challenges`)
      expect(formOf(request)).toEqual({ FactorSid: YF, AuthPayload: "123456" })
      expect(result).toMatchObject({ status: "approved", factorType: "totp" })
    }))

  it.effect("a push challenge carries its message, JSON fields (repeated), hidden details and expiry", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Challenges.create(identity, {
          factorSid: YF,
          message: "Log in?",
          fields: [{ label: "Action", value: "Login" }, { label: "IP", value: "10.0.0.1" }],
          hiddenDetails: { ip: "172.168.1.234" },
          expiresIn: "5 minutes"
        }),
        json(201, challengeBody())
      )
      expect(request.form).toEqual([
        ["FactorSid", YF],
        ["Details.Message", "Log in?"],
        ["Details.Fields", JSON.stringify({ label: "Action", value: "Login" })],
        ["Details.Fields", JSON.stringify({ label: "IP", value: "10.0.0.1" })],
        ["HiddenDetails", JSON.stringify({ ip: "172.168.1.234" })],
        // The TestClock starts at 0.
        ["ExpirationDate", "1970-01-01T00:05:00Z"]
      ])
      expect(result).toMatchObject({
        status: "pending",
        details: { fields: [{ label: "Action", value: "Sign up in portal" }] },
        hiddenDetails: { ip: "172.168.1.234" }
      })
    }))

  it.effect("refuses more than 20 fields, a label past 36, an expiry past 60 minutes", () =>
    Effect.gen(function*() {
      const field = { label: "a", value: "b" }
      expect((yield* refused(Challenges.create(identity, { factorSid: YF, message: "m", fields: Array(21).fill(field) }))).field)
        .toBe("fields")
      expect((yield* refused(Challenges.create(identity, { factorSid: YF, message: "m", fields: [{ label: "x".repeat(37), value: "v" }] })))
        .field).toBe("fields[0].label")
      expect((yield* refused(Challenges.create(identity, { factorSid: YF, message: "m", expiresIn: "61 minutes" }))).field)
        .toBe("expiresIn")
    }))

  it.effect("fetch and list (with filters)", () =>
    Effect.gen(function*() {
      const fetched = yield* exchange(Challenges.fetch(identity, YC), json(200, challengeBody()))
      expect(fetched.request.url.pathname).toBe(`/v2/Services/${serviceSid}/Entities/${identity}/Challenges/${YC}`)
      const stub = makeStub(() => json(200, page("challenges", [challengeBody(), challengeBody("approved")], null)))
      const listed = yield* Effect.provide(
        Stream.runCollect(Challenges.list(identity, { factorSid: YF, status: "pending", order: "desc" })),
        stub.layer()
      )
      expect(Chunk.size(listed)).toBe(2)
      expect(Object.fromEntries(stub.sent[0]!.url.searchParams)).toEqual({ FactorSid: YF, Status: "pending", Order: "desc" })
    }))

  it.effect("awaitChallenge polls on the schedule until the challenge is answered", () =>
    Effect.gen(function*() {
      let polls = 0
      const stub = makeStub(() => json(200, challengeBody(++polls < 3 ? "pending" : "approved", "1970-01-01T00:05:00Z")))
      const fiber = yield* Effect.fork(
        Effect.provide(Challenges.awaitChallenge(identity, YC, { schedule: Schedule.spaced("2 seconds") }), stub.layer())
      )
      yield* TestClock.adjust("1999 millis")
      expect(stub.sent).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect(stub.sent).toHaveLength(2)
      yield* TestClock.adjust("2 seconds")
      const challenge = yield* Fiber.join(fiber)
      expect(challenge.status).toBe("approved")
      expect(stub.sent).toHaveLength(3)
      expect(stub.sent.every((r) => r.method === "GET")).toBe(true)
    }))

  it.effect("awaitChallenge never polls past the expiry: the poll after it is the last", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => json(200, challengeBody("pending", "1970-01-01T00:00:10Z")))
      const fiber = yield* Effect.fork(
        Effect.provide(Challenges.awaitChallenge(identity, YC, { schedule: Schedule.spaced("4 seconds") }), stub.layer())
      )
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isSuccess(exit) && exit.value.status).toBe("pending")
      // At 0, 4 and 8 seconds, then once just after the expiry (10 s + 1 s grace).
      expect(stub.sent).toHaveLength(4)
    }))

  it.effect("statusChanges streams one answer per status", () =>
    Effect.gen(function*() {
      let polls = 0
      const stub = makeStub(() => json(200, challengeBody(++polls < 3 ? "pending" : "denied")))
      const fiber = yield* Effect.fork(
        Effect.provide(Stream.runCollect(Challenges.statusChanges(identity, YC, { schedule: Schedule.spaced("1 second") })), stub.layer())
      )
      yield* TestClock.adjust("5 seconds")
      const statuses = Chunk.toReadonlyArray(yield* Fiber.join(fiber)).map((c) => c.status)
      expect(statuses).toEqual(["pending", "denied"])
    }))

  it.effect("awaitChallenge refuses a bad challenge SID, nothing sent", () =>
    Effect.gen(function*() {
      expect((yield* refused(Challenges.awaitChallenge(identity, "YC1"))).field).toBe("challengeSid")
    }))
})

describe("Webhooks", () => {
  it.effect("create sends EventTypes as a repeated key", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Webhooks.create({
          friendlyName: "login",
          eventTypes: ["challenge.approved", "challenge.denied"],
          webhookUrl: "https://example.com/hook",
          version: "v2"
        }),
        json(201, webhookBody)
      )
      expect(request.url.pathname).toBe(`/v2/Services/${serviceSid}/Webhooks`)
      expect(request.form).toEqual([
        ["FriendlyName", "login"],
        ["EventTypes", "challenge.approved"],
        ["EventTypes", "challenge.denied"],
        ["WebhookUrl", "https://example.com/hook"],
        ["Version", "v2"]
      ])
      expect(result).toMatchObject({ sid: YW, eventTypes: ["factor.deleted", "factor.verified"], webhookMethod: "POST" })
    }))

  it.effect("fetch, list and remove", () =>
    Effect.gen(function*() {
      expect((yield* exchange(Webhooks.fetch(YW), json(200, webhookBody))).result.sid).toBe(YW)
      const stub = makeStub(() => json(200, page("webhooks", [webhookBody], null)))
      expect(Chunk.size(yield* Effect.provide(Stream.runCollect(Webhooks.list()), stub.layer()))).toBe(1)
      const removed = yield* exchange(Webhooks.remove(YW), { status: 204, body: "" })
      expect(removed.request.method).toBe("DELETE")
      expect(removed.request.url.pathname).toBe(`/v2/Services/${serviceSid}/Webhooks/${YW}`)
    }))

  it.effect("refuses an unknown event type and a URL that is not http(s)", () =>
    Effect.gen(function*() {
      const base = { friendlyName: "x", webhookUrl: "https://example.com/hook" }
      expect((yield* refused(Webhooks.create({ ...base, eventTypes: ["challenge.expired" as "*"] }))).field).toBe("eventTypes")
      expect((yield* refused(Webhooks.create({ ...base, eventTypes: ["*"], webhookUrl: "ftp://x" }))).field).toBe("webhookUrl")
    }))
})

describe("Lookup", () => {
  it.effect("phoneNumber asks Lookup's host for line type intelligence", () =>
    Effect.gen(function*() {
      const { request, result } = yield* exchange(
        Lookup.phoneNumber("+1 415-992-9960"),
        json(200, {
          calling_country_code: "1",
          country_code: "US",
          phone_number: "+14159929960",
          national_format: "(415) 992-9960",
          valid: true,
          validation_errors: [],
          caller_name: null,
          line_type_intelligence: {
            error_code: null,
            mobile_country_code: "240",
            mobile_network_code: "38",
            carrier_name: "Twilio - SMS/MMS-SVR",
            type: "nonFixedVoip"
          },
          url: "https://lookups.twilio.com/v2/PhoneNumbers/+14159929960"
        })
      )
      expect(request.url.origin).toBe("https://lookups.twilio.test")
      expect(request.url.pathname).toBe("/v2/PhoneNumbers/%2B14159929960")
      expect(Object.fromEntries(request.url.searchParams)).toEqual({ Fields: "line_type_intelligence" })
      expect(result).toMatchObject({ valid: true, lineTypeIntelligence: { carrierName: "Twilio - SMS/MMS-SVR", type: "nonFixedVoip" } })
    }))

  it.effect("an invalid number is a success with valid: false", () =>
    Effect.gen(function*() {
      const { result } = yield* exchange(
        Lookup.phoneNumber("4159929960", { countryCode: "US", fields: [] }),
        json(200, { phone_number: "4159929960", valid: false, validation_errors: ["TOO_SHORT"], line_type_intelligence: null })
      )
      expect(result).toMatchObject({ valid: false, validationErrors: ["TOO_SHORT"] })
    }))

  it.effect("Lookup errors name the Lookup service", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => twilioError(404, 20404, "not found"))
      const error = yield* Effect.flip(Effect.provide(Lookup.phoneNumber("+14159929960"), stub.layer()))
      expect(error).toMatchObject({ _tag: "ApiError", service: "Lookup", errorCode: "20404" })
      const refusal = yield* refusedLookup(Lookup.phoneNumber("+1 415", { fields: ["nope" as "validation"] }))
      expect(refusal).toMatchObject({ service: "Lookup", field: "fields" })
    }))
})

const refusedLookup = <A, E>(program: Effect.Effect<A, E, VerifyService>) => {
  const stub = makeStub(() => json(500, "unused"))
  return Effect.map(Effect.flip(Effect.provide(program, stub.layer())), (error) => {
    expect(stub.sent).toHaveLength(0)
    return error
  })
}
