/**
 * The Verify webhook verifier: the contract's test vectors (verify-api.md
 * §6), and refusal of forged, stale and replayed webhooks through the same
 * procedure, nonce store and handler as OneTouch callbacks.
 */
import * as crypto from "node:crypto"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted, TestClock } from "effect"
import { afterEach, vi } from "vitest"
import { ValidationError, VerifyWebhook } from "effect-authy/verify"
import { makeStub } from "./util/verifyStub.js"

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>()
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) }
})
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual)
afterEach(() => timingSafeEqual.mockReset())

// ---------------------------------------------------------------------------
// The contract's vectors
// ---------------------------------------------------------------------------

const vectorToken = "12345"
const vectorUrl = "https://mycompany.com/myapp.php?foo=1&bar=2"
const vectorParams = {
  CallSid: "CA1234567890ABCDE",
  Caller: "+14158675309",
  Digits: "1234",
  From: "+14158675309",
  To: "+18005551212"
}

describe("X-Twilio-Signature: the contract's vectors", () => {
  it("signs URL + sorted form parameters with HMAC-SHA1, base64", () => {
    expect(VerifyWebhook.computeSignature({ authToken: vectorToken, url: vectorUrl, params: vectorParams }))
      .toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    expect(VerifyWebhook.computeSignature({ authToken: Redacted.make(vectorToken), url: vectorUrl, params: vectorParams }))
      .toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=")
  })

  it("a JSON body: bodySHA256 in the URL, the URL signed with no parameters", () => {
    const body = "{\"property\": \"value\", \"boolean\": true}"
    const hash = VerifyWebhook.bodySHA256(body)
    expect(hash).toBe("0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620")
    expect(VerifyWebhook.computeSignature({ authToken: vectorToken, url: `${vectorUrl}&bodySHA256=${hash}`, params: {} }))
      .toBe("a9nBmqA0ju/hNViExpshrM61xv4=")
    expect(VerifyWebhook.bodySHA256("{}")).toBe("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
    // The empty-body vector was signed over the URL with its default port
    // (`:443`): it validates over the URL as configured, through the port variant.
    const emptyBodyUrl = `${vectorUrl}&bodySHA256=${VerifyWebhook.bodySHA256("{}")}`
    expect(VerifyWebhook.computeSignature({ authToken: vectorToken, url: emptyBodyUrl.replace(".com/", ".com:443/"), params: {} }))
      .toBe("Ldidvp12m26NI7eqEvxnEpkd9Hc=")
    expect(VerifyWebhook.validateSignature({ authToken: vectorToken, url: emptyBodyUrl, params: {}, signature: "Ldidvp12m26NI7eqEvxnEpkd9Hc=" }))
      .toBe(true)
  })

  it("validates the vector, with or without the default port, and refuses any change", () => {
    const signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    const check = (url: string, params: Record<string, string>, sig = signature) =>
      VerifyWebhook.validateSignature({ authToken: vectorToken, url, params, signature: sig })
    expect(check(vectorUrl, vectorParams)).toBe(true)
    expect(check("https://mycompany.com:443/myapp.php?foo=1&bar=2", vectorParams)).toBe(true)
    const withPort = VerifyWebhook.computeSignature({ authToken: vectorToken, url: "https://mycompany.com:443/myapp.php?foo=1&bar=2", params: vectorParams })
    expect(check(vectorUrl, vectorParams, withPort)).toBe(true)
    expect(check(vectorUrl, { ...vectorParams, Digits: "1235" })).toBe(false)
    expect(check("https://mycompany.com/myapp.php?foo=1&bar=3", vectorParams)).toBe(false)
    expect(VerifyWebhook.validateSignature({ authToken: "54321", url: vectorUrl, params: vectorParams, signature })).toBe(false)
  })

  it("repeated parameters: distinct values, sorted", () => {
    const a = VerifyWebhook.computeSignature({ authToken: vectorToken, url: vectorUrl, params: { E: ["b", "a", "b"] } })
    const b = VerifyWebhook.computeSignature({ authToken: vectorToken, url: vectorUrl, params: { E: ["a", "b"] } })
    expect(a).toBe(b)
  })

  it("compares through crypto.timingSafeEqual on equal-length digests, and answers what it answers", () => {
    const signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    for (const given of [signature, "short", signature + signature]) {
      timingSafeEqual.mockClear()
      VerifyWebhook.validateSignature({ authToken: vectorToken, url: vectorUrl, params: vectorParams, signature: given })
      expect(timingSafeEqual).toHaveBeenCalled()
      for (const [x, y] of timingSafeEqual.mock.calls) expect((x as Uint8Array).length).toBe((y as Uint8Array).length)
    }
    timingSafeEqual.mockImplementation(() => false)
    expect(VerifyWebhook.validateSignature({ authToken: vectorToken, url: vectorUrl, params: vectorParams, signature })).toBe(false)
  })
})

// ---------------------------------------------------------------------------
// verify: forged, stale, replayed
// ---------------------------------------------------------------------------

const token = "webhook-auth-token"
const url = "https://example.com/twilio/webhook"
const VerifyTest = makeStub(() => ({ status: 500, body: "" })).layer({ authToken: Redacted.make(token) })
const TestLayer = Layer.merge(VerifyTest, VerifyWebhook.layerMemory)

const iso = (millis: number) => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")
const start = Date.UTC(2026, 0, 15, 12, 0, 0)

/** A form-encoded webhook as Twilio (and the emulator) send it, signed. */
const signedWebhook = (fields: Record<string, string> = {}, at = start, target = url) => {
  const params = {
    uuid: "8d3c3f4e-0000-4000-8000-000000000001",
    type: "challenge.approved",
    account_sid: `AC${"a".repeat(32)}`,
    service_sid: `VA${"b".repeat(32)}`,
    entity_identity: "ff483d1f-f591-898a",
    factor_sid: `YF${"d".repeat(32)}`,
    factor_type: "push",
    challenge_sid: `YC${"e".repeat(32)}`,
    challenge_status: "approved",
    challenge_date_responded: iso(at),
    ...fields
  }
  return {
    method: "POST",
    url: target,
    headers: {
      "X-Twilio-Signature": VerifyWebhook.computeSignature({ authToken: token, url: target, params }),
      "Content-Type": "application/x-www-form-urlencoded"
    },
    body: new URLSearchParams(params).toString()
  }
}

const atStart = TestClock.setTime(start)
const refusal = (request: VerifyWebhook.WebhookRequest, options?: VerifyWebhook.VerifyOptions) =>
  Effect.flip(VerifyWebhook.verify(request, options))

describe("VerifyWebhook.verify", () => {
  it.effect("accepts a signed, fresh webhook and decodes it", () =>
    Effect.gen(function*() {
      yield* atStart
      const event = yield* VerifyWebhook.verify(signedWebhook())
      expect(event).toMatchObject({
        type: "challenge.approved",
        challengeSid: `YC${"e".repeat(32)}`,
        challengeStatus: "approved",
        entityIdentity: "ff483d1f-f591-898a",
        factorType: "push",
        sentAt: start
      })
      expect(event.params.uuid).toBe("8d3c3f4e-0000-4000-8000-000000000001")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("refuses a forged webhook: tampered parameter, another URL, another token, no header", () =>
    Effect.gen(function*() {
      yield* atStart
      const genuine = signedWebhook()
      const tampered = { ...genuine, body: genuine.body.replace("challenge.approved", "challenge.denied") }
      const elsewhere = { ...genuine, url: "https://example.com/other" }
      const otherToken = {
        ...genuine,
        headers: { ...genuine.headers, "X-Twilio-Signature": VerifyWebhook.computeSignature({ authToken: "other", url, params: {} }) }
      }
      const unsigned = { ...genuine, headers: { "Content-Type": "application/x-www-form-urlencoded" } }
      for (const forged of [tampered, elsewhere, otherToken, unsigned]) {
        expect(yield* refusal(forged)).toMatchObject({ _tag: "ValidationError", field: "signature", service: "Verify" })
      }
    }).pipe(Effect.provide(TestLayer)))

  it.effect("refuses a replay, and a stale or future webhook; the window's bounds are included", () =>
    Effect.gen(function*() {
      yield* atStart
      const webhook = signedWebhook()
      yield* VerifyWebhook.verify(webhook)
      expect(yield* refusal(webhook)).toMatchObject({ field: "replay" })
      // At exactly sent + window it is still fresh, and still remembered.
      yield* TestClock.adjust("5 minutes")
      expect(yield* refusal(webhook)).toMatchObject({ field: "replay" })
      yield* TestClock.adjust("1 millis")
      expect(yield* refusal(webhook)).toMatchObject({ field: "timestamp", message: "The webhook is too old (stale timestamp)" })
      // Sent times have whole seconds on the wire: 11 minutes ahead of start is 5m59.999s past now + window.
      const future = signedWebhook({ uuid: "future" }, start + 11 * 60_000)
      expect(yield* refusal(future)).toMatchObject({ field: "timestamp" })
    }).pipe(Effect.provide(TestLayer)))

  it.effect("an event without a time is remembered for one window from receipt; requireTimestamp refuses it", () =>
    Effect.gen(function*() {
      yield* atStart
      const factorEvent = signedWebhook({ type: "factor.verified", challenge_date_responded: "" })
      expect(yield* refusal(factorEvent, { requireTimestamp: true })).toMatchObject({ field: "timestamp" })
      const event = yield* VerifyWebhook.verify(factorEvent)
      expect(event.sentAt).toBeUndefined()
      expect(yield* refusal(factorEvent)).toMatchObject({ field: "replay" })
      const unreadable = signedWebhook({ challenge_date_responded: "yesterday" })
      expect(yield* refusal(unreadable)).toMatchObject({ field: "timestamp" })
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a JSON body is checked against the URL's bodySHA256", () =>
    Effect.gen(function*() {
      yield* atStart
      const body = JSON.stringify({ type: "challenge.denied", challenge_date_responded: iso(start) })
      const target = `${url}?bodySHA256=${VerifyWebhook.bodySHA256(body)}`
      const headers = {
        "X-Twilio-Signature": VerifyWebhook.computeSignature({ authToken: token, url: target, params: {} }),
        "Content-Type": "application/json"
      }
      const event = yield* VerifyWebhook.verify({ method: "POST", url: target, headers, body })
      expect(event.type).toBe("challenge.denied")
      const altered = body.replace("denied", "approved")
      expect(yield* refusal({ method: "POST", url: target, headers, body: altered })).toMatchObject({ field: "signature" })
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a GET webhook is signed over its URL", () =>
    Effect.gen(function*() {
      yield* atStart
      const target = `${url}?type=factor.created&entity_identity=ff483d1f-f591-898a`
      const headers = { "X-Twilio-Signature": VerifyWebhook.computeSignature({ authToken: token, url: target, params: {} }) }
      const event = yield* VerifyWebhook.verify({ method: "GET", url: target, headers })
      expect(event).toMatchObject({ type: "factor.created", entityIdentity: "ff483d1f-f591-898a" })
      expect(yield* refusal({ method: "PUT", url: target, headers })).toMatchObject({ field: "method" })
    }).pipe(Effect.provide(TestLayer)))

  it.effect("without an auth token (API-key credentials only) no signature checks out", () =>
    Effect.gen(function*() {
      yield* atStart
      const layer = makeStub(() => ({ status: 500, body: "" })).layer({
        authToken: undefined as never,
        apiKey: { sid: `SK${"1".repeat(32)}`, secret: Redacted.make("secret") }
      })
      const exit = yield* Effect.exit(VerifyWebhook.verify(signedWebhook()).pipe(Effect.provide(layer)))
      expect(exit).toMatchObject(Exit.fail({ field: "signature" }))
    }).pipe(Effect.provide(VerifyWebhook.layerMemory)))

  it("maps refusals to statuses like OneTouch callbacks", () => {
    const statusOf = (field: string) => VerifyWebhook.statusFor(new ValidationError({ field, message: "", service: "Verify" }))
    expect(["signature", "timestamp", "replay", "method", "payload", "window"].map(statusOf)).toEqual([401, 401, 409, 405, 400, 500])
    expect(VerifyWebhook.statusFor(new VerifyWebhook.NonceStoreError({ reason: "Timeout", message: "slow" }))).toBe(503)
  })
})

describe("VerifyWebhook.handler", () => {
  it.effect("on a real loopback server: 200, then 409 for the replay, 401 for a forgery; a failed onEvent lets the redelivery in", () =>
    Effect.gen(function*() {
      yield* atStart
      const events: Array<string> = []
      let failNext = true
      const app = VerifyWebhook.handler((event) =>
        event.type === "challenge.denied" && failNext
          ? Effect.sync(() => (failNext = false)).pipe(Effect.zipRight(Effect.fail("database down")))
          : Effect.sync(() => events.push(event.type))
      )
      yield* HttpRouter.empty.pipe(HttpRouter.post("/twilio/webhook", app), HttpServer.serveEffect())
      const port = yield* HttpServer.addressWith((address) => Effect.succeed(address._tag === "TcpAddress" ? address.port : 0))
      const publicUrl = `http://127.0.0.1:${port}/twilio/webhook`
      const client = yield* HttpClient.HttpClient
      const send = (webhook: ReturnType<typeof signedWebhook>) =>
        HttpClientRequest.post("/twilio/webhook").pipe(
          HttpClientRequest.setHeaders(webhook.headers),
          HttpClientRequest.bodyText(webhook.body, "application/x-www-form-urlencoded"),
          client.execute,
          Effect.map((response) => response.status)
        )
      const approved = signedWebhook({}, start, publicUrl)
      const denied = signedWebhook({ type: "challenge.denied", uuid: "second" }, start, publicUrl)
      const statuses = [
        yield* send(approved),
        yield* send(approved),
        yield* send({ ...approved, body: approved.body.replace("approved", "denied") }),
        yield* send(denied),
        yield* send(denied)
      ]
      expect(statuses).toEqual([200, 409, 401, 500, 200])
      expect(events).toEqual(["challenge.approved", "challenge.denied"])
    }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(NodeHttpServer.layerTest, TestLayer))))
})
