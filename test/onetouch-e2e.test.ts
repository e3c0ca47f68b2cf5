/**
 * OneTouch callbacks end to end: an application served on loopback with the
 * `OneTouchCallback` handler receives the emulator's signed callback for an
 * answered approval request, verifies it and hands the typed event to user
 * code; a tampered copy and a replayed copy of that very request are then
 * refused with the documented statuses (401 and 409). Both callback methods.
 */
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Ref, Schedule } from "effect"
import { createServer } from "node:http"
import { OneTouch, OneTouchCallback, Users } from "effect-authy"
import { type Delivery, Emulator } from "effect-authy/emulator"
import { canonicalParams } from "../src/internal/authy/signature.js"

const TestLayer = Layer.mergeAll(
  Emulator.layerAuthy(),
  NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }),
  OneTouchCallback.layerMemory
).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))

/**
 * The application: OneTouch callbacks on `/authy/callback` (POST and GET),
 * each verified event handed to `onEvent`. Answers its public URL.
 */
const serveApp = (onEvent: (event: OneTouchCallback.CallbackEvent) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    const callback = OneTouchCallback.handler(onEvent)
    yield* HttpRouter.empty.pipe(
      HttpRouter.post("/authy/callback", callback),
      HttpRouter.get("/authy/callback", callback),
      HttpServer.serveEffect()
    )
    const port = yield* HttpServer.addressWith((address) =>
      Effect.succeed(address._tag === "TcpAddress" ? address.port : 0)
    )
    return `http://127.0.0.1:${port}/authy/callback`
  })

/** The emulator's record of the delivery of `uuid`, polled for with bounded short tries. */
const deliveryOf = (uuid: string) =>
  Effect.flatMap(Emulator, (e) => e.control.callbacks()).pipe(
    Effect.flatMap((list) => Effect.fromNullable(list.find((d) => d.uuid === uuid))),
    Effect.retry({ schedule: Schedule.spaced("10 millis"), times: 300 }),
    Effect.orElse(() => Effect.dieMessage(`no delivery of ${uuid} was recorded`))
  )

/** Sends a recorded callback again, with its headers, and `payload` as its body (POST) or query (GET). */
const resend = (delivery: Delivery, payload: Readonly<Record<string, unknown>>) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const headers = { "x-authy-signature": delivery.signature, "x-authy-signature-nonce": delivery.nonce }
    const request = delivery.method === "GET"
      ? HttpClientRequest.get(`${delivery.url}?${canonicalParams(payload)}`, { headers })
      : HttpClientRequest.post(delivery.url, { headers }).pipe(
        HttpClientRequest.bodyText(JSON.stringify(payload), "application/json")
      )
    const response = yield* client.execute(request)
    return { status: response.status, text: yield* response.text }
  })

/** Approves through the control API over HTTP, as a test of another language would. */
const approveOverHttp = (uuid: string) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post(`${emulator.url}/__emulator/approval_requests/${uuid}/approve`).pipe(
        HttpClientRequest.setHeader("x-authy-api-key", emulator.apiKeys[0]!)
      )
    )
    expect(response.status).toBe(200)
  })

describe("OneTouch callbacks end to end", () => {
  for (const method of ["POST", "GET"] as const) {
    it.scopedLive(`${method}: the app verifies the emulator's callback, then refuses a tampered and a replayed copy`, () =>
      Effect.gen(function*() {
        const received = yield* Deferred.make<OneTouchCallback.CallbackEvent>()
        const handled = yield* Ref.make(0)
        const url = yield* serveApp((event) =>
          Ref.update(handled, (n) => n + 1).pipe(Effect.zipRight(Deferred.succeed(received, event)))
        )
        const emulator = yield* Emulator
        yield* emulator.control.setCallback({ url, method })

        const { user } = yield* Users.create({ email: "ada@example.com", cellphone: "305-342-5699", countryCode: 57 })
        const device = yield* emulator.control.registerDevice(user.id)
        const { approvalRequest } = yield* OneTouch.sendRequest(user.id, {
          message: "Log in to Example?",
          details: { Browser: "Firefox", Location: "Bogotá" },
          hiddenDetails: { ip: "203.0.113.7" },
          logos: [{ res: "default", url: "https://example.com/d.png" }, { res: "low", url: "https://example.com/l.png" }],
          secondsToExpire: 120
        })
        const uuid = approvalRequest.uuid
        if (method === "POST") yield* approveOverHttp(uuid)
        else yield* emulator.control.approve(uuid)

        // The emulator records the delivery once the app has answered, and the
        // app answers 200 only after the user code got the event.
        const delivery = yield* deliveryOf(uuid)
        expect(delivery).toMatchObject({ url, method, responseStatus: 200 })
        const event = yield* Deferred.await(received).pipe(
          Effect.timeoutFail({ duration: "1 second", onTimeout: () => new Error("the user code got no event") })
        )
        expect(event).toBeInstanceOf(OneTouchCallback.CallbackEvent)
        expect(event).toMatchObject({
          uuid,
          status: "approved",
          authyId: user.id,
          deviceUuid: String(device.deviceId),
          callbackAction: "approval_request_status",
          message: "Log in to Example?",
          details: { Browser: "Firefox", Location: "Bogotá" },
          hiddenDetails: { ip: "203.0.113.7" },
          reason: ""
        })
        expect(event.expirationTimestamp).toBe(event.createdAtTime! + 120)
        expect(event.appId).toMatch(/^[0-9a-f]{24}$/)

        expect(delivery).toMatchObject({ nonce: event.nonce, signature: event.signature })

        const tampered = yield* resend(delivery, { ...delivery.payload, status: "denied" })
        expect(tampered.status).toBe(401)
        expect(tampered.text).toContain("X-Authy-Signature does not match")
        const replayed = yield* resend(delivery, delivery.payload)
        expect(replayed.status).toBe(409)
        expect(yield* Ref.get(handled)).toBe(1)
      }).pipe(Effect.provide(TestLayer)))
  }
})
