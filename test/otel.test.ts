/**
 * Tracing as a user's Jaeger or Honeycomb receives it: every endpoint, Authy
 * and Verify, succeeding and failing against the emulator over real HTTP,
 * under `@effect/opentelemetry`'s `NodeSdk.layer` with the OpenTelemetry
 * SDK's in-memory exporter. The exported spans name the endpoint and carry
 * the route, the status and the error code — and no API key, auth token,
 * code or full phone number, in any attribute, event or status.
 */
import { NodeSdk } from "@effect/opentelemetry"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Chunk, Effect, Exit, Layer, Logger, LogLevel, Redacted, Stream } from "effect"
import { App, AuthyService, OneTouch, Phones, Tokens, Users } from "effect-authy"
import { Emulator } from "effect-authy/emulator"
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

const apiKey = "otel-api-key-5f2c9a71"
const account = { accountSid: `AC${"7e".repeat(16)}`, authToken: "otel-auth-token-9d3e44" }
const placeholderService = `VA${"0".repeat(32)}`
const cellphone = { digits: "3053425699", countryCode: 57 }
const verifyPhone = "+14159929960"
const identity = "ada-otel-1815"

/** Every form of a phone number a leak could take. */
const phoneForms = (national: string, countryCode: number): ReadonlyArray<string> => [
  national,
  `${countryCode}${national}`,
  `+${countryCode}${national}`,
  `${national.slice(0, 3)}-${national.slice(3, 6)}-${national.slice(6)}`,
  `${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`
]

/** The secrets of the run: fixed ones, and every code the emulator sent or the flows tried. */
const secrets = new Set<string>([
  apiKey,
  account.authToken,
  ...phoneForms(cellphone.digits, cellphone.countryCode),
  ...phoneForms("2015550123", 1),
  ...phoneForms("2015550000", 1),
  verifyPhone,
  verifyPhone.slice(1),
  "4159929960"
])
const secret = (value: string): string => {
  secrets.add(value)
  return value
}
const wrongCode = (code: string) => secret(code.startsWith("0") ? code.replace(/^0/, "1") : code.replace(/^\d/, "0"))

const exporter = new InMemorySpanExporter()

/** How an application turns tracing on: the SDK's layer with a span processor. */
const TracingLive = NodeSdk.layer(() => ({
  resource: { serviceName: "effect-authy-otel-test" },
  spanProcessor: new SimpleSpanProcessor(exporter)
}))

const EmulatorLive = Layer.merge(Emulator.layer({ apiKeys: [apiKey], accounts: [account] }), NodeHttpClient.layerUndici)

const AuthyLive = Layer.unwrapEffect(
  Effect.map(Emulator, (emulator) => AuthyService.layer({ apiKey: Redacted.make(apiKey), apiUrl: emulator.url }))
)

const verifyLayer = (serviceSid: string) =>
  Layer.unwrapEffect(
    Effect.map(Emulator, (emulator) =>
      VerifyService.layer({
        accountSid: account.accountSid,
        authToken: Redacted.make(account.authToken),
        baseUrl: emulator.url,
        lookupUrl: emulator.url,
        serviceSid
      })
    )
  )

/** Runs a call as an application would: in its own span, logging a failure, and goes on. */
const call = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.tapError((error) => Effect.logError("call failed", error)),
    Effect.withSpan("app.request"),
    Effect.exit
  )

const succeeded = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success, got ${exit.cause.toString()}`)
  return exit.value
}

const authyFlow = Effect.gen(function*() {
  const control = (yield* Emulator).control
  const phone = { phoneNumber: "201-555-0123", countryCode: 1 }
  const created = succeeded(
    yield* call(Users.create({ email: "ada@example.com", cellphone: cellphone.digits, countryCode: cellphone.countryCode }))
  )
  const id = created.user.id
  yield* call(Users.create({ email: "ada@example.com", cellphone: "1234", countryCode: 1 }))
  yield* call(Users.status(id))
  yield* call(Users.status(987654))
  succeeded(yield* call(Users.requestSms(id, { force: true })))
  const code = secret(yield* control.lastCode(id))
  yield* call(Tokens.verify(id, wrongCode(code)))
  succeeded(yield* call(Tokens.verify(id, code)))
  yield* call(Users.requestCall(id, { force: true }))
  yield* call(Users.requestEmail(id))
  yield* call(Users.update(id, { email: "ada.new@example.com" }))
  yield* call(Users.registrationStatus("ada-otel"))
  yield* call(Users.registerActivity(id, { type: "password_reset", data: { reason: "forgotten" }, userIp: "10.0.0.1" }))
  yield* call(Users.generateQrCode(id, { qrSize: 250, label: "Example" }))
  const { approvalRequest } = succeeded(yield* call(OneTouch.sendRequest(id, { message: "Log in" })))
  yield* call(OneTouch.getApprovalStatus(approvalRequest.uuid))
  yield* control.approve(approvalRequest.uuid)
  yield* call(OneTouch.awaitApproval(approvalRequest.uuid))
  yield* call(OneTouch.getApprovalStatus("00000000-0000-4000-8000-000000000000"))
  succeeded(yield* call(Phones.startVerification({ ...phone, via: "sms", codeLength: 6 })))
  const [message] = yield* control.messages({ phoneNumber: phone.phoneNumber, countryCode: 1 })
  const phoneCode = secret(message!.code)
  yield* call(Phones.checkVerification({ ...phone, verificationCode: wrongCode(phoneCode) }))
  succeeded(yield* call(Phones.checkVerification({ ...phone, verificationCode: phoneCode })))
  yield* call(Phones.info(phone))
  yield* call(Phones.info({ phoneNumber: "201-555-0000", countryCode: 1 }))
  yield* call(App.details())
  yield* call(App.stats())
  succeeded(yield* call(Users.remove(id)))
  yield* call(Users.remove(id))
}).pipe(Effect.provide(AuthyLive))

const verifyFlow = Effect.gen(function*() {
  const control = (yield* Emulator).control.verify
  const service = succeeded(
    yield* call(Services.create({ friendlyName: "Otel" }).pipe(Effect.provide(verifyLayer(placeholderService))))
  )
  const program = Effect.gen(function*() {
    yield* call(Services.fetch())
    yield* call(Services.update({ codeLength: 6 }))
    yield* call(Services.fetch(`VA${"1".repeat(32)}`))
    const started = succeeded(yield* call(Verifications.start({ to: verifyPhone, channel: "sms" })))
    const code = secret(yield* control.lastCode(verifyPhone))
    yield* call(Verifications.check({ to: verifyPhone, code: wrongCode(code) }))
    yield* call(Verifications.fetch(started.sid))
    succeeded(yield* call(Verifications.check({ to: verifyPhone, code })))
    yield* call(Verifications.fetch(started.sid))
    yield* call(Verifications.check({ to: verifyPhone, code }))
    const canceled = succeeded(yield* call(Verifications.start({ to: "ada@example.com", channel: "email" })))
    yield* call(Verifications.cancel(canceled.sid))
    // Refused (custom codes are off for the service): the code sent must not show either.
    yield* call(Verifications.start({ to: "ada@example.com", channel: "email", customCode: secret("482913") }))
    const approved = succeeded(yield* call(Verifications.start({ to: "grace@example.com", channel: "email" })))
    yield* call(Verifications.approve(approved.sid))
    const factor = succeeded(yield* call(Factors.createTotp(identity, { friendlyName: "Ada's phone" })))
    const totp = secret(yield* control.totp(factor.sid))
    yield* call(Factors.verifyTotp(identity, factor.sid, wrongCode(totp)))
    yield* call(Factors.verifyTotp(identity, factor.sid, totp))
    yield* call(Factors.fetch(identity, factor.sid))
    yield* call(Stream.runCollect(Factors.list(identity)))
    yield* control.advanceClock("30 seconds")
    const challengeCode = secret(yield* control.totp(factor.sid))
    const challenge = succeeded(yield* call(Challenges.create(identity, { factorSid: factor.sid, code: challengeCode })))
    yield* call(Challenges.fetch(identity, challenge.sid))
    yield* call(Stream.runCollect(Challenges.list(identity)))
    yield* call(Challenges.fetch(identity, `YC${"0".repeat(32)}`))
    yield* call(Entities.fetch(identity))
    const hook = succeeded(
      yield* call(Webhooks.create({ friendlyName: "a", eventTypes: ["*"], webhookUrl: "https://example.com/a" }))
    )
    yield* call(Webhooks.fetch(hook.sid))
    yield* call(Stream.runCollect(Webhooks.list()).pipe(Effect.map(Chunk.size)))
    yield* call(Webhooks.remove(hook.sid))
    yield* call(Webhooks.fetch(hook.sid))
    yield* call(Factors.remove(identity, factor.sid))
    yield* call(Factors.fetch(identity, factor.sid))
    yield* call(Entities.remove(identity))
    yield* call(Entities.fetch(identity))
    yield* call(Lookup.phoneNumber(verifyPhone))
    yield* call(Lookup.phoneNumber("+15550100000"))
  })
  yield* program.pipe(Effect.provide(verifyLayer(service.sid)))
})

/** Everything a tracing backend stores of a span, as text. */
const exported = (span: ReadableSpan): string =>
  JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    status: span.status,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    links: span.links.map((link) => link.attributes),
    resource: span.resource.attributes
  })

const byName = (spans: ReadonlyArray<ReadableSpan>, name: string) => spans.filter((span) => span.name === name)

describe("OpenTelemetry", () => {
  it.live("every endpoint's span, as exported, names the endpoint and carries no secret", () =>
    Effect.gen(function*() {
      exporter.reset()
      // Read before the layer closes: shutting the SDK down empties the in-memory exporter.
      const spans = yield* Effect.all([authyFlow, verifyFlow], { discard: true }).pipe(
        Effect.zipRight(Effect.sync(() => [...exporter.getFinishedSpans()])),
        Effect.provide(Layer.merge(EmulatorLive, TracingLive)),
        // Debug logs (retries) become span events too; none is printed.
        Logger.withMinimumLogLevel(LogLevel.All),
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.none))
      )
      const names = new Set(spans.map((span) => span.name))

      const endpoints = [
        "Authy.users.create",
        "Authy.users.status",
        "Authy.users.remove",
        "Authy.users.requestSms",
        "Authy.users.requestCall",
        "Authy.users.requestEmail",
        "Authy.users.update",
        "Authy.users.registrationStatus",
        "Authy.users.registerActivity",
        "Authy.users.generateQrCode",
        "Authy.tokens.verify",
        "Authy.oneTouch.sendRequest",
        "Authy.oneTouch.getApprovalStatus",
        "Authy.phones.startVerification",
        "Authy.phones.checkVerification",
        "Authy.phones.info",
        "Authy.app.details",
        "Authy.app.stats",
        "Verify.services.create",
        "Verify.services.fetch",
        "Verify.services.update",
        "Verify.verifications.start",
        "Verify.verifications.check",
        "Verify.verifications.fetch",
        "Verify.verifications.cancel",
        "Verify.verifications.approve",
        "Verify.factors.createTotp",
        "Verify.factors.verifyTotp",
        "Verify.factors.fetch",
        "Verify.factors.remove",
        "Verify.challenges.create",
        "Verify.challenges.fetch",
        "Verify.entities.fetch",
        "Verify.entities.remove",
        "Verify.webhooks.create",
        "Verify.webhooks.fetch",
        "Verify.webhooks.remove",
        "Verify.lookup.phoneNumber"
      ]
      for (const name of endpoints) expect(names, name).toContain(name)

      // The attributes the README's table lists, and on a failure those of the route and the error.
      const own: Record<string, ReadonlyArray<string>> = {
        "authy.authy_id": ["status", "remove", "requestSms", "requestCall", "requestEmail", "update", "registerActivity", "generateQrCode"]
          .map((op) => `Authy.users.${op}`).concat("Authy.tokens.verify", "Authy.oneTouch.sendRequest"),
        "authy.approval_uuid": ["Authy.oneTouch.getApprovalStatus"],
        "verify.channel": ["Verify.verifications.start"],
        "verify.factor_sid": ["Verify.challenges.create"]
      }
      const onFailure = ["http.request.method", "http.route", "http.response.status_code"]
      for (const span of spans.filter((span) => endpoints.includes(span.name))) {
        const prefix = span.name.startsWith("Authy.") ? "authy" : "verify"
        const expected = Object.keys(own).filter((key) => own[key]!.includes(span.name))
        if (span.status.code === 2) expected.push(...onFailure, `${prefix}.error_code`, `${prefix}.error_reason`)
        expect(Object.keys(span.attributes).sort(), span.name).toEqual(expected.sort())
      }

      // Successes and failures both reach the exporter, with OTel's status.
      const statuses = (name: string) => new Set(byName(spans, name).map((span) => span.status.code))
      for (const name of ["Authy.users.create", "Authy.tokens.verify", "Authy.phones.info", "Verify.verifications.fetch", "Verify.entities.fetch"]) {
        expect(statuses(name), name).toEqual(new Set([1, 2])) // OK and ERROR
      }

      // A refused token: the route template, the status and Authy's code; the exception as an event.
      const refused = byName(spans, "Authy.tokens.verify").find((span) => span.status.code === 2)!
      expect(refused.attributes).toMatchObject({
        "http.request.method": "GET",
        "http.route": "/protected/json/verify/{token}/{authy_id}",
        "http.response.status_code": 401,
        "authy.error_code": "60020"
      })
      expect(String(refused.attributes["authy.authy_id"])).toMatch(/^\d+$/)
      expect(refused.events.map((event) => event.name)).toContain("exception")
      expect(refused.status.message).toMatch(/token/i)

      // A Verify 404: the same attributes under `verify.`.
      const missing = byName(spans, "Verify.verifications.fetch").find((span) => span.status.code === 2)!
      expect(missing.attributes).toMatchObject({
        "http.route": expect.stringContaining("/Verifications/"),
        "http.response.status_code": 404,
        "verify.error_code": "20404"
      })
      expect(byName(spans, "Verify.verifications.start")[0]!.attributes).toMatchObject({ "verify.channel": "sms" })

      // The application's own spans are the endpoints' parents, and carry the logged failure as an event.
      const parents = new Set(byName(spans, "app.request").map((span) => span.spanContext().spanId))
      for (const name of endpoints) {
        for (const span of byName(spans, name)) expect(parents, name).toContain(span.parentSpanContext?.spanId)
      }
      // (Effect names a log event after its message: here the text and the error, as JSON.)
      const logged = byName(spans, "app.request").flatMap((span) => span.events.map((event) => event.name))
      expect(logged.filter((name) => name.includes("call failed") && name.includes("ApiError")).length).toBeGreaterThan(10)

      // The platform's own HTTP client spans, whose url.full would hold a token, are not exported.
      expect([...names].filter((name) => name.startsWith("http.client"))).toEqual([])

      // No secret anywhere a backend would store it.
      expect(secrets.size).toBeGreaterThan(15)
      const leaks = spans.flatMap((span) => {
        const text = exported(span)
        return [...secrets].filter((value) => text.includes(value)).map((value) => `${span.name}: ${value}`)
      })
      expect(leaks).toEqual([])
    }), 120_000)
})
