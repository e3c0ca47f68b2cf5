/**
 * The per-attempt deadline on the platform's transports, live clock
 * (src/internal/core/timeout.ts, makeRequestDeadline): no fiber is forked;
 * the request's AbortController is aborted at the deadline. Against a real
 * loopback server that stalls, on every platform transport: the attempt fails
 * with the NetworkError Timeout at the deadline, the server sees the request
 * aborted on the wire, interrupting the caller aborts it too, an answer in
 * time leaves the connection alone, and a client that never takes the
 * controller (a transform that replaces the request) is still stopped.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import { AuthyService, RetryPolicy, Users } from "effect-authy"
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"

type Stall = "headers" | "body" | "answer"

/** A loopback server that stalls before the headers, stalls in the body, or answers; it records each request's end. */
const stallingServer = (stall: Stall) =>
  Effect.gen(function*() {
    const closed = yield* Deferred.make<void>()
    const sockets = new Set<unknown>()
    let requests = 0
    const server = yield* Effect.acquireRelease(
      Effect.async<Server>((resume) => {
        const server = createServer((req: IncomingMessage, res) => {
          requests++
          sockets.add(req.socket)
          req.resume()
          // Aborted by the client before the answer was complete.
          res.on("close", () => {
            if (!res.writableFinished) Deferred.unsafeDone(closed, Exit.void)
          })
          const body = `{"status":{"authy_id":1,"confirmed":true,"registered":false,"country_code":1,"phone_number":"XXX-XXX-0123","devices":[],"has_hard_token":false,"account_disabled":false,"detailed_devices":[]},"message":"User status.","success":true}`
          if (stall === "headers") return
          res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
          if (stall === "body") return res.write(body.slice(0, 10))
          res.end(body)
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return { url, closed, requests: () => requests, sockets: () => sockets.size }
  })

const transports = [
  ["NodeHttpClient.layerUndici", NodeHttpClient.layerUndici],
  ["NodeHttpClient.layer", NodeHttpClient.layer],
  ["FetchHttpClient.layer", FetchHttpClient.layer]
] as const

const authy = (url: string, transport: Layer.Layer<HttpClient.HttpClient>, options: Partial<AuthyService.Options> = {}) =>
  AuthyService.layer({ apiKey: Redacted.make("abort-test-key"), apiUrl: url, retry: RetryPolicy.disabled, timeout: "150 millis", ...options })
    .pipe(Layer.provide(transport))

describe.each(transports)("per-attempt deadline on %s, live clock", (_, transport) => {
  for (const stall of ["headers", "body"] as const) {
    it.scopedLive(`fails with a Timeout at the deadline and aborts the request (stalled in the ${stall})`, () =>
      Effect.gen(function*() {
        const server = yield* stallingServer(stall)
        const layer = authy(server.url, transport)
        // The first exchange of a service learns whether the client takes the controller; the second is the fork-free one.
        for (let i = 0; i < 2; i++) {
          const started = Date.now()
          const error = yield* Users.status(1).pipe(Effect.provide(layer), Effect.flip)
          expect(Date.now() - started).toBeGreaterThanOrEqual(140)
          expect(error).toMatchObject({ _tag: "NetworkError", reason: "Timeout" })
          expect(error.message).toContain("did not answer within 150ms")
        }
        yield* Deferred.await(server.closed).pipe(Effect.timeout("2 seconds"))
      }))
  }

  it.scopedLive("interrupting the caller aborts the request on the wire", () =>
    Effect.gen(function*() {
      const server = yield* stallingServer("headers")
      const layer = authy(server.url, transport, { timeout: "1 minute" })
      const service = yield* Layer.build(layer)
      for (let i = 0; i < 2; i++) {
        const before = server.requests()
        const fiber = yield* Users.status(1).pipe(Effect.provide(service), Effect.fork)
        while (server.requests() === before) yield* Effect.sleep("5 millis")
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
      }
      yield* Deferred.await(server.closed).pipe(Effect.timeout("2 seconds"))
    }))

  it.scopedLive("answers in time pass through, on kept-alive connections", () =>
    Effect.gen(function*() {
      const server = yield* stallingServer("answer")
      const service = yield* Layer.build(authy(server.url, transport, { timeout: "5 seconds" }))
      for (let i = 0; i < 5; i++) {
        const answer = yield* Users.status(1).pipe(Effect.provide(service))
        expect(answer.status.authyId).toBe(1)
      }
      expect(server.requests()).toBe(5)
      expect(yield* Deferred.isDone(server.closed)).toBe(false)
    }))
})

describe("per-attempt deadline, a client that does not take the controller", () => {
  it.scopedLive("a transform replacing each request still times out, every time", () =>
    Effect.gen(function*() {
      const server = yield* stallingServer("headers")
      const layer = authy(server.url, NodeHttpClient.layerUndici, {
        transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("x-extra", "1"))
      })
      for (let i = 0; i < 3; i++) {
        const error = yield* Users.status(1).pipe(Effect.provide(layer), Effect.flip, Effect.timeout("5 seconds"))
        expect(error).toMatchObject({ _tag: "NetworkError", reason: "Timeout" })
      }
    }))

  it.scopedLive("an HttpClient that ignores its signal is stopped by interruption on its first exchange", () =>
    Effect.gen(function*() {
      const client = HttpClient.makeWith(() => Effect.never, Effect.succeed)
      const layer = AuthyService.layer({ apiKey: Redacted.make("k"), apiUrl: "https://api.authy.test", retry: RetryPolicy.disabled, timeout: Duration.millis(50) })
        .pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
      for (let i = 0; i < 3; i++) {
        const error = yield* Users.status(1).pipe(Effect.provide(layer), Effect.flip, Effect.timeout("5 seconds"))
        expect(error).toMatchObject({ _tag: "NetworkError", reason: "Timeout" })
      }
    }))
})
