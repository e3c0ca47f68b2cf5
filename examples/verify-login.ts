/**
 * Logging in with Twilio Verify, three ways, against the in-process emulator
 * (Verify v2 and Lookup v2 on one loopback port):
 *
 *   npm run start:verify
 *
 * 1. SMS: send a code, a wrong code is `valid: false`, the right one approves.
 * 2. TOTP: enrol an authenticator app (secret and otpauth:// URI, shown once),
 *    verify the factor, then log in with a TOTP challenge.
 * 3. Push: a challenge on the user's phone, waited for with
 *    `Challenges.awaitChallenge`, and the `challenge.approved` webhook
 *    received and verified (`X-Twilio-Signature`, freshness, replay).
 *
 * The emulator plays the phone: its control API reads the codes "sent",
 * computes TOTP codes, enrols a push factor as the Verify Push SDK would,
 * and taps Approve. Phone numbers and codes are masked in the transcript.
 */
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Console, Deferred, Effect, Fiber, Layer, Redacted, Schedule } from "effect"
import { Emulator } from "effect-authy/emulator"
import { UndiciHttpClient } from "effect-authy/node"
import {
  Challenges,
  Factors,
  Lookup,
  Services,
  Verifications,
  VerifyService,
  VerifyWebhook,
  Webhooks
} from "effect-authy/verify"
import { createServer } from "node:http"

const phone = "+15017122661"
const identity = "ada-lovelace-1815"

const maskCode = (code: string) => `${code.slice(0, 2)}${"•".repeat(Math.max(0, code.length - 2))}`
/** `+1•••••••••61`: the first digit and the last two. */
const maskPhone = (e164: string) => `${e164.slice(0, 2)}${"•".repeat(Math.max(0, e164.length - 4))}${e164.slice(-2)}`
const wrongCode = (code: string) => code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10)
const step = (title: string) => Console.log(`\n▸ ${title}`)
const say = (line: string) => Console.log(`  ${line}`)

/** The application's webhook endpoint: verifies each webhook and hands its event over. */
const serveWebhooks = (received: Deferred.Deferred<VerifyWebhook.WebhookEvent>) =>
  Effect.gen(function*() {
    const webhook = VerifyWebhook.handler((event) => Deferred.succeed(received, event))
    yield* HttpRouter.empty.pipe(HttpRouter.post("/twilio/webhook", webhook), HttpServer.serveEffect())
    const port = yield* HttpServer.addressWith((a) => Effect.succeed(a._tag === "TcpAddress" ? a.port : 0))
    return `http://127.0.0.1:${port}/twilio/webhook`
  })

/** What the Verify Push SDK does on the phone: create a push factor with the device's key. */
const enrolPhone = (emulatorUrl: string, serviceSid: string, account: { accountSid: string; authToken: string }) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* HttpClientRequest.post(`${emulatorUrl}/v2/Services/${serviceSid}/Entities/${identity}/Factors`).pipe(
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
    return ((yield* response.json) as { readonly sid: string }).sid
  }).pipe(Effect.scoped)

const program = Effect.gen(function*() {
  const emulator = yield* Emulator
  const control = emulator.control.verify
  const account = emulator.accounts[0]!
  yield* Console.log(`Twilio Verify emulator started at ${emulator.url}`)
  const connection = {
    accountSid: account.accountSid,
    authToken: Redacted.make(account.authToken),
    baseUrl: emulator.url,
    lookupUrl: emulator.url
  }

  yield* step("A Verify Service (the Authy application's successor)")
  const service = yield* Services.create({ friendlyName: "Example", codeLength: 6, totp: { issuer: "Example" } }).pipe(
    Effect.provide(VerifyService.layer({ ...connection, serviceSid: `VA${"0".repeat(32)}` }))
  )
  yield* say(`${service.friendlyName} (${service.sid}), codes of ${service.codeLength} digits`)

  const login = Effect.gen(function*() {
    yield* step("Is the number a mobile? (Lookup v2, line type intelligence)")
    const line = yield* Lookup.phoneNumber(phone)
    yield* say(`${maskPhone(phone)}: valid ${line.valid}, line type ${line.lineTypeIntelligence?.type ?? "unknown"}`)

    yield* step("SMS login")
    const verification = yield* Verifications.start({ to: phone, channel: "sms" })
    yield* say(`code sent by ${verification.channel}, verification ${verification.status}`)
    const code = yield* control.lastCode(phone)
    const wrong = yield* Verifications.check({ to: phone, code: wrongCode(code) })
    yield* say(`wrong code: valid ${wrong.valid}, status ${wrong.status}`)
    const right = yield* Verifications.check({ to: phone, code })
    yield* say(`code ${maskCode(code)} from the emulator's outbox: valid ${right.valid}, status ${right.status}`)
    yield* Verifications.fetch(verification.sid).pipe(
      Effect.catchTag("ApiError", (e) => say(`the finished verification is gone: ApiError ${e.errorCode} (HTTP ${e.status})`))
    )

    yield* step("TOTP enrolment")
    const factor = yield* Factors.createTotp(identity, { friendlyName: "Ada's authenticator" })
    yield* say(`factor ${factor.sid} ${factor.status}; show once as a QR code: ${factor.binding?.uri?.replace(/secret=[A-Z2-7]+/, "secret=•••")}`)
    const first = yield* control.totp(factor.sid)
    const enrolled = yield* Factors.verifyTotp(identity, factor.sid, first)
    yield* say(`first code ${maskCode(first)}: factor ${enrolled.status}`)

    yield* step("TOTP login")
    yield* control.advanceClock("30 seconds") // a code is good once: the next login uses the next one
    const totp = yield* control.totp(factor.sid)
    const totpLogin = yield* Challenges.create(identity, { factorSid: factor.sid, code: totp })
    yield* say(`code ${maskCode(totp)}: challenge ${totpLogin.status}`)

    yield* step("Push approval")
    const received = yield* Deferred.make<VerifyWebhook.WebhookEvent>()
    const webhookUrl = yield* serveWebhooks(received)
    yield* Webhooks.create({ friendlyName: "login", eventTypes: ["challenge.approved", "challenge.denied"], webhookUrl })
    yield* say(`webhook registered: ${webhookUrl}`)
    const pushFactor = yield* enrolPhone(emulator.url, service.sid, account)
    yield* say(`the phone enrolled push factor ${pushFactor}`)
    const challenge = yield* Challenges.create(identity, {
      factorSid: pushFactor,
      message: "Log in to Example?",
      fields: [{ label: "Location", value: "Bogotá" }, { label: "Browser", value: "Firefox" }],
      expiresIn: "2 minutes"
    })
    yield* say(`challenge ${challenge.sid} ${challenge.status}: "${challenge.details?.message}"`)
    yield* say("Waiting for the answer (awaitChallenge polls)...")
    const waiting = yield* Effect.fork(
      Challenges.awaitChallenge(identity, challenge.sid, { schedule: Schedule.spaced("100 millis"), timeout: "1 minute" })
    )
    yield* Effect.sleep("300 millis")
    yield* say("(the user taps Approve)")
    yield* control.approveChallenge(challenge.sid)
    const answered = yield* Fiber.join(waiting)
    yield* say(`awaitChallenge: ${answered.status}`)
    const event = yield* Deferred.await(received).pipe(
      Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("No webhook arrived within 10 seconds") })
    )
    yield* say(`verified webhook: ${event.type} for ${event.entityIdentity} (challenge ${event.challengeSid})`)
    yield* Console.log(answered.status === "approved" && event.challengeSid === challenge.sid ? "\nLogged in." : "\nLogin refused.")
  })

  yield* login.pipe(Effect.provide(VerifyService.layer({ ...connection, serviceSid: service.sid })))
  yield* Console.log("Done.")
})

const AppLayer = Layer.mergeAll(
  Emulator.layer(),
  UndiciHttpClient.layer,
  NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }),
  VerifyWebhook.layerMemory
)

NodeRuntime.runMain(program.pipe(Effect.scoped, Effect.provide(AppLayer)))
