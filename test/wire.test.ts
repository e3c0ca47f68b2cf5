/**
 * effect-authy's own transport sends each request as it goes on the wire,
 * built against the API URL parsed once (src/internal/core/http.ts,
 * `wireBuilder`), not as an `HttpClientRequest`. What a server receives must
 * not change: for every endpoint, with its query and body parameters, the
 * direct path and the generic `HttpClientRequest` path (the same client
 * behind a `transformClient`, which takes the generic path) deliver the same
 * method, URL, headers and body bytes. Also behind an API URL with a path.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { App, AuthyService, OneTouch, Phones, Tokens, Users } from "effect-authy"
import { UndiciHttpClient } from "effect-authy/node"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

interface Received {
  readonly method: string | undefined
  readonly url: string | undefined
  readonly headers: Record<string, unknown>
  readonly body: string
}

/** Answers `{"success":true,"message":"ok"}` to anything, recording what came. */
const recordingServer = Effect.acquireRelease(
  Effect.async<{ url: string; received: Array<Received>; close: () => void }>((resume) => {
    const received: Array<Received> = []
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = ""
      req.setEncoding("utf8")
      req.on("data", (chunk: string) => (body += chunk))
      req.on("end", () => {
        const { connection: _c, host: _h, ...headers } = req.headers
        received.push({ method: req.method, url: req.url, headers, body })
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify({ success: true, message: "ok" }))
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, received, close: () => server.close() }))
    })
  }),
  ({ close }) => Effect.sync(close)
)

/** Every endpoint, with optional parameters set where it has them. The answers may not decode: only the requests matter. */
const calls: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, AuthyService>]> = [
  ["verify", Tokens.verify(1635, "1234567")],
  ["verify unforced", Tokens.verify(1635, "1234567", { force: false })],
  ["status with ip", Users.status(1635, { userIp: "203.0.113.7" })],
  ["create", Users.create({ email: "a+b@example.com", cellphone: "+57 301 234 5678", sendInstallLinkViaSms: true })],
  ["remove", Users.remove(1635, { userIp: "203.0.113.7" })],
  ["sms", Users.requestSms(1635, { force: true, action: "log in", actionMessage: "Log in to ünïcode & co" })],
  ["call", Users.requestCall(1635)],
  ["activity", Users.registerActivity(1635, { type: "password_reset", data: { "a b": "c&d", e: "=" }, userIp: "::1" })],
  ["qr", Users.generateQrCode(1635, { qrSize: 300, label: "Bench: ü" })],
  ["update", Users.update(1635, { email: "new@example.com" })],
  ["email", Users.requestEmail(1635)],
  ["registration", Users.registrationStatus("user 42/é")],
  ["onetouch", OneTouch.sendRequest(1635, { message: "Log in?", details: { "IP": "1.2.3.4" }, secondsToExpire: 120 })],
  ["approval", OneTouch.getApprovalStatus("00000000-0000-4000-8000-000000000001")],
  ["phone start", Phones.startVerification({ phoneNumber: "3012345678", countryCode: 57, via: "call", locale: "es" })],
  ["phone check", Phones.checkVerification({ phoneNumber: "3012345678", countryCode: 57, verificationCode: "1234" })],
  ["phone info", Phones.info({ phoneNumber: "3012345678", countryCode: 57 })],
  ["app", App.details({ userIp: "203.0.113.7" })],
  ["stats", App.stats()]
]

const layerFor = (apiUrl: string, generic: boolean) =>
  AuthyService.layer({
    apiKey: Redacted.make("wire-key"),
    apiUrl,
    // A transformed client is a new object without the direct-send mark.
    ...(generic ? { transformClient: HttpClient.mapRequest((request) => request) } : {})
  }).pipe(Layer.provide(UndiciHttpClient.layer))

const receivedBy = (apiUrl: string, received: Array<Received>, generic: boolean) =>
  Effect.gen(function*() {
    received.length = 0
    for (const [, call] of calls) yield* Effect.ignore(call)
    return [...received]
  }).pipe(Effect.provide(layerFor(apiUrl, generic)))

describe("the direct wire", () => {
  for (const suffix of ["", "/base/path"]) {
    // Live: under TestClock the executor takes the generic path on every transport.
    it.scopedLive(`sends what the HttpClientRequest path sends, for every endpoint${suffix === "" ? "" : ", under an API URL with a path"}`, () =>
      Effect.gen(function*() {
        const server = yield* recordingServer
        const direct = yield* receivedBy(server.url + suffix, server.received, false)
        const generic = yield* receivedBy(server.url + suffix, server.received, true)
        expect(direct).toHaveLength(calls.length)
        expect(direct).toStrictEqual(generic)
        expect(direct.every((r) => r.url?.startsWith(`${suffix}/`))).toBe(true)
      }))
  }
})
