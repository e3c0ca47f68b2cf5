/**
 * `effect-authy/redis` against a real `redis-server` (test/util/redis.ts
 * starts one on a free loopback port and stops it). Two verifier instances —
 * each with its own `RedisNonceStore.layer`, so its own connection — share
 * one Redis, as two instances of an application behind a load balancer do.
 *
 * The verifier's clock is the TestClock; only the expiry test lets real time
 * pass, polling Redis with a bound, and nothing asserts a wall-clock duration.
 */
import { HttpServerRequest } from "@effect/platform"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Exit, Fiber, Layer, Logger, Redacted, TestClock } from "effect"
import type * as Scope from "effect/Scope"
import { createClient, ErrorReply } from "redis"
import { OneTouch, OneTouchCallback } from "effect-authy"
import { RedisNonceStore } from "effect-authy/redis"
import { VerifyWebhook } from "effect-authy/verify"
import { ttlMillis } from "../src/internal/core/freshness.js"
import { type RedisServer, freePort, startRedis } from "./util/redis.js"
import { apiKey, json, makeStub } from "./util/stub.js"
import { makeStub as makeVerifyStub } from "./util/verifyStub.js"

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

let server: RedisServer | undefined
let startError: unknown

beforeAll(async () => {
  try {
    server = await startRedis()
  } catch (error) {
    startError = error
  }
})

afterAll(async () => {
  await server?.stop()
})

/** The running server; every test fails with the reason when there is none. */
const redis = Effect.suspend(() =>
  server !== undefined
    ? Effect.succeed(server)
    : Effect.die(startError instanceof Error ? startError : new Error(String(startError)))
)

/** A plain client of the test's own, to look at the keys. */
const inspector = Effect.flatMap(redis, (server) =>
  Effect.acquireRelease(
    Effect.promise(() => createClient({ url: server.url }).on("error", () => {}).connect()),
    (client) => Effect.sync(() => client.destroy())
  ))

let prefixes = 0
/** Each test keys its own corner of the shared server. */
const freshPrefix = () => `test-${process.pid}-${++prefixes}:`

// ---------------------------------------------------------------------------
// Callbacks
// ---------------------------------------------------------------------------

const url = "https://example.com/authy/callback"
const now = 1512923419
const atNow = TestClock.setTime(now * 1000)

const callback = (uuid: string) => ({
  authy_id: 688611,
  device_uuid: 2102943,
  callback_action: "approval_request_status",
  uuid,
  status: "approved",
  approval_request: { transaction: { details: { Browser: "Firefox 57" }, hidden_details: {}, message: "Log in?" } }
})

interface Signed {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

const signed = (uuid: string, nonce = String(now)): Signed => {
  const body = callback(uuid)
  const signature = OneTouch.computeSignature({ apiKey, nonce, method: "POST", url, params: body })
  return {
    method: "POST",
    url,
    headers: { "X-Authy-Signature": signature, "X-Authy-Signature-Nonce": nonce },
    body: JSON.stringify(body)
  }
}

const signatureOf = (request: Signed) => request.headers["X-Authy-Signature"] ?? ""

const AuthyTest = makeStub(() => json(500, "unused")).layer()

type Instance = Context.Context<OneTouchCallback.NonceStore>

/** One application instance: its own store layer (its own Redis connection). */
const instance = (options: RedisNonceStore.Options): Effect.Effect<Instance, never, Scope.Scope> =>
  Layer.build(RedisNonceStore.layer(options))

const verifyOn = (on: Instance, request: Signed, options?: OneTouchCallback.VerifyOptions) =>
  OneTouchCallback.verify(request, options).pipe(Effect.provide(on), Effect.provide(AuthyTest))

const serveOn = <E>(on: Instance, app: ReturnType<typeof OneTouchCallback.handler<E, never>>, request: Signed) =>
  app.pipe(
    Effect.provideService(
      HttpServerRequest.HttpServerRequest,
      HttpServerRequest.fromWeb(
        new Request(request.url, {
          method: request.method,
          headers: { ...request.headers, "content-type": "application/json" },
          body: request.body
        })
      )
    ),
    Effect.provide(on),
    Effect.provide(AuthyTest)
  )

/** Two instances of the application sharing the test's Redis under one prefix. */
const twoInstances = (settings: RedisNonceStore.Settings = {}) =>
  Effect.gen(function*() {
    const { url } = yield* redis
    const prefix = settings.prefix ?? freshPrefix()
    const a = yield* instance({ ...settings, url, prefix })
    const b = yield* instance({ ...settings, url, prefix })
    return { a, b, prefix }
  })

const scoped = <A, E>(name: string, self: () => Effect.Effect<A, E, Scope.Scope>) =>
  it.effect(name, () => Effect.scoped(self()))

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe("RedisNonceStore on a real redis-server", () => {
  scoped("two instances sharing one Redis accept a callback exactly once", () =>
    Effect.gen(function*() {
      yield* atNow
      const { a, b } = yield* twoInstances()
      const request = signed("uuid-sequential")
      expect((yield* verifyOn(a, request)).uuid).toBe("uuid-sequential")
      yield* TestClock.adjust("1 minute")
      const onB = yield* Effect.flip(verifyOn(b, request))
      const onA = yield* Effect.flip(verifyOn(a, request))
      expect([onB, onA]).toMatchObject([{ field: "replay" }, { field: "replay" }])
    }))

  scoped("two instances receiving the same callback at the same moment: exactly one accepts", () =>
    Effect.gen(function*() {
      yield* atNow
      const { a, b } = yield* twoInstances()
      const rounds = Array.from({ length: 25 }, (_, i) => signed(`uuid-race-${i}`))
      const results = yield* Effect.forEach(
        rounds,
        (request) => Effect.all([verifyOn(a, request), verifyOn(b, request)].map(Effect.either), { concurrency: "unbounded" }),
        { concurrency: "unbounded" }
      )
      for (const pair of results) {
        expect(pair.filter(Either.isRight)).toHaveLength(1)
        expect(pair.filter(Either.isLeft).map((e) => e.left)).toMatchObject([{ _tag: "ValidationError", field: "replay" }])
      }
    }))

  scoped("two handlers receiving the same callback at the same moment: one 200, one 409, one event", () =>
    Effect.gen(function*() {
      yield* atNow
      const { a, b } = yield* twoInstances()
      const events: Array<string> = []
      const app = OneTouchCallback.handler((event) => Effect.sync(() => events.push(event.uuid)), { url })
      const request = signed("uuid-handlers")
      const responses = yield* Effect.all([serveOn(a, app, request), serveOn(b, app, request)], { concurrency: "unbounded" })
      expect(responses.map((r) => r.status).sort()).toEqual([200, 409])
      expect(events).toEqual(["uuid-handlers"])
    }))

  scoped("keeps a key through nonce + window inclusive: PX is expiresAt − now + 1, and the replay at the boundary is refused", () =>
    Effect.gen(function*() {
      yield* atNow
      const { url } = yield* redis
      const raw = yield* inspector
      const prefix = freshPrefix()
      // Instance A on a recording wrapper around a real client, to see the command sent.
      const sent: Array<ReadonlyArray<string>> = []
      const recording: RedisNonceStore.RedisClient = {
        sendCommand: (args, options) => {
          sent.push(args)
          return raw.sendCommand(args, options)
        }
      }
      const a = yield* instance({ client: recording, prefix })
      const b = yield* instance({ url, prefix })
      const request = signed("uuid-boundary")
      yield* verifyOn(a, request)
      expect(sent).toEqual([["SET", `${prefix}${signatureOf(request)}`, "1", "NX", "PX", "300001"]])
      expect(ttlMillis(now * 1000, now * 1000 + 300_000)).toBe(300_001)
      const pttl = yield* Effect.promise(() => raw.pTTL(`${prefix}${signatureOf(request)}`))
      expect(pttl).toBeGreaterThan(0)
      expect(pttl).toBeLessThanOrEqual(300_001)
      // At exactly nonce + window the callback is still fresh: Redis must still hold it.
      yield* TestClock.adjust("5 minutes")
      expect(yield* Effect.flip(verifyOn(b, request))).toMatchObject({ field: "replay" })
      yield* TestClock.adjust("1 millis")
      expect(yield* Effect.flip(verifyOn(b, request))).toMatchObject({ field: "nonce" })
    }))

  scoped("entries expire in Redis", () =>
    Effect.gen(function*() {
      yield* atNow
      const { url } = yield* redis
      const raw = yield* inspector
      const prefix = freshPrefix()
      const store = yield* RedisNonceStore.makeScoped({ url, prefix })
      const t = now * 1000
      // A long-lived entry is refused again; a short-lived one (a 51 ms TTL, which a
      // busy machine may exceed between two commands) is only asserted to go away.
      expect(yield* store.checkAndRemember("long-lived", t + 60_000)).toBe(true)
      expect(yield* store.checkAndRemember("long-lived", t + 60_000)).toBe(false)
      expect(yield* store.checkAndRemember("short-lived", t + 50)).toBe(true)
      // Real time must pass for Redis' own expiry: poll, bounded, no duration asserted.
      let exists = 1
      for (let i = 0; i < 100 && exists === 1; i++) {
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
        exists = yield* Effect.promise(() => raw.exists(`${prefix}short-lived`))
      }
      expect(exists).toBe(0)
      expect(yield* store.checkAndRemember("short-lived", t + 50)).toBe(true)
    }))

  scoped("uses the configured prefix, and effect-authy:callback: by default", () =>
    Effect.gen(function*() {
      yield* atNow
      const { url } = yield* redis
      const raw = yield* inspector
      const request = signed("uuid-prefix")
      const custom = yield* instance({ url, prefix: "shop:authy:" })
      yield* verifyOn(custom, request)
      expect(yield* Effect.promise(() => raw.exists(`shop:authy:${signatureOf(request)}`))).toBe(1)
      const other = signed("uuid-default-prefix")
      yield* verifyOn(yield* instance({ url }), other)
      expect(RedisNonceStore.defaultPrefix).toBe("effect-authy:callback:")
      expect(yield* Effect.promise(() => raw.exists(`effect-authy:callback:${signatureOf(other)}`))).toBe(1)
    }))

  scoped("forgets a callback the application failed on, so that another instance handles its redelivery", () =>
    Effect.gen(function*() {
      yield* atNow
      const { a, b } = yield* twoInstances()
      const failing = OneTouchCallback.handler(() => Effect.fail("database down" as const), { url })
      const events: Array<string> = []
      const working = OneTouchCallback.handler((event) => Effect.sync(() => events.push(event.uuid)), { url })
      const request = signed("uuid-forget")
      expect(yield* Effect.exit(serveOn(a, failing, request))).toEqual(Exit.fail("database down"))
      expect((yield* serveOn(b, working, request)).status).toBe(200)
      expect(events).toEqual(["uuid-forget"])
    }))
})

describe("RedisNonceStore protects Verify webhooks too", () => {
  const token = "webhook-auth-token"
  const VerifyTest = makeVerifyStub(() => ({ status: 500, body: "" })).layer({ authToken: Redacted.make(token) })
  const webhook = (uuid: string) => {
    const params = { uuid, type: "challenge.approved", challenge_sid: `YC${"e".repeat(32)}`, challenge_date_responded: new Date(now * 1000).toISOString() }
    return {
      method: "POST",
      url: "https://example.com/twilio/webhook",
      headers: {
        "X-Twilio-Signature": VerifyWebhook.computeSignature({ authToken: token, url: "https://example.com/twilio/webhook", params }),
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: new URLSearchParams(params).toString()
    }
  }
  const verifyWebhookOn = (on: Instance, request: ReturnType<typeof webhook>) =>
    VerifyWebhook.verify(request).pipe(Effect.provide(on), Effect.provide(VerifyTest))

  scoped("the same store (one Redis, one prefix) refuses a replayed webhook on another instance, beside OneTouch callbacks", () =>
    Effect.gen(function*() {
      yield* atNow
      const { a, b } = yield* twoInstances()
      const request = webhook("uuid-verify")
      expect((yield* verifyWebhookOn(a, request)).type).toBe("challenge.approved")
      expect(yield* Effect.flip(verifyWebhookOn(b, request))).toMatchObject({ field: "replay", service: "Verify" })
      // An Authy callback through the very same store is unaffected.
      expect((yield* verifyOn(b, signed("uuid-beside-verify"))).uuid).toBe("uuid-beside-verify")
    }))
})

describe("RedisNonceStore when Redis cannot be reached", () => {
  /** A loopback port with nothing listening. */
  const nowhere = Effect.promise(freePort).pipe(Effect.map((port) => `redis://127.0.0.1:${port}`))

  scoped("refuses by default, with a typed NonceStoreError, and the handler answers 503", () =>
    Effect.gen(function*() {
      yield* atNow
      const down = yield* instance({ url: yield* nowhere })
      const error = yield* Effect.flip(verifyOn(down, signed("uuid-down")))
      expect(error).toMatchObject({ _tag: "NonceStoreError", reason: "Unavailable" })
      const events: Array<string> = []
      const app = OneTouchCallback.handler((event) => Effect.sync(() => events.push(event.uuid)), { url })
      expect((yield* serveOn(down, app, signed("uuid-down"))).status).toBe(503)
      expect(events).toEqual([])
    }))

  scoped("accepts without replay protection when so configured, with a warning", () =>
    Effect.gen(function*() {
      yield* atNow
      const logs: Array<string> = []
      const down = yield* instance({ url: yield* nowhere, onUnavailable: "accept" })
      const request = signed("uuid-down-accept")
      const accept = verifyOn(down, request).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => logs.push(String(message)))))
      )
      expect((yield* accept).uuid).toBe("uuid-down-accept")
      expect((yield* accept).uuid).toBe("uuid-down-accept")
      expect(logs.join("\n")).toContain("without replay protection")
    }))

  it.live("refuses once a running Redis goes away", () =>
    Effect.gen(function*() {
      yield* redis // the same requirement as every test here
      const own = yield* Effect.promise(startRedis)
      yield* Effect.addFinalizer(() => Effect.promise(own.stop))
      const store = yield* instance({ url: own.url, timeout: "1 second" })
      const live = (uuid: string) => signed(uuid, String(Math.floor(Date.now() / 1000)))
      expect((yield* verifyOn(store, live("uuid-before"))).uuid).toBe("uuid-before")
      yield* Effect.promise(own.stop)
      const error = yield* Effect.flip(verifyOn(store, live("uuid-after")))
      expect(error._tag).toBe("NonceStoreError")
      expect(["Unavailable", "Timeout"]).toContain(error._tag === "NonceStoreError" ? error.reason : "")
    }).pipe(Effect.scoped))
})

describe("RedisNonceStore failures are typed, never defects", () => {
  it.effect("a command without an answer times out (and is aborted)", () =>
    Effect.gen(function*() {
      let aborted = false
      const silent: RedisNonceStore.RedisClient = {
        sendCommand: (_args, options) =>
          new Promise(() => {
            options?.abortSignal?.addEventListener("abort", () => (aborted = true))
          })
      }
      const store = RedisNonceStore.make(silent, { timeout: "500 millis" })
      const fiber = yield* Effect.fork(Effect.either(store.checkAndRemember("k", 60_000)))
      yield* TestClock.adjust("500 millis")
      const result = yield* Fiber.join(fiber)
      expect(result).toMatchObject(Either.left({ _tag: "NonceStoreError", reason: "Timeout" }))
      expect(aborted).toBe(true)
    }))

  it.effect("an error reply (READONLY, NOAUTH, OOM...) is an UnexpectedReply, under the same policy", () =>
    Effect.gen(function*() {
      const readonly: RedisNonceStore.RedisClient = {
        sendCommand: () => Promise.reject(new ErrorReply("READONLY You can't write against a read only replica."))
      }
      const refused = yield* Effect.flip(RedisNonceStore.make(readonly).checkAndRemember("k", 60_000))
      expect(refused).toMatchObject({ _tag: "NonceStoreError", reason: "UnexpectedReply" })
      expect(refused.message).toContain("READONLY")
      expect(yield* RedisNonceStore.make(readonly, { onUnavailable: "accept" }).checkAndRemember("k", 60_000)).toBe(true)
      const forgot = yield* Effect.flip(RedisNonceStore.make(readonly, { onUnavailable: "accept" }).forget("k"))
      expect(forgot).toMatchObject({ _tag: "NonceStoreError" })
    }))

  it.effect("a reply SET NX cannot give is an UnexpectedReply", () =>
    Effect.gen(function*() {
      const odd: RedisNonceStore.RedisClient = { sendCommand: () => Promise.resolve("QUEUED") }
      expect(yield* Effect.flip(RedisNonceStore.make(odd).checkAndRemember("k", 60_000))).toMatchObject({
        reason: "UnexpectedReply"
      })
    }))
})
