/**
 * OneTouch callbacks: the verifier against hand-signed POST and GET
 * callbacks, the nonce store, and the HTTP handler (in memory and on a real
 * loopback server).
 */
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer, HttpServerRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, TestClock } from "effect"
import { type AuthyService, OneTouch, OneTouchCallback, ValidationError } from "../src/index.js"
import { canonicalParams } from "../src/internal/authy/signature.js"
import { apiKey, json, makeStub } from "./util/stub.js"

const url = "https://example.com/authy/callback"
const uuid = "4a725520-c5c6-0135-b3d3-0a22e43ba1b4"
/** The TestClock is set to this time, and the nonces are taken from it. */
const now = 1512923419

/** A POST callback body as authy-api.md §2.16 shows it. */
const callback = (overrides: Record<string, unknown> = {}) => ({
  authy_id: 688611,
  device_uuid: 2102943,
  callback_action: "approval_request_status",
  uuid,
  status: "approved",
  approval_request: {
    transaction: {
      details: { "Logged in from": "Bogotá", Browser: "Firefox 57" },
      device_details: {},
      device_geolocation: "",
      device_signing_time: 1512923419,
      encrypted: false,
      flagged: false,
      hidden_details: { ip: "203.0.113.7" },
      message: "Log in to Example?",
      reason: "",
      requester_details: null,
      status: "approved",
      uuid,
      created_at_time: 1512923400,
      customer_uuid: 15083
    },
    expiration_timestamp: 1513009800,
    logos: [{ res: "default", url: "https://example.com/d.png" }, { res: "low", url: "https://example.com/l.png" }],
    app_id: "582380eb7e1caa03317ec08c"
  },
  signature: "c2lnbmVkIGJ5IHRoZSBkZXZpY2U=",
  device: { city: null, country: "Colombia", ip: "203.0.113.8", region: null, registration_city: null },
  ...overrides
})

interface Signed {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body?: string
  readonly query?: string
}

const headersFor = (signature: string, nonce: string) => ({
  "X-Authy-Signature": signature,
  "X-Authy-Signature-Nonce": nonce
})

/** A POST callback as Authy would send it: JSON body, signed over the parsed body. */
const signedPost = (
  body: Record<string, unknown> = callback(),
  options: { readonly nonce?: string; readonly key?: string; readonly url?: string } = {}
): Signed => {
  const nonce = options.nonce ?? String(now)
  const target = options.url ?? url
  const signature = OneTouch.computeSignature({ apiKey: options.key ?? apiKey, nonce, method: "POST", url: target, params: body })
  return { method: "POST", url: target, headers: headersFor(signature, nonce), body: JSON.stringify(body) }
}

/** A GET callback: the query is the canonical parameter string itself. */
const signedGet = (body: Record<string, unknown> = callback(), nonce = String(now)): Signed => {
  const query = canonicalParams(body)
  const signature = OneTouch.computeSignature({ apiKey, nonce, method: "GET", url, params: query })
  return { method: "GET", url: `${url}?${query}`, headers: headersFor(signature, nonce) }
}

/** The service is only asked to check signatures here: its HTTP client is never called. */
const AuthyTest = makeStub(() => json(500, "unused")).layer()
const TestLayer = Layer.merge(AuthyTest, OneTouchCallback.layerMemory)

/** A test with a fresh nonce store of its own. */
const effect = <A, E>(name: string, self: () => Effect.Effect<A, E, AuthyService | OneTouchCallback.NonceStore>) =>
  it.effect(name, () => Effect.provide(self(), TestLayer))

const verify = (request: Signed, options?: OneTouchCallback.VerifyOptions) =>
  OneTouchCallback.verify(request, options)

/** The refusal; an accepted callback fails the test with a short message. */
const refusal = (request: Signed, options?: OneTouchCallback.VerifyOptions) =>
  verify(request, options).pipe(
    Effect.flatMap((event) => Effect.dieMessage(`the callback for ${event.uuid} was accepted`)),
    Effect.flip
  )

const atNow = TestClock.setTime(now * 1000)

describe("OneTouchCallback.verify", () => {
  effect("accepts a signed POST callback and types it", () =>
    Effect.gen(function*() {
      yield* atNow
      const body = callback()
      const event = yield* verify(signedPost(body))
      expect(event).toBeInstanceOf(OneTouchCallback.CallbackEvent)
      expect(event).toMatchObject({
        uuid,
        status: "approved",
        authyId: 688611,
        deviceUuid: "2102943",
        callbackAction: "approval_request_status",
        message: "Log in to Example?",
        details: { "Logged in from": "Bogotá", Browser: "Firefox 57" },
        hiddenDetails: { ip: "203.0.113.7" },
        reason: "",
        createdAtTime: 1512923400,
        deviceSigningTime: 1512923419,
        expirationTimestamp: 1513009800,
        appId: "582380eb7e1caa03317ec08c",
        nonce: String(now)
      })
      expect(event.payload).toEqual(body)
    }))

  effect("accepts a signed GET callback and types it the same way", () =>
    Effect.gen(function*() {
      yield* atNow
      const event = yield* verify(signedGet(callback({ status: "denied" })))
      expect(event).toMatchObject({
        uuid,
        status: "denied",
        authyId: 688611,
        deviceUuid: "2102943",
        details: { "Logged in from": "Bogotá", Browser: "Firefox 57" },
        hiddenDetails: { ip: "203.0.113.7" },
        createdAtTime: 1512923400
      })
      expect(event.payload).toMatchObject({
        approval_request: {
          logos: [{ res: "default", url: "https://example.com/d.png" }, { res: "low", url: "https://example.com/l.png" }],
          transaction: { requester_details: "" }
        }
      })
    }))

  effect("accepts a GET callback whose query was passed apart from the URL", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedGet()
      const [base, query] = signed.url.split("?")
      const event = yield* verify({ ...signed, url: base ?? "", query: query ?? "" })
      expect(event.uuid).toBe(uuid)
    }))

  effect("accepts a request without details and a fractional nonce", () =>
    Effect.gen(function*() {
      yield* atNow
      const body = callback({ approval_request: { transaction: { details: null, hidden_details: {}, message: "m" } } })
      const event = yield* verify(signedPost(body, { nonce: `${now}.886085` }))
      expect(event.details).toEqual({})
      expect(event.hiddenDetails).toEqual({})
      expect(event.nonce).toBe(`${now}.886085`)
    }))

  effect("refuses a tampered body", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost(callback({ status: "denied" }))
      const tampered = { ...signed, body: JSON.stringify(callback({ status: "approved" })) }
      expect(yield* refusal(tampered)).toMatchObject({ _tag: "ValidationError", field: "signature" })
    }))

  effect("refuses a tampered GET query", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedGet(callback({ status: "denied" }))
      const tampered = { ...signed, url: signed.url.replace("status=denied", "status=approved") }
      expect(tampered.url).not.toBe(signed.url)
      expect(yield* refusal(tampered)).toMatchObject({ field: "signature" })
    }))

  effect("refuses a callback signed with another key", () =>
    Effect.gen(function*() {
      yield* atNow
      expect(yield* refusal(signedPost(callback(), { key: "another-key" }))).toMatchObject({ field: "signature" })
    }))

  effect("refuses a callback signed for another URL (set the public URL behind proxies)", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost(callback(), { url: "http://internal:8080/authy/callback" })
      expect(yield* refusal({ ...signed, url })).toMatchObject({ field: "signature" })
      expect((yield* verify(signed)).uuid).toBe(uuid)
    }))

  effect("refuses missing headers, naming the one missing", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost()
      const withoutSignature = { ...signed, headers: { "X-Authy-Signature-Nonce": String(now) } }
      const withoutNonce = { ...signed, headers: { "X-Authy-Signature": signed.headers["X-Authy-Signature"] ?? "" } }
      expect(yield* refusal(withoutSignature)).toMatchObject({ field: "signature" })
      expect(yield* refusal(withoutNonce)).toMatchObject({ field: "nonce" })
    }))

  effect("reads the headers in any case", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost()
      const lower = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]))
      expect((yield* verify({ ...signed, headers: lower })).uuid).toBe(uuid)
    }))

  effect("refuses a nonce that is not a Unix time, even when signed", () =>
    Effect.gen(function*() {
      yield* atNow
      expect(yield* refusal(signedPost(callback(), { nonce: "yesterday" }))).toMatchObject({ field: "nonce" })
    }))

  effect("refuses a stale nonce once the window has passed", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost()
      yield* TestClock.adjust("5 minutes")
      yield* TestClock.adjust("1 second")
      const error = yield* refusal(signed)
      expect(error).toMatchObject({ field: "nonce" })
      expect(error.message).toContain("too old")
    }))

  effect("accepts a nonce at the edge of the window, and the window is configurable", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost()
      yield* TestClock.adjust("5 minutes")
      expect(yield* refusal(signedPost(callback({ uuid: "other" })), { window: "1 minute" })).toMatchObject({ field: "nonce" })
      expect((yield* verify(signed)).uuid).toBe(uuid)
    }))

  effect("refuses a nonce too far in the future, accepts one within the window", () =>
    Effect.gen(function*() {
      yield* atNow
      const farAhead = signedPost(callback(), { nonce: String(now + 301) })
      const error = yield* refusal(farAhead)
      expect(error).toMatchObject({ field: "nonce" })
      expect(error.message).toContain("future")
      expect((yield* verify(signedPost(callback(), { nonce: String(now + 60) }))).uuid).toBe(uuid)
    }))

  effect("refuses a replay within the window", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost()
      yield* verify(signed)
      yield* TestClock.adjust("4 minutes")
      expect(yield* refusal(signed)).toMatchObject({ _tag: "ValidationError", field: "replay" })
      // Past the window the replay is stale instead: it never gets through.
      yield* TestClock.adjust("2 minutes")
      expect(yield* refusal(signed)).toMatchObject({ field: "nonce" })
    }))

  effect("refuses a replay at exactly nonce + window: freshness and the store share one boundary", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost()
      expect((yield* verify(signed)).uuid).toBe(uuid)
      // Exactly one window after the nonce: still fresh (the bound is
      // included), so the store must still hold the first delivery.
      yield* TestClock.adjust("5 minutes")
      expect(yield* refusal(signed)).toMatchObject({ field: "replay" })
      // One millisecond later the callback is stale, whatever the store says.
      yield* TestClock.adjust("1 millis")
      expect(yield* refusal(signed)).toMatchObject({ field: "nonce" })
    }))

  effect("refuses a replay at exactly nonce + window when the first delivery came at the boundary", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost(callback(), { nonce: String(now - 60) })
      yield* TestClock.adjust("4 minutes")
      expect((yield* verify(signed, { window: "5 minutes" })).uuid).toBe(uuid)
      expect(yield* refusal(signed, { window: "5 minutes" })).toMatchObject({ field: "replay" })
    }))

  effect("accepts two different callbacks with the same nonce", () =>
    Effect.gen(function*() {
      yield* atNow
      const first = yield* verify(signedPost(callback()))
      const second = yield* verify(signedPost(callback({ uuid: "5b836631-d6d7-0135-b3d3-0a22e43ba1b4" })))
      expect([first.nonce, second.nonce]).toEqual([String(now), String(now)])
      expect(second.uuid).not.toBe(first.uuid)
    }))

  effect("accepts a callback again once forgotten", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost()
      const event = yield* verify(signed)
      const store = yield* OneTouchCallback.NonceStore
      yield* store.forget(event.signature)
      expect((yield* verify(signed)).uuid).toBe(uuid)
    }))

  effect("refuses a body that is not a JSON object, or not a OneTouch answer", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost()
      expect(yield* refusal({ ...signed, body: "<html>" })).toMatchObject({ field: "payload" })
      expect(yield* refusal({ ...signed, body: "[1]" })).toMatchObject({ field: "payload" })
      const pending = yield* refusal(signedPost(callback({ status: "pending" })))
      expect(pending).toMatchObject({ field: "payload" })
      expect(pending.message).toContain("status")
      const { uuid: _, ...withoutUuid } = callback()
      expect(yield* refusal(signedPost(withoutUuid))).toMatchObject({ field: "payload" })
    }))

  effect("refuses other methods", () =>
    Effect.gen(function*() {
      yield* atNow
      expect(yield* refusal({ ...signedPost(), method: "PUT" })).toMatchObject({ field: "method" })
    }))

  effect("does not remember refused callbacks", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost(callback({ uuid: "6c947742-e7e8-0135-b3d3-0a22e43ba1b4" }))
      yield* refusal({ ...signed, body: JSON.stringify(callback({ status: "denied" })) })
      const valid = yield* verify(signed)
      expect(valid.status).toBe("approved")
    }))
})

describe("OneTouchCallback.NonceStore", () => {
  it.effect("remembers a key through its expiry instant, inclusive", () =>
    Effect.gen(function*() {
      const store = yield* OneTouchCallback.makeMemory
      expect(yield* store.checkAndRemember("a", 1000)).toBe(true)
      expect(yield* store.checkAndRemember("a", 1000)).toBe(false)
      expect(yield* store.checkAndRemember("b", 1000)).toBe(true)
      yield* TestClock.adjust("1 second")
      // At exactly expiresAt the key is still held...
      expect(yield* store.checkAndRemember("a", 5000)).toBe(false)
      yield* TestClock.adjust("1 millis")
      // ...and forgotten one millisecond later.
      expect(yield* store.checkAndRemember("a", 5000)).toBe(true)
    }))

  it.effect("evicts expired keys, keeping memory bounded", () =>
    Effect.gen(function*() {
      const store = yield* OneTouchCallback.makeMemory
      for (let i = 0; i < 5000; i++) {
        expect(yield* store.checkAndRemember(`old-${i}`, 1000)).toBe(true)
      }
      expect(yield* store.size).toBeLessThanOrEqual(5000)
      yield* TestClock.adjust("2 seconds")
      for (let i = 0; i < 5000; i++) {
        yield* store.checkAndRemember(`new-${i}`, 60_000)
      }
      // Every old key expired at 1 s: the sweeps dropped them all.
      const size = yield* store.size
      expect(size).toBeGreaterThanOrEqual(5000)
      expect(size).toBeLessThan(5000 + 1024)
      expect(yield* store.checkAndRemember("new-1", 60_000)).toBe(false)
    }))

  it.effect("is in memory by default, shared by every verification in the process", () =>
    Effect.gen(function*() {
      yield* atNow
      const signed = signedPost(callback({ uuid: "7da58853-f8f9-0135-b3d3-0a22e43ba1b4" }))
      yield* verify(signed)
      expect(yield* refusal(signed)).toMatchObject({ field: "replay" })
    }).pipe(Effect.provide(AuthyTest)))
})

// ---------------------------------------------------------------------------
// The handler
// ---------------------------------------------------------------------------

const toWebRequest = (signed: Signed, extraHeaders: Record<string, string> = {}) =>
  new Request(signed.url, {
    method: signed.method,
    headers: { ...signed.headers, ...extraHeaders, "content-type": "application/json" },
    ...(signed.body === undefined ? {} : { body: signed.body })
  })

/** Serves one request with `app`, as the platform would. */
const serve = <E, R>(
  app: Effect.Effect<import("@effect/platform").HttpServerResponse.HttpServerResponse, E, R>,
  request: Request
) => Effect.provideService(app, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(request))

const recorder = () => {
  const events: Array<OneTouchCallback.CallbackEvent> = []
  const app = OneTouchCallback.handler((event) => Effect.sync(() => events.push(event)), { url })
  return { events, app }
}

describe("OneTouchCallback.handler", () => {
  effect("answers 200 and hands the event over once; 409 for the replay", () =>
    Effect.gen(function*() {
      yield* atNow
      const { app, events } = recorder()
      const signed = signedPost()
      const first = yield* serve(app, toWebRequest(signed))
      const again = yield* serve(app, toWebRequest(signed))
      expect(first.status).toBe(200)
      expect(again.status).toBe(409)
      expect(events.map((e) => [e.uuid, e.status])).toEqual([[uuid, "approved"]])
    }))

  effect("handles a GET callback", () =>
    Effect.gen(function*() {
      yield* atNow
      const { app, events } = recorder()
      const response = yield* serve(app, toWebRequest(signedGet(callback({ status: "denied" }))))
      expect(response.status).toBe(200)
      expect(events.map((e) => e.status)).toEqual(["denied"])
    }))

  effect("answers 401 for a bad or missing signature and a stale nonce, 400 for a bad payload", () =>
    Effect.gen(function*() {
      yield* atNow
      const { app, events } = recorder()
      const signed = signedPost()
      const tampered = yield* serve(app, toWebRequest({ ...signed, body: JSON.stringify(callback({ status: "denied" })) }))
      const unsigned = yield* serve(app, toWebRequest({ ...signed, headers: {} }))
      const badPayload = yield* serve(app, toWebRequest(signedPost(callback({ status: "maybe" }))))
      const notJson = yield* serve(app, toWebRequest({ ...signed, body: "status=approved" }))
      yield* TestClock.adjust("10 minutes")
      const stale = yield* serve(app, toWebRequest(signed))
      expect([tampered, unsigned, badPayload, notJson, stale].map((r) => r.status)).toEqual([401, 401, 400, 400, 401])
      expect(events).toEqual([])
    }))

  effect("rebuilds the public URL from Host and X-Forwarded-Proto when none is set", () =>
    Effect.gen(function*() {
      yield* atNow
      const events: Array<string> = []
      const app = OneTouchCallback.handler((event) => Effect.sync(() => events.push(event.uuid)))
      const signed = signedPost()
      // The proxy called the application over http on another host.
      const proxied = toWebRequest({ ...signed, url: "http://10.0.0.5:8080/authy/callback" }, {
        host: "example.com",
        "x-forwarded-proto": "https"
      })
      const response = yield* serve(app, proxied)
      expect(response.status).toBe(200)
      expect(events).toEqual([uuid])
    }))

  effect("lets a callback through again when the user's code failed on it", () =>
    Effect.gen(function*() {
      yield* atNow
      let calls = 0
      const app = OneTouchCallback.handler(
        () => (++calls === 1 ? Effect.fail("database down" as const) : Effect.void),
        { url }
      )
      const signed = signedPost()
      const failed = yield* Effect.exit(serve(app, toWebRequest(signed)))
      expect(failed).toEqual(Exit.fail("database down"))
      const retried = yield* serve(app, toWebRequest(signed))
      expect(retried.status).toBe(200)
      expect(calls).toBe(2)
    }))

  it.effect("answers 503 without calling onEvent when the nonce store cannot tell, and typed from verify", () =>
    Effect.gen(function*() {
      yield* atNow
      const down: OneTouchCallback.NonceStoreService = {
        checkAndRemember: () => Effect.fail(new OneTouchCallback.NonceStoreError({ reason: "Unavailable", message: "store down" })),
        forget: () => Effect.void
      }
      const { app, events } = recorder()
      const response = yield* serve(app, toWebRequest(signedPost())).pipe(
        Effect.provideService(OneTouchCallback.NonceStore, down)
      )
      expect(response.status).toBe(503)
      expect(events).toEqual([])
      const error = yield* refusal(signedPost()).pipe(Effect.provideService(OneTouchCallback.NonceStore, down))
      expect(error).toMatchObject({ _tag: "NonceStoreError", reason: "Unavailable" })
      expect(OneTouchCallback.statusFor(error)).toBe(503)
    }).pipe(Effect.provide(AuthyTest)))

  it.effect("passes the application's failure on when the store cannot forget either", () =>
    Effect.gen(function*() {
      yield* atNow
      const memory = yield* OneTouchCallback.makeMemory
      const forgetful: OneTouchCallback.NonceStoreService = {
        checkAndRemember: memory.checkAndRemember,
        forget: () => Effect.fail(new OneTouchCallback.NonceStoreError({ reason: "Timeout", message: "store slow" }))
      }
      const app = OneTouchCallback.handler(() => Effect.fail("database down" as const), { url })
      const exit = yield* Effect.exit(serve(app, toWebRequest(signedPost())).pipe(
        Effect.provideService(OneTouchCallback.NonceStore, forgetful)
      ))
      expect(exit).toEqual(Exit.fail("database down"))
    }).pipe(Effect.provide(AuthyTest)))

  it.effect("works in an HttpRouter on a real loopback server", () =>
    Effect.gen(function*() {
      yield* atNow
      const events: Array<string> = []
      const callbackApp = OneTouchCallback.handler((event) => Effect.sync(() => events.push(event.status)))
      yield* HttpRouter.empty.pipe(
        HttpRouter.post("/authy/callback", callbackApp),
        HttpRouter.get("/authy/callback", callbackApp),
        HttpServer.serveEffect()
      )
      // The client below sends `Host: 127.0.0.1:<port>`, from which the handler rebuilds the URL.
      const port = yield* HttpServer.addressWith((address) => Effect.succeed(address._tag === "TcpAddress" ? address.port : 0))
      const publicUrl = `http://127.0.0.1:${port}/authy/callback`
      const client = yield* HttpClient.HttpClient
      const send = (signed: Signed) =>
        HttpClientRequest.make(signed.method === "GET" ? "GET" : "POST")(signed.url.replace(publicUrl, "/authy/callback")).pipe(
          HttpClientRequest.setHeaders(signed.headers),
          signed.body === undefined ? (r) => r : HttpClientRequest.bodyText(signed.body, "application/json"),
          client.execute,
          Effect.map((response) => response.status)
        )
      const post = signedPost(callback(), { url: publicUrl })
      const get = (() => {
        const body = callback({ uuid: "8eb69964-0a0a-0135-b3d3-0a22e43ba1b4", status: "denied" })
        const query = canonicalParams(body)
        const signature = OneTouch.computeSignature({ apiKey, nonce: String(now), method: "GET", url: publicUrl, params: query })
        return { method: "GET", url: `${publicUrl}?${query}`, headers: headersFor(signature, String(now)) }
      })()
      const statuses = [
        yield* send(post),
        yield* send(post),
        yield* send(get),
        yield* send({ ...post, body: JSON.stringify(callback({ status: "denied" })) })
      ]
      expect(statuses).toEqual([200, 409, 200, 401])
      expect(events).toEqual(["approved", "denied"])
    }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(NodeHttpServer.layerTest, AuthyTest, OneTouchCallback.layerMemory))))
})

describe("OneTouch signature re-exports", () => {
  it("computes and validates the documented example", () => {
    const input = {
      apiKey: "foobar123",
      nonce: "1427849783.886085",
      method: "POST",
      url: "https://api.authy.com/dashboard/json/application/webhooks",
      params: { b: "val|ue&2", a: "value1" }
    }
    const signature = OneTouch.computeSignature(input)
    expect(signature).toBe("4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM=")
    expect(OneTouch.validateSignature({ ...input, signature })).toBe(true)
    expect(OneTouch.validateSignature({ ...input, signature, nonce: "1427849784" })).toBe(false)
  })

  it("maps every refusal to its HTTP status", () => {
    const statusOf = (field: string) => OneTouchCallback.statusFor(new ValidationError({ field, message: "" }))
    expect(["signature", "nonce", "replay", "method", "payload", "window"].map(statusOf)).toEqual([401, 401, 409, 405, 400, 500])
  })
})
