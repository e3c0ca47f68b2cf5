/**
 * The API key never goes to a URL the user did not configure: a redirect from
 * the configured server to another one is not followed, on any transport.
 * Two real loopback servers: the first answers every request with a redirect
 * to the second, which records what reaches it.
 */
import { FetchHttpClient } from "@effect/platform"
import type * as HttpClient from "@effect/platform/HttpClient"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { App, AuthyService, OneTouch, RetryPolicy, Tokens } from "effect-authy"
import { UndiciHttpClient } from "effect-authy/node"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"

const apiKey = "redirect-test-secret-key"

/** A loopback server for the life of the scope; answers its base URL. */
const listen = (handler: Parameters<typeof createServer>[1]) =>
  Effect.acquireRelease(
    Effect.async<Server>((resume) => {
      const server = createServer(handler)
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`))

interface Seen {
  readonly method: string | undefined
  readonly url: string | undefined
  readonly headers: IncomingHttpHeaders
}

/** The second server: records every request, answers like Authy would. */
const target = Effect.gen(function*() {
  const seen: Array<Seen> = []
  const url = yield* listen((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers })
    req.resume()
    res.writeHead(200, { "content-type": "application/json" })
    res.end(`{"app":{"app_id":1,"name":"evil","plan":"x","sms_enabled":true,"phone_calls_enabled":true,"onetouch_enabled":true,"white_label":false},"message":"Application information.","success":true}`)
  })
  return { url, seen }
})

/** The configured server: redirects every request to `to`, path and query kept. */
const redirector = (status: number, to: string) =>
  listen((req, res) => {
    req.resume()
    res.writeHead(status, { location: `${to}${req.url ?? "/"}`, "content-length": "0" })
    res.end()
  })

const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["NodeHttpClient.layerUndici", NodeHttpClient.layerUndici],
  ["NodeHttpClient.layer", NodeHttpClient.layer],
  ["FetchHttpClient.layer", FetchHttpClient.layer],
  ["UndiciHttpClient.layer", UndiciHttpClient.layer]
]

const programs: ReadonlyArray<Effect.Effect<unknown, unknown, AuthyService>> = [
  App.details(), // GET
  Tokens.verify(1, "1234567"), // GET, the token in the path
  OneTouch.sendRequest(1, { message: "Log in?" }) // POST with a body
]

/** The client for the life of the test's scope (its transport too). */
const client = (apiUrl: string, transport: Layer.Layer<HttpClient.HttpClient>) =>
  Layer.build(
    AuthyService.layer({ apiKey: Redacted.make(apiKey), apiUrl, retry: RetryPolicy.disabled, timeout: "5 seconds" }).pipe(
      Layer.provide(transport)
    )
  ).pipe(Effect.map(Context.get(AuthyService)))

describe("redirects are never followed with the key", () => {
  for (const [name, transport] of transports) {
    for (const status of [301, 302, 303, 307, 308]) {
      it.scoped(`${name}: ${status} to another loopback server`, () =>
        Effect.gen(function*() {
          const second = yield* target
          const first = yield* redirector(status, second.url)
          const authy = yield* client(first, transport)
          for (const program of programs) {
            const result = yield* Effect.either(Effect.provideService(program, AuthyService, authy))
            // a redirect is an answer Authy never gives: a typed error carrying its status
            expect(result).toMatchObject({ _tag: "Left", left: { _tag: "ApiError", status } })
          }
          expect(second.seen).toEqual([])
        }))
    }
  }

  it.scoped("the check sees a key when one does arrive (the target records headers)", () =>
    Effect.gen(function*() {
      const second = yield* target
      const authy = yield* client(second.url, NodeHttpClient.layerUndici)
      yield* Effect.provideService(App.details(), AuthyService, authy)
      expect(second.seen).toHaveLength(1)
      expect(second.seen[0]?.headers["x-authy-api-key"]).toBe(apiKey)
    }))
})
