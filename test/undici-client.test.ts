/**
 * `UndiciHttpClient` (effect-authy/node): as a plain `HttpClient` over real
 * loopback HTTP, and as the transport of `AuthyService`, where an attempt's
 * deadline is its own timer on the live clock and Effect's timeout under
 * `TestClock`. The fault matrix (test/faults.test.ts) and the redirect test run
 * on it too.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Undici from "@effect/platform-node/Undici"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Fiber, Layer, Redacted, Stream, TestClock } from "effect"
import { AuthyService, RetryPolicy, Tokens } from "effect-authy"
import { UndiciHttpClient } from "effect-authy/node"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"

interface Received {
  readonly method: string | undefined
  readonly url: string | undefined
  readonly headers: IncomingMessage["headers"]
  readonly body: string
}

/**
 * A loopback server for the life of the scope. It records what it receives
 * and whether a request's connection was closed before it was answered.
 */
const listen = (handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) =>
  Effect.acquireRelease(
    Effect.async<{
      server: ReturnType<typeof createServer>
      received: Array<Received>
      dropped: Array<string>
      openSockets: () => number
    }>(
      (resume) => {
        const received: Array<Received> = []
        const dropped: Array<string> = []
        let sockets = 0
        const server = createServer((req, res) => {
          let body = ""
          req.on("data", (chunk: Buffer) => (body += chunk.toString()))
          req.on("end", () => {
            received.push({ method: req.method, url: req.url, headers: req.headers, body })
            res.on("close", () => {
              if (!res.writableFinished) dropped.push(req.url ?? "")
            })
            handler(req, res, body)
          })
        })
        server.on("connection", (socket) => {
          sockets++
          socket.on("close", () => sockets--)
        })
        const openSockets = () => sockets
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, received, dropped, openSockets })))
      }
    ),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(
    Effect.map(({ server, ...rest }) => ({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...rest }))
  )

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

/** A client on an agent of its own, closed with the scope. */
const scopedClient = (options?: UndiciHttpClient.Options) =>
  Effect.acquireRelease(Effect.sync(() => new Undici.Agent()), (agent) => Effect.promise(() => agent.destroy())).pipe(
    Effect.map((agent) => UndiciHttpClient.make(agent, options))
  )

/** Polls a condition that a socket event will make true. */
const eventually = (condition: () => boolean) =>
  Effect.promise(async () => {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5))
    return condition()
  })

describe("UndiciHttpClient as an HttpClient", () => {
  it.scoped("sends method, path, query, headers and body, and reads the whole answer", () =>
    Effect.gen(function*() {
      const server = yield* listen((_req, res, body) =>
        json(res, 201, { echoed: JSON.parse(body || "null") }, { "set-cookie": "a=1; Path=/", "x-extra": "yes" })
      )
      const client = yield* scopedClient()
      const response = yield* client.execute(
        HttpClientRequest.post(`${server.url}/things`, { urlParams: { q: "1 2" }, headers: { "x-test": "t" } }).pipe(
          HttpClientRequest.bodyUnsafeJson({ hello: "world" })
        )
      )
      expect(server.received[0]).toMatchObject({
        method: "POST",
        url: "/things?q=1+2",
        body: `{"hello":"world"}`,
        headers: { "x-test": "t", "content-type": "application/json" }
      })
      expect(response.status).toBe(201)
      expect(response.headers["x-extra"]).toBe("yes")
      expect(response.cookies.cookies.a?.value).toBe("1")
      // Every accessor can be read, and read again: the body is in memory.
      expect(yield* response.json).toEqual({ echoed: { hello: "world" } })
      expect(yield* response.text).toBe(`{"echoed":{"hello":"world"}}`)
      expect(new TextDecoder().decode(yield* response.arrayBuffer)).toBe(`{"echoed":{"hello":"world"}}`)
      const chunks = yield* Stream.runCollect(response.stream)
      expect(Chunk.size(chunks)).toBe(1)
    }))

  it.scoped("fails a body that is not JSON with a ResponseError when read as JSON", () =>
    Effect.gen(function*() {
      const server = yield* listen((_req, res) => {
        res.writeHead(502, { "content-type": "text/html" })
        res.end("<html>Bad gateway</html>")
      })
      const client = yield* scopedClient()
      const response = yield* client.get(`${server.url}/`)
      expect(response.status).toBe(502)
      expect(yield* response.text).toBe("<html>Bad gateway</html>")
      const error = yield* Effect.flip(response.json)
      expect(error).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
    }))

  it.scoped("refuses an answer larger than maxResponseBytes", () =>
    Effect.gen(function*() {
      const server = yield* listen((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify({ padding: "x".repeat(4096) }))
      })
      const client = yield* scopedClient({ maxResponseBytes: 1024 })
      const error = yield* Effect.flip(client.get(`${server.url}/big`))
      expect(error).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
      expect(error.message).toContain("larger than 1024 bytes")
    }))

  it.scoped("refuses a streaming body before sending anything", () =>
    Effect.gen(function*() {
      const server = yield* listen((_req, res) => json(res, 200, {}))
      const client = yield* scopedClient()
      const request = HttpClientRequest.post(`${server.url}/upload`).pipe(
        HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1, 2, 3])))
      )
      const error = yield* Effect.flip(client.execute(request))
      expect(error).toMatchObject({ _tag: "RequestError", reason: "Encode" })
      expect(server.received).toHaveLength(0)
    }))

  it.scoped("fails with a RequestError carrying the cause when nothing listens", () =>
    Effect.gen(function*() {
      const server = yield* listen((_req, res) => json(res, 200, {}))
      const closed = server.url.replace(/:\d+$/, ":1")
      const client = yield* scopedClient()
      const error = yield* Effect.flip(client.get(`${closed}/`))
      expect(error).toMatchObject({ _tag: "RequestError", reason: "Transport" })
      expect(inspect(error.cause)).toContain("ECONNREFUSED")
    }))

  it.scoped("interrupting the request aborts it on the wire", () =>
    Effect.gen(function*() {
      const server = yield* listen(() => {
        // never answers
      })
      const client = yield* scopedClient()
      const fiber = yield* Effect.fork(client.get(`${server.url}/hang`))
      expect(yield* eventually(() => server.received.length === 1)).toBe(true)
      expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
      expect(yield* eventually(() => server.dropped.length === 1)).toBe(true)
    }))

  it.scoped("a response shows its status and headers, never the request's URL or the body", () =>
    Effect.gen(function*() {
      const server = yield* listen((_req, res) => json(res, 200, { secret: "body" }))
      const client = yield* scopedClient()
      const response = yield* client.get(`${server.url}/protected/json/verify/1234567/42`)
      const shown = `${inspect(response)} ${JSON.stringify(response)} ${String(response)}`
      expect(shown).toContain("200")
      expect(shown).not.toContain("1234567")
      expect(shown).not.toContain("secret")
    }))

  it.scoped("the layer closes its agent, and so its keep-alive sockets, when released", () =>
    Effect.gen(function*() {
      const server = yield* listen((_req, res) => json(res, 200, { ok: true }))
      yield* Effect.scoped(
        Effect.gen(function*() {
          const context = yield* Layer.build(UndiciHttpClient.layer)
          const client = yield* Effect.provide(HttpClient.HttpClient, context)
          yield* Effect.flatMap(client.get(`${server.url}/`), (r) => r.json)
          expect(server.openSockets()).toBe(1) // kept alive
        })
      )
      // Without the release, undici would keep the socket for seconds.
      expect(yield* eventually(() => server.openSockets() === 0)).toBe(true)
    }))
})

const verifyAnswer = { message: "Token is valid.", token: "is valid", success: "true" }

describe("UndiciHttpClient under AuthyService", () => {
  const authy = (url: string, timeout: Duration.DurationInput) =>
    Layer.build(
      AuthyService.layer({ apiKey: Redacted.make("undici-key"), apiUrl: url, timeout, retry: RetryPolicy.disabled }).pipe(
        Layer.provide(UndiciHttpClient.layer)
      )
    )

  it.live("sends the key only in its header and decodes the answer", () =>
    Effect.gen(function*() {
      const server = yield* listen((_req, res) => json(res, 200, verifyAnswer))
      const context = yield* authy(server.url, "5 seconds")
      const verified = yield* Effect.provide(Tokens.verify(42, "1234567"), context)
      expect(verified.token).toBe("is valid")
      expect(server.received[0]?.url).toBe("/protected/json/verify/1234567/42?force=true")
      expect(server.received[0]?.headers["x-authy-api-key"]).toBe("undici-key")
    }).pipe(Effect.scoped))

  it.live("on the live clock, an attempt past its timeout fails with a Timeout and is aborted", () =>
    Effect.gen(function*() {
      const server = yield* listen(() => {
        // never answers
      })
      const context = yield* authy(server.url, "100 millis")
      const started = Date.now()
      const error = yield* Effect.flip(Effect.provide(Tokens.verify(42, "1234567"), context))
      expect(error).toMatchObject({ _tag: "NetworkError", reason: "Timeout" })
      expect(Date.now() - started).toBeGreaterThanOrEqual(95)
      expect(yield* eventually(() => server.dropped.length === 1)).toBe(true)
    }).pipe(Effect.scoped))

  it.scoped("under TestClock, the timeout follows virtual time", () =>
    Effect.gen(function*() {
      const server = yield* listen(() => {
        // never answers
      })
      const context = yield* authy(server.url, "10 seconds")
      const fiber = yield* Effect.fork(Effect.provide(Tokens.verify(42, "1234567"), context))
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      yield* TestClock.adjust("9 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect(yield* Effect.flip(Fiber.join(fiber))).toMatchObject({ _tag: "NetworkError", reason: "Timeout" })
    }))
})
