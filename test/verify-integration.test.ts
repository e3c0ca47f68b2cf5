/**
 * Every Verify program against the emulator, over real HTTP on loopback:
 * the in-process emulator serves Verify v2 and Lookup v2 beside Authy, with
 * Twilio's lifecycle rules (10-minute codes, a resend sends the same code,
 * 5 sends, 5 checks, 20404 once finished).
 */
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Layer, Redacted, Schedule, Stream } from "effect"
import { Emulator } from "effect-authy/emulator"
import { createServer } from "node:http"
import {
  Challenges,
  Entities,
  Factors,
  Lookup,
  RetryPolicy,
  Services,
  Verifications,
  VerifyService,
  VerifyWebhook,
  Webhooks
} from "effect-authy/verify"

const TestEnv = Layer.merge(Emulator.layer(), NodeHttpClient.layerUndici)
const placeholderService = `VA${"0".repeat(32)}`
const identity = "ada-lovelace-1815"

/** The emulator's default account, pointed at the emulator for both Verify and Lookup. */
const accountOptions = Effect.map(Emulator, (emulator) => {
  const account = emulator.accounts[0]!
  return {
    accountSid: account.accountSid,
    authToken: Redacted.make(account.authToken),
    baseUrl: emulator.url,
    lookupUrl: emulator.url
  }
})

const control = Effect.map(Emulator, (e) => e.control.verify)

/**
 * Runs `program` against a fresh emulator account with a new Service
 * (created through `Services.create`, which needs no service of its own).
 */
const withService = <A, E, R>(
  program: (serviceSid: string) => Effect.Effect<A, E, R>,
  settings: Parameters<typeof Services.create>[0] = { friendlyName: "Integration" }
) =>
  Effect.gen(function*() {
    yield* (yield* control).reset()
    const options = yield* accountOptions
    const service = yield* Services.create(settings).pipe(
      Effect.provide(VerifyService.layer({ ...options, serviceSid: placeholderService }))
    )
    return yield* program(service.sid).pipe(Effect.provide(VerifyService.layer({ ...options, serviceSid: service.sid })))
  })

const apiError = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => {
    expect(error).toMatchObject({ _tag: "ApiError" })
    return error as { readonly status: number; readonly errorCode?: string; readonly service: string }
  })

/** A push factor, created as the Verify Push SDK creates it on the device (the emulator verifies it at once). */
const createPushFactor = (serviceSid: string) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator
    const account = emulator.accounts[0]!
    const client = yield* HttpClient.HttpClient
    const response = yield* HttpClientRequest.post(`${emulator.url}/v2/Services/${serviceSid}/Entities/${identity}/Factors`).pipe(
      HttpClientRequest.basicAuth(account.accountSid, account.authToken),
      HttpClientRequest.bodyUrlParams({
        FriendlyName: "Ada's phone",
        FactorType: "push",
        "Binding.Alg": "ES256",
        "Binding.PublicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
        "Config.AppId": "com.example.app",
        "Config.NotificationPlatform": "none",
        "Config.SdkVersion": "1.0"
      }),
      client.execute
    )
    const body = (yield* response.json) as { sid: string; status: string }
    expect(response.status).toBe(201)
    return body.sid
  }).pipe(Effect.scoped)

describe("Verify client against the emulator", () => {
  it.layer(TestEnv)((it) => {
    describe("services", () => {
      it.effect("create, fetch and update", () =>
        withService((sid) =>
          Effect.gen(function*() {
            const fetched = yield* Services.fetch()
            expect(fetched).toMatchObject({ sid, friendlyName: "Integration" })
            const updated = yield* Services.update({ codeLength: 8, totp: { issuer: "Example", skew: 2 } })
            expect(updated).toMatchObject({ codeLength: 8, totp: { issuer: "Example", skew: 2 } })
          })
        ))

      it.effect("other credentials get 401 20003", () =>
        Effect.gen(function*() {
          const options = yield* accountOptions
          const error = yield* apiError(
            Services.fetch().pipe(
              Effect.provide(VerifyService.layer({ ...options, authToken: Redacted.make("wrong"), serviceSid: placeholderService }))
            )
          )
          expect(error).toMatchObject({ status: 401, errorCode: "20003", service: "Verify" })
        }))
    })

    describe("verifications", () => {
      const to = "+15017122661"

      it.effect("SMS: start, a wrong code is valid:false, the right one approves, then 20404", () =>
        withService(() =>
          Effect.gen(function*() {
            const started = yield* Verifications.start({ to, channel: "sms" })
            expect(started).toMatchObject({ status: "pending", to, channel: "sms" })
            const code = yield* (yield* control).lastCode(to)
            const wrong = yield* Verifications.check({ to, code: code === "000000" ? "111111" : "000000" })
            expect(wrong).toMatchObject({ status: "pending", valid: false })
            const right = yield* Verifications.check({ to, code })
            expect(right).toMatchObject({ status: "approved", valid: true, sid: started.sid })
            expect(yield* apiError(Verifications.fetch(started.sid))).toMatchObject({ status: 404, errorCode: "20404" })
            expect(yield* apiError(Verifications.check({ to, code }))).toMatchObject({ status: 404, errorCode: "20404" })
          })
        ))

      it.effect("a resend sends the same code on the same verification; the 6th send is 60203, sent once", () =>
        withService(() =>
          Effect.gen(function*() {
            const first = yield* Verifications.start({ to, channel: "sms" })
            for (let i = 0; i < 4; i++) {
              const again = yield* Verifications.start({ to, channel: "call" })
              expect(again.sid).toBe(first.sid)
            }
            const messages = yield* (yield* control).messages({ to })
            expect(new Set(messages.map((m) => m.code)).size).toBe(1)
            const sixth = yield* apiError(Verifications.start({ to, channel: "sms" }).pipe(RetryPolicy.withPolicy(RetryPolicy.defaults)))
            expect(sixth).toMatchObject({ status: 429, errorCode: "60203" })
            expect(yield* (yield* control).messages({ to })).toHaveLength(5)
          })
        ))

      it.effect("checks by verificationSid; after 5 wrong checks, 60202", () =>
        withService(() =>
          Effect.gen(function*() {
            const { sid } = yield* Verifications.start({ to, channel: "sms" })
            const code = yield* (yield* control).lastCode(to)
            const wrongCode = code === "000000" ? "111111" : "000000"
            for (let i = 0; i < 5; i++) expect((yield* Verifications.check({ verificationSid: sid, code: wrongCode })).valid).toBe(false)
            expect(yield* apiError(Verifications.check({ verificationSid: sid, code }))).toMatchObject({ status: 429, errorCode: "60202" })
          })
        ))

      it.effect("cancel ends a verification; approve approves one with a custom code", () =>
        withService(
          () =>
            Effect.gen(function*() {
              const canceled = yield* Verifications.start({ to, channel: "sms" })
              expect((yield* Verifications.cancel(canceled.sid)).status).toBe("canceled")
              expect(yield* apiError(Verifications.fetch(canceled.sid))).toMatchObject({ errorCode: "20404" })
              const custom = yield* Verifications.start({ to: "ada@example.com", channel: "email", customCode: "482913" })
              expect((yield* Verifications.fetch(custom.sid)).status).toBe("pending")
              expect((yield* Verifications.approve(custom.sid)).status).toBe("approved")
            }),
          { friendlyName: "Integration", customCodeEnabled: true }
        ))
    })

    describe("TOTP", () => {
      it.effect("enrol: create (secret and URI once), a wrong code leaves it unverified, the right one verifies", () =>
        withService(() =>
          Effect.gen(function*() {
            const factor = yield* Factors.createTotp(identity, { friendlyName: "Ada's phone" })
            expect(factor.status).toBe("unverified")
            expect(factor.binding?.secret).toMatch(/^[A-Z2-7]+$/)
            expect(factor.binding?.uri).toMatch(/^otpauth:\/\/totp\//)
            const code = yield* (yield* control).totp(factor.sid)
            const wrong = yield* Factors.verifyTotp(identity, factor.sid, code === "000000" ? "111111" : "000000")
            expect(wrong.status).toBe("unverified")
            expect((yield* Factors.verifyTotp(identity, factor.sid, code)).status).toBe("verified")
            const fetched = yield* Factors.fetch(identity, factor.sid)
            expect(fetched).toMatchObject({ status: "verified", factorType: "totp" })
            expect("binding" in fetched).toBe(false)
          })
        ))

      it.effect("login: a TOTP challenge with the code is approved at once; list, remove, entity", () =>
        withService(() =>
          Effect.gen(function*() {
            const factor = yield* Factors.createTotp(identity, { friendlyName: "Ada's phone", secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" })
            yield* Factors.verifyTotp(identity, factor.sid, yield* (yield* control).totp(factor.sid))
            // A code is good once: the login uses the next time step's.
            yield* (yield* control).advanceClock("30 seconds")
            const challenge = yield* Challenges.create(identity, { factorSid: factor.sid, code: yield* (yield* control).totp(factor.sid) })
            expect(challenge).toMatchObject({ status: "approved", factorType: "totp" })
            const factors = yield* Stream.runCollect(Factors.list(identity))
            expect(Chunk.toReadonlyArray(factors).map((f) => f.sid)).toEqual([factor.sid])
            expect((yield* Entities.fetch(identity)).identity).toBe(identity)
            yield* Factors.remove(identity, factor.sid)
            expect(yield* apiError(Factors.fetch(identity, factor.sid))).toMatchObject({ status: 404 })
            yield* Entities.remove(identity)
            expect(yield* apiError(Entities.fetch(identity))).toMatchObject({ status: 404 })
          })
        ))
    })

    describe("webhooks", () => {
      it.effect("create, fetch, list page by page, remove", () =>
        withService(() =>
          Effect.gen(function*() {
            const created = []
            for (const name of ["a", "b", "c"]) {
              created.push(yield* Webhooks.create({ friendlyName: name, eventTypes: ["*"], webhookUrl: `https://example.com/${name}` }))
            }
            expect((yield* Webhooks.fetch(created[0]!.sid)).friendlyName).toBe("a")
            const listed = yield* Stream.runCollect(Webhooks.list({ pageSize: 1 }))
            expect(Chunk.toReadonlyArray(listed).map((w) => w.friendlyName)).toEqual(["a", "b", "c"])
            yield* Webhooks.remove(created[1]!.sid)
            expect(Chunk.size(yield* Stream.runCollect(Webhooks.list()))).toBe(2)
          })
        ))
    })

    describe("lookup", () => {
      it.effect("line type intelligence for a valid number; valid:false for an invalid one", () =>
        withService(() =>
          Effect.gen(function*() {
            const found = yield* Lookup.phoneNumber("+14159929960")
            expect(found).toMatchObject({ valid: true, phoneNumber: "+14159929960" })
            expect(found.lineTypeIntelligence?.type).toEqual(expect.any(String))
            const invalid = yield* Lookup.phoneNumber("+15550100000")
            expect(invalid).toMatchObject({ valid: false, validationErrors: ["INVALID_BUT_POSSIBLE"], lineTypeIntelligence: null })
            const national = yield* Lookup.phoneNumber("0000000", { countryCode: "US", fields: [] })
            expect(national).toMatchObject({ valid: false, validationErrors: ["TOO_SHORT"] })
          })
        ))
    })
  })

  // Polling and webhooks take real time here: the emulator's clock is the wall clock.
  layer(TestEnv, { excludeTestServices: true })((it) => {
    describe("push", () => {
      it.effect("a challenge is approved on the device; awaitChallenge sees it, and a verified webhook arrives", () =>
        withService((serviceSid) =>
          Effect.gen(function*() {
            // The application's webhook endpoint, on a loopback server of its own.
            const received = yield* Deferred.make<VerifyWebhook.WebhookEvent>()
            const app = VerifyWebhook.handler((event) => Deferred.succeed(received, event))
            yield* HttpRouter.empty.pipe(HttpRouter.post("/twilio/webhook", app), HttpServer.serveEffect())
            const port = yield* HttpServer.addressWith((a) => Effect.succeed(a._tag === "TcpAddress" ? a.port : 0))
            const webhook = yield* Webhooks.create({
              friendlyName: "login",
              eventTypes: ["challenge.approved", "challenge.denied"],
              webhookUrl: `http://127.0.0.1:${port}/twilio/webhook`
            })
            expect(webhook.eventTypes).toEqual(["challenge.approved", "challenge.denied"])

            const factorSid = yield* createPushFactor(serviceSid)
            const challenge = yield* Challenges.create(identity, {
              factorSid,
              message: "Log in to Example?",
              fields: [{ label: "Location", value: "Bogotá" }],
              hiddenDetails: { ip: "203.0.113.7" },
              expiresIn: "2 minutes"
            })
            expect(challenge).toMatchObject({ status: "pending", details: { message: "Log in to Example?" } })

            const waiting = yield* Effect.fork(
              Challenges.awaitChallenge(identity, challenge.sid, { schedule: Schedule.spaced("50 millis"), timeout: "30 seconds" })
            )
            const pending = yield* (yield* control).challenges({ identity })
            expect(pending.map((c) => [c.sid, c.status])).toEqual([[challenge.sid, "pending"]])
            yield* (yield* control).approveChallenge(challenge.sid)
            expect((yield* Fiber.join(waiting)).status).toBe("approved")

            const event = yield* Deferred.await(received).pipe(Effect.timeout("30 seconds"))
            expect(event).toMatchObject({ type: "challenge.approved", challengeSid: challenge.sid, entityIdentity: identity })

            const listed = yield* Stream.runCollect(Challenges.list(identity, { status: "approved" }))
            expect(Chunk.toReadonlyArray(listed).map((c) => c.sid)).toEqual([challenge.sid])
            expect((yield* Challenges.fetch(identity, challenge.sid)).status).toBe("approved")
          })
        ).pipe(Effect.scoped, Effect.provide(Layer.merge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }), VerifyWebhook.layerMemory))))

      it.effect("a denied challenge: statusChanges streams pending then denied", () =>
        withService((serviceSid) =>
          Effect.gen(function*() {
            const factorSid = yield* createPushFactor(serviceSid)
            const challenge = yield* Challenges.create(identity, { factorSid, message: "Pay 10 EUR?" })
            const seenPending = yield* Deferred.make<void>()
            const changes = yield* Effect.fork(
              Stream.runCollect(
                Challenges.statusChanges(identity, challenge.sid, { schedule: Schedule.spaced("50 millis") }).pipe(
                  Stream.tap(() => Deferred.succeed(seenPending, undefined))
                )
              )
            )
            yield* Deferred.await(seenPending)
            yield* (yield* control).denyChallenge(challenge.sid)
            const statuses = Chunk.toReadonlyArray(yield* Fiber.join(changes)).map((c) => c.status)
            expect(statuses).toEqual(["pending", "denied"])
          })
        ))
    })

  })
})
