/**
 * The fidelity bar of the Verify emulator: Twilio's own `twilio` package,
 * unchanged but for an `httpClient` whose request function rewrites
 * https://verify.twilio.com and https://lookups.twilio.com to the emulator's
 * URL, runs its Verify and Lookup flows against it. Codes come from the
 * control API, TOTP codes are computed from the secret the factor answered
 * (RFC 6238), and the push approval's webhook is checked with twilio's own
 * `validateRequest`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import twilio from "twilio"
import type RequestClient from "twilio/lib/base/RequestClient.js"
import { Emulator, layer, type Service as EmulatorService, Totp } from "effect-authy/emulator"

const accountSid = `AC${"1".repeat(32)}`
const authToken = "fidelity-token"

/** twilio's own client, with only the two Twilio hosts rewritten. */
class Rewriting extends twilio.RequestClient {
  constructor(private readonly target: string) {
    super()
  }
  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    // Mutated in place: a copy would trip exactOptionalPropertyTypes on twilio's option type.
    opts.uri = opts.uri.replace(/^https:\/\/(verify|lookups)\.twilio\.com/, this.target)
    return super.request<TData>(opts)
  }
}

/** A receiver of the emulator's webhooks: each request with its form body. */
interface Received {
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly params: Record<string, string>
}

let emulator: EmulatorService
let scope: Scope.CloseableScope
let receiver: Server
let receiverUrl: string
const received: Array<Received> = []

beforeAll(async () => {
  scope = await Effect.runPromise(Scope.make())
  emulator = await Effect.runPromise(
    Layer.buildWithScope(layer({ accounts: [{ accountSid, authToken }] }), scope).pipe(
      Effect.map((context) => Context.get(context, Emulator))
    )
  )
  receiver = createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (body += chunk))
    req.on("end", () => {
      received.push({
        url: `${receiverUrl}${req.url}`,
        headers: req.headers,
        params: Object.fromEntries(new URLSearchParams(body))
      })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

const client = () => twilio(accountSid, authToken, { httpClient: new Rewriting(emulator.url) })

/** The control API, as a test reads it: the account's Basic credentials. */
const control = async (method: string, path: string): Promise<any> => {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}` }
  })
  expect(response.status).toBe(200)
  return response.json()
}

/** Waits (polling the receiver's record, no fixed sleep) until a webhook arrives. */
const webhookOf = async (type: string, challengeSid: string): Promise<Received> => {
  for (let i = 0; i < 500; i++) {
    const found = received.find((r) => r.params.type === type && r.params.challenge_sid === challengeSid)
    if (found !== undefined) return found
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`no ${type} webhook for ${challengeSid}`)
}

describe("the official twilio package against the emulator", () => {
  it("creates a service, starts and checks an SMS verification, and answers a wrong code valid: false", async () => {
    const twilioClient = client()
    const service = await twilioClient.verify.v2.services.create({ friendlyName: "Fidelity" })
    expect(service.sid).toMatch(/^VA[0-9a-f]{32}$/)
    expect(service.accountSid).toBe(accountSid)

    const to = "+14155550123"
    const verification = await twilioClient.verify.v2.services(service.sid).verifications.create({ to, channel: "sms" })
    expect(verification.status).toBe("pending")
    const { messages } = await control("GET", `/__emulator/messages?to=${encodeURIComponent(to)}`)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ channel: "sms", to, service_sid: service.sid, verification_sid: verification.sid })

    const wrong = await twilioClient.verify.v2.services(service.sid).verificationChecks.create({ to, code: "000000" === messages[0].code ? "111111" : "000000" })
    expect(wrong.valid).toBe(false)
    expect(wrong.status).toBe("pending")

    const right = await twilioClient.verify.v2.services(service.sid).verificationChecks.create({ to, code: messages[0].code })
    expect(right.valid).toBe(true)
    expect(right.status).toBe("approved")

    // Approved means soft-deleted: twilio's RestException with Twilio's code.
    await expect(twilioClient.verify.v2.services(service.sid).verifications(verification.sid).fetch()).rejects
      .toMatchObject({ status: 404, code: 20404 })
  })

  it("enrols a TOTP factor and passes a TOTP challenge with codes computed from its secret", async () => {
    const twilioClient = client()
    const service = await twilioClient.verify.v2.services.create({ friendlyName: "Totp", "totp.issuer": "Fidelity" })
    const identity = "ff483d1ff591898a9942916050d2ca3f"
    const entity = twilioClient.verify.v2.services(service.sid).entities(identity)
    const factor = await entity.newFactors.create({ friendlyName: "Ada's phone", factorType: "totp" })
    expect(factor.status).toBe("unverified")
    const binding = factor.binding as { secret: string; uri: string }
    expect(binding.uri).toMatch(/^otpauth:\/\/totp\/Fidelity:Ada's%20phone\?secret=[A-Z2-7]+&issuer=Fidelity&algorithm=SHA1&digits=6&period=30$/)

    const now = await Effect.runPromise(emulator.control.verify.now(accountSid))
    const enrolment = Totp.totp(binding.secret, now, 6)
    const verified = await entity.factors(factor.sid).update({ authPayload: enrolment })
    expect(verified.status).toBe("verified")

    // The next step's code: the enrolment code is used up, and skew 1 accepts a step ahead.
    const code = Totp.totp(binding.secret, now + 30_000, 6)
    const challenge = await entity.challenges.create({ factorSid: factor.sid, authPayload: code })
    expect(challenge.status).toBe("approved")
    expect(challenge.factorType).toBe("totp")
  })

  it("a push challenge approved through the control API: its webhook arrives, signed as twilio's validateRequest expects", async () => {
    const twilioClient = client()
    const service = await twilioClient.verify.v2.services.create({ friendlyName: "Push" })
    const webhookUrl = `${receiverUrl}/twilio/webhook?tenant=fidelity`
    await twilioClient.verify.v2.services(service.sid).webhooks.create({
      friendlyName: "approvals",
      eventTypes: ["challenge.approved", "challenge.denied"],
      webhookUrl
    })
    const identity = "push-user-0001"
    const entity = twilioClient.verify.v2.services(service.sid).entities(identity)
    // As the Verify Push SDK creates it: the emulated device enrols at once.
    const factor = await entity.newFactors.create({
      friendlyName: "Ada's iPhone",
      factorType: "push",
      "binding.alg": "ES256",
      "binding.publicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
      "config.appId": "com.example.app",
      "config.notificationPlatform": "fcm",
      "config.notificationToken": "t".repeat(40),
      "config.sdkVersion": "2.0.0"
    })
    expect(factor.status).toBe("verified")

    const challenge = await entity.challenges.create({
      factorSid: factor.sid,
      "details.message": "Log in to Example?",
      "details.fields": [{ label: "IP", value: "10.0.0.1" }],
      hiddenDetails: { session: "s-1" }
    })
    expect(challenge.status).toBe("pending")
    expect(challenge.details).toEqual({ message: "Log in to Example?", fields: [{ label: "IP", value: "10.0.0.1" }] })

    const listed = await control("GET", `/__emulator/challenges?identity=${identity}`)
    expect(listed.challenges.map((c: { sid: string }) => c.sid)).toEqual([challenge.sid])
    await control("POST", `/__emulator/challenges/${challenge.sid}/approve`)

    const fetched = await entity.challenges(challenge.sid).fetch()
    expect(fetched.status).toBe("approved")

    const webhook = await webhookOf("challenge.approved", challenge.sid)
    expect(webhook.params).toMatchObject({
      account_sid: accountSid,
      service_sid: service.sid,
      entity_identity: identity,
      factor_sid: factor.sid,
      factor_type: "push",
      challenge_status: "approved"
    })
    const signature = webhook.headers["x-twilio-signature"] as string
    expect(twilio.validateRequest(authToken, signature, webhookUrl, webhook.params)).toBe(true)
    expect(twilio.validateRequest("another-token", signature, webhookUrl, webhook.params)).toBe(false)
    expect(webhook.headers["i-twilio-idempotency-token"]).toBe(webhook.params.uuid)
  })

  it("looks a number up with line type intelligence", async () => {
    const result = await client().lookups.v2.phoneNumbers("+14155552671").fetch({ fields: "line_type_intelligence" })
    expect(result.valid).toBe(true)
    expect(result.countryCode).toBe("US")
    expect(result.nationalFormat).toBe("(415) 555-2671")
    expect(result.lineTypeIntelligence).toMatchObject({ type: "mobile" })
    const invalid = await client().lookups.v2.phoneNumbers("+1415").fetch()
    expect(invalid.valid).toBe(false)
    expect(invalid.validationErrors).toEqual(["TOO_SHORT"])
  })

  it("other credentials: twilio's RestException with 20003", async () => {
    const stranger = twilio(accountSid, "wrong-token", { httpClient: new Rewriting(emulator.url) })
    await expect(stranger.verify.v2.services.list()).rejects.toMatchObject({ status: 401, code: 20003 })
  })
})
