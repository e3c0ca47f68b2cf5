/**
 * The emulator's OneTouch callbacks: what is sent (payload, headers,
 * signature, nonce from the emulator clock) to a raw loopback receiver, the
 * delivery records, failures, and the control API and CLI that configure it.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Queue, Schedule, type Scope, TestClock } from "effect"
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { OneTouch, Users } from "effect-authy"
import { type Delivery, Emulator } from "effect-authy/emulator"
import * as Cli from "../src/emulator/cli.js"
import { canonicalParams } from "../src/internal/signature.js"

// ---------------------------------------------------------------------------
// A raw receiver: records each request exactly as it came off the wire
// ---------------------------------------------------------------------------

interface Received {
  readonly method: string
  /** Path and query, as sent. */
  readonly target: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

interface Receiver {
  /** `http://127.0.0.1:<port>/authy/callback` */
  readonly url: string
  readonly requests: Queue.Queue<Received>
}

/**
 * A loopback HTTP server for the life of the scope. It answers `status`, or
 * never answers when `status` is `"hang"` (then `arrived` is completed as
 * each request comes in).
 */
const receiver = (
  status: number | "hang" = 200,
  arrived?: Deferred.Deferred<void>
): Effect.Effect<Receiver, never, Scope.Scope> =>
  Effect.gen(function*() {
    const requests = yield* Queue.unbounded<Received>()
    const server = yield* Effect.acquireRelease(
      Effect.async<ReturnType<typeof createServer>>((resume) => {
        const server = createServer((req, res) => {
          let body = ""
          req.setEncoding("utf8")
          req.on("data", (chunk: string) => (body += chunk))
          req.on("end", () => {
            Queue.unsafeOffer(requests, { method: req.method ?? "", target: req.url ?? "", headers: req.headers, body })
            if (arrived !== undefined) Deferred.unsafeDone(arrived, Effect.void)
            if (status !== "hang") res.writeHead(status).end("ok")
          })
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const port = (server.address() as AddressInfo).port
    return { url: `http://127.0.0.1:${port}/authy/callback`, requests }
  })

/** A port nothing listens on: bound, then closed again. */
const closedPort = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

// ---------------------------------------------------------------------------
// Emulator helpers
// ---------------------------------------------------------------------------

const AuthyTest = Emulator.layerAuthy({ apiKeys: ["k1", "k2"] }).pipe(Layer.provide(NodeHttpClient.layerUndici))

const control = Effect.map(Emulator, (e) => e.control)

/** A user with the Authy app, and a pending approval request for them. */
const pendingRequest = Effect.gen(function*() {
  const c = yield* control
  yield* c.reset
  const { user } = yield* Users.create({ email: "ada@example.com", cellphone: "305-342-5699", countryCode: 57 })
  const device = yield* c.registerDevice(user.id, { osType: "ios" })
  const { approvalRequest } = yield* OneTouch.sendRequest(user.id, {
    message: "Log in to Example?",
    details: { Browser: "Firefox", Location: "Bogotá" },
    hiddenDetails: { ip: "203.0.113.7" },
    logos: [{ res: "default", url: "https://example.com/d.png" }, { res: "low", url: "https://example.com/l.png" }],
    secondsToExpire: 120
  })
  return { authyId: user.id, deviceId: device.deviceId, uuid: approvalRequest.uuid }
})

/** The delivery of `uuid`, polled for (the delivery finishes after the receiver answers). */
const deliveryOf = (uuid: string, apiKey?: string) =>
  Effect.flatMap(control, (c) => c.callbacks(apiKey)).pipe(
    Effect.flatMap((list) => Effect.fromNullable(list.find((d) => d.uuid === uuid))),
    Effect.retry({ schedule: Schedule.spaced("10 millis"), times: 300 }),
    Effect.orElse(() => Effect.dieMessage(`no delivery of ${uuid} was recorded`))
  )

/** A control API call over HTTP with key `k1` (or `key`). */
const controlCall = (method: string, path: string, body?: unknown, key = "k1") =>
  Effect.flatMap(Emulator, (e) =>
    Effect.promise(async () => {
      const response = await fetch(`${e.url}${path}`, {
        method,
        headers: { "x-authy-api-key": key, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      return { status: response.status, json: (await response.json()) as Record<string, any> }
    }))

const unixNow = Effect.flatMap(control, (c) => c.now).pipe(Effect.map((now) => Math.floor(now / 1000)))

const signatureOf = (method: "GET" | "POST", url: string, nonce: string, params: unknown, apiKey = "k1") =>
  OneTouch.computeSignature({ apiKey, nonce, method, url, params })

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe("emulator OneTouch callbacks", () => {
  it.scopedLive("POSTs the §2.16 payload as JSON, signed with the app's key over the emulator clock's nonce", () =>
    Effect.gen(function*() {
      const app = yield* receiver()
      const { authyId, deviceId, uuid } = yield* pendingRequest
      const c = yield* control
      yield* c.setCallback({ url: app.url })
      const before = yield* unixNow
      const approved = yield* controlCall("POST", `/__emulator/approval_requests/${uuid}/approve`)
      expect(approved.status).toBe(200)
      const after = yield* unixNow
      const request = yield* Queue.take(app.requests)

      expect(request.method).toBe("POST")
      expect(request.target).toBe("/authy/callback")
      expect(request.headers["content-type"]).toBe("application/json")
      const nonce = String(request.headers["x-authy-signature-nonce"])
      expect(nonce).toMatch(/^\d{10}$/)
      expect(Number(nonce)).toBeGreaterThanOrEqual(before)
      expect(Number(nonce)).toBeLessThanOrEqual(after)
      const body = JSON.parse(request.body)
      expect(request.headers["x-authy-signature"]).toBe(signatureOf("POST", app.url, nonce, body))
      expect(request.headers["x-authy-signature"]).not.toBe(signatureOf("POST", app.url, nonce, body, "k2"))

      expect(Object.keys(body)).toEqual([
        "authy_id",
        "device_uuid",
        "callback_action",
        "uuid",
        "status",
        "approval_request",
        "signature",
        "device"
      ])
      expect(body).toMatchObject({
        authy_id: authyId,
        device_uuid: deviceId,
        callback_action: "approval_request_status",
        uuid,
        status: "approved",
        approval_request: {
          transaction: {
            details: { Browser: "Firefox", Location: "Bogotá" },
            device_details: {},
            device_geolocation: "",
            device_signing_time: expect.any(Number),
            encrypted: false,
            flagged: false,
            hidden_details: { ip: "203.0.113.7" },
            message: "Log in to Example?",
            reason: "",
            requester_details: null,
            status: "approved",
            uuid,
            created_at_time: expect.any(Number),
            customer_uuid: 1
          },
          logos: [{ res: "default", url: "https://example.com/d.png" }, { res: "low", url: "https://example.com/l.png" }],
          app_id: expect.stringMatching(/^[0-9a-f]{24}$/)
        },
        device: { id: deviceId, os_type: "ios" }
      })
      const transaction = body.approval_request.transaction
      expect(body.approval_request.expiration_timestamp).toBe(transaction.created_at_time + 120)
      expect(Buffer.from(body.signature, "base64").length).toBe(256)

      const delivery = yield* deliveryOf(uuid)
      expect(delivery).toMatchObject({ uuid, status: "approved", url: app.url, method: "POST", nonce, responseStatus: 200 })
      expect(delivery.payload).toEqual(body)
      const listed = yield* controlCall("GET", "/__emulator/callbacks")
      expect(listed.json.deliveries).toEqual([{
        uuid,
        status: "approved",
        url: app.url,
        method: "POST",
        response_status: 200,
        nonce,
        signature: delivery.signature,
        sent_at: new Date(delivery.sentAt).toISOString(),
        payload: body
      }])
    }).pipe(Effect.provide(AuthyTest)))

  it.scopedLive("GETs with the canonical params string as the query, signed as a GET", () =>
    Effect.gen(function*() {
      const app = yield* receiver()
      const { uuid } = yield* pendingRequest
      const c = yield* control
      yield* c.setCallback({ url: app.url, method: "GET" })
      yield* c.deny(uuid)
      const request = yield* Queue.take(app.requests)

      expect(request.method).toBe("GET")
      expect(request.body).toBe("")
      const delivery = yield* deliveryOf(uuid)
      expect(delivery).toMatchObject({ status: "denied", method: "GET", responseStatus: 200 })
      expect(delivery.payload).toMatchObject({ status: "denied", approval_request: { transaction: { status: "denied" } } })
      const query = canonicalParams(delivery.payload)
      expect(request.target).toBe(`/authy/callback?${query}`)
      // Array elements stay in order, each one emitted as a unit (authy-api.md §3).
      expect(query).toContain(
        "approval_request%5Blogos%5D%5B%5D%5Bres%5D=default&approval_request%5Blogos%5D%5B%5D%5Burl%5D=" +
          "https%3A%2F%2Fexample.com%2Fd.png&approval_request%5Blogos%5D%5B%5D%5Bres%5D=low&"
      )
      const nonce = String(request.headers["x-authy-signature-nonce"])
      expect(request.headers["x-authy-signature"]).toBe(signatureOf("GET", app.url, nonce, query))
      expect(request.headers["x-authy-signature"]).not.toBe(signatureOf("POST", app.url, nonce, query))
    }).pipe(Effect.provide(AuthyTest)))

  it.scopedLive("takes the nonce from the emulator clock, and sends nulls for what the request lacks", () =>
    Effect.gen(function*() {
      const app = yield* receiver()
      const c = yield* control
      yield* c.reset
      const { user } = yield* Users.create({ email: "ada@example.com", cellphone: "305-342-5699", countryCode: 57 })
      const { approvalRequest } = yield* OneTouch.sendRequest(user.id, { message: "Sign in?", secondsToExpire: 0 })
      yield* c.setCallback({ url: app.url })
      yield* c.advanceClock("1 hour")
      const expected = yield* unixNow
      yield* c.approve(approvalRequest.uuid)
      const request = yield* Queue.take(app.requests)

      expect(Math.abs(Number(request.headers["x-authy-signature-nonce"]) - expected)).toBeLessThanOrEqual(1)
      expect(Number(request.headers["x-authy-signature-nonce"]) - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500)
      const body = JSON.parse(request.body)
      expect(body.device_uuid).toBe(0)
      expect(body.approval_request).toMatchObject({
        transaction: { details: null, hidden_details: null },
        expiration_timestamp: null,
        logos: null
      })
    }).pipe(Effect.provide(AuthyTest)))

  it.scopedLive("records the application's answer, and a failure to connect, without failing the approval", () =>
    Effect.gen(function*() {
      const refusing = yield* receiver(503)
      const first = yield* pendingRequest
      const c = yield* control
      yield* c.setCallback({ url: refusing.url })
      yield* c.approve(first.uuid)
      expect(yield* deliveryOf(first.uuid)).toMatchObject({ responseStatus: 503 })
      expect((yield* deliveryOf(first.uuid)).error).toBeUndefined()

      const port = yield* closedPort
      const second = yield* OneTouch.sendRequest(first.authyId, { message: "Again?" })
      yield* c.setCallback({ url: `http://127.0.0.1:${port}/authy/callback` })
      const approved = yield* controlCall("POST", `/__emulator/approval_requests/${second.approvalRequest.uuid}/approve`)
      expect(approved.status).toBe(200)
      const failed = yield* deliveryOf(second.approvalRequest.uuid)
      expect(failed.responseStatus).toBeUndefined()
      expect(failed.error).toBe("connection refused")
      const listed = yield* controlCall("GET", `/__emulator/callbacks?uuid=${second.approvalRequest.uuid}`)
      expect(listed.json.deliveries).toHaveLength(1)
      expect(listed.json.deliveries[0]).toMatchObject({ error: failed.error })
      expect(listed.json.deliveries[0]).not.toHaveProperty("response_status")
      // Still serving.
      expect((yield* OneTouch.getApprovalStatus(second.approvalRequest.uuid)).approvalRequest.status).toBe("approved")
    }).pipe(Effect.provide(AuthyTest)))

  it.scoped("gives up on an application that never answers after the delivery timeout (TestClock)", () =>
    Effect.gen(function*() {
      const arrived = yield* Deferred.make<void>()
      const app = yield* receiver("hang", arrived)
      const { uuid } = yield* pendingRequest
      const c = yield* control
      yield* c.setCallback({ url: app.url })
      yield* c.approve(uuid)
      yield* Deferred.await(arrived)
      expect(yield* c.callbacks()).toEqual([])
      yield* TestClock.adjust("6 seconds")
      // The timed-out fiber records within a few turns of the event loop.
      let recorded: ReadonlyArray<Delivery> = []
      for (let turn = 0; turn < 200 && recorded.length === 0; turn++) {
        yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
        recorded = yield* c.callbacks()
      }
      expect(recorded).toHaveLength(1)
      expect(recorded[0]?.error).toMatch(/no answer within 5s/)
    }).pipe(Effect.provide(AuthyTest)))

  it.scopedLive("sends nothing for an app without a target, and keeps each app's deliveries apart", () =>
    Effect.gen(function*() {
      const app = yield* receiver()
      const first = yield* pendingRequest
      const c = yield* control
      yield* c.setCallback({ url: app.url, apiKey: "k2" })
      yield* c.approve(first.uuid)
      const second = yield* OneTouch.sendRequest(first.authyId, { message: "Again?" })
      yield* c.setCallback({ url: app.url })
      yield* c.approve(second.approvalRequest.uuid)
      yield* deliveryOf(second.approvalRequest.uuid)
      expect((yield* c.callbacks()).map((d) => d.uuid)).toEqual([second.approvalRequest.uuid])
      expect(yield* c.callbacks("k2")).toEqual([])
      expect(yield* Queue.size(app.requests)).toBe(1)
    }).pipe(Effect.provide(AuthyTest)))
})

describe("emulator callback control API", () => {
  it.effect("sets, reads and clears the target per key; a reset keeps it", () =>
    Effect.gen(function*() {
      expect((yield* controlCall("GET", "/__emulator/callback")).json).toEqual({ callback: null, success: true })
      const set = yield* controlCall("POST", "/__emulator/callback", { url: "http://127.0.0.1:3000/authy/callback#x" })
      expect(set.status).toBe(200)
      expect(set.json).toEqual({ callback: { url: "http://127.0.0.1:3000/authy/callback", method: "POST" }, success: true })
      const get = yield* controlCall("POST", "/__emulator/callback", { url: "https://example.com/cb", method: "get" }, "k2")
      expect(get.json.callback).toEqual({ url: "https://example.com/cb", method: "GET" })
      expect((yield* controlCall("GET", "/__emulator/callback")).json.callback.method).toBe("POST")

      yield* (yield* control).reset
      expect((yield* controlCall("GET", "/__emulator/callback", undefined, "k2")).json.callback).toEqual({
        url: "https://example.com/cb",
        method: "GET"
      })
      const cleared = yield* controlCall("DELETE", "/__emulator/callback", undefined, "k2")
      expect(cleared.json).toEqual({ callback: null, success: true })
      const emptied = yield* controlCall("POST", "/__emulator/callback", { url: "" })
      expect(emptied.json.callback).toBeNull()
    }).pipe(Effect.provide(AuthyTest)))

  it.effect("refuses invalid targets with 400 60004, and unknown keys with 401", () =>
    Effect.gen(function*() {
      for (
        const [body, field] of [
          [{ url: "not a url" }, "url"],
          [{ url: "ftp://example.com/cb" }, "url"],
          [{ url: "https://example.com/cb?token=1", method: "GET" }, "url"],
          [{ url: "https://example.com/cb", method: "PUT" }, "method"]
        ] as const
      ) {
        const r = yield* controlCall("POST", "/__emulator/callback", body)
        expect(r.status).toBe(400)
        expect(r.json).toMatchObject({ error_code: "60004", success: false })
        expect(r.json.message).toContain(`Invalid parameter: ${field}`)
      }
      expect((yield* controlCall("GET", "/__emulator/callback")).json.callback).toBeNull()
      // A POST target may keep a query of its own: it is not signed.
      expect((yield* controlCall("POST", "/__emulator/callback", { url: "https://example.com/cb?t=1" })).status).toBe(200)
      expect((yield* controlCall("GET", "/__emulator/callbacks", undefined, "nope")).status).toBe(401)
      expect((yield* controlCall("POST", "/__emulator/callback", { url: "" }, "nope")).status).toBe(401)
    }).pipe(Effect.provide(AuthyTest)))

  it.effect("the control handle dies on an invalid target", () =>
    Effect.gen(function*() {
      const c = yield* control
      const exit = yield* Effect.exit(c.setCallback({ url: "mailto:ada@example.com" }))
      expect(exit._tag).toBe("Failure")
    }).pipe(Effect.provide(AuthyTest)))

  it.effect("the layer's `callback` option applies to every key", () =>
    Effect.gen(function*() {
      for (const key of ["k1", "k2"]) {
        expect((yield* controlCall("GET", "/__emulator/callback", undefined, key)).json.callback).toEqual({
          url: "http://127.0.0.1:3000/cb",
          method: "GET"
        })
      }
    }).pipe(Effect.provide(Emulator.layer({ apiKeys: ["k1", "k2"], callback: { url: "http://127.0.0.1:3000/cb", method: "GET" } }))))
})

describe("emulator callback command line", () => {
  it("takes --callback-url and --callback-method (default POST)", () => {
    expect(Cli.parse(["--callback-url", "http://127.0.0.1:3000/cb"]).callback).toEqual({
      url: "http://127.0.0.1:3000/cb",
      method: "POST"
    })
    expect(Cli.parse(["--callback-url", "http://127.0.0.1:3000/cb", "--callback-method", "get"]).callback).toEqual({
      url: "http://127.0.0.1:3000/cb",
      method: "GET"
    })
    expect(Cli.parse([]).callback).toBeUndefined()
    expect(() => Cli.parse(["--callback-url", "nope"])).toThrow(/--callback-url/)
    expect(() => Cli.parse(["--callback-url", "http://x/cb", "--callback-method", "PUT"])).toThrow(/--callback-method/)
    expect(() => Cli.parse(["--callback-method", "GET"])).toThrow(/needs --callback-url/)
  })
})
