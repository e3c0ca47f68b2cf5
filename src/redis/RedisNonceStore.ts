/**
 * A {@link OneTouchCallback.NonceStore} in Redis, so that replay protection
 * holds across every instance of an application behind a load balancer: a
 * callback accepted by one instance is refused as a replay by all the others.
 * The same store protects Twilio Verify webhooks (`VerifyWebhook` in
 * `effect-authy/verify` uses this one `NonceStore`).
 *
 * - Atomic: one `SET <prefix><signature> 1 NX PX <ttl>` per callback. Redis
 *   answers `OK` only to the first of any number of concurrent deliveries,
 *   whichever instance they reach; the others get `nil` and are refused.
 * - Expiry: the key lives `expiresAt − now + 1` milliseconds, i.e. through
 *   `nonce + window` inclusive, the instant up to which the verifier still
 *   finds the callback fresh (the same boundary rule as the in-memory store).
 *   Keys are never swept by hand: Redis drops them.
 * - Unreachable Redis: the caller chooses with `onUnavailable`. `"refuse"`
 *   (the default) fails the verification with a typed
 *   {@link OneTouchCallback.NonceStoreError} (the handler answers 503);
 *   `"accept"` logs a warning and accepts the callback without replay
 *   protection. A command that gets no answer within `timeout` (default 2
 *   seconds) counts as unreachable. Never a defect.
 *
 * The client is [node-redis](https://github.com/redis/node-redis) (`redis`
 * on npm, an optional peer dependency of effect-authy): give a URL and the
 * layer owns a client of its own, or give a client you already have.
 *
 * @since 0.1.0
 */
import { Clock, Config, Duration, Effect, Layer, Option, Redacted } from "effect"
import type * as ConfigError from "effect/ConfigError"
import type * as Scope from "effect/Scope"
import { createClient, ErrorReply, TimeoutError } from "redis"
import * as Freshness from "../internal/core/freshness.js"
import { NonceStore, NonceStoreError, type NonceStoreErrorReason, type NonceStoreService } from "../NonceStore.js"

/**
 * The one method of a Redis client this store uses: node-redis's
 * `sendCommand`. Any node-redis client (`createClient(...)`, already
 * connected) is one; so is an adapter over another client, as long as it
 * answers `SET ... NX` with `"OK"` or `null` and `DEL` with a number, and
 * rejects when Redis cannot be reached.
 *
 * @example
 * ```ts
 * import { createClient } from "redis"
 * import type { RedisNonceStore } from "effect-authy/redis"
 *
 * const client: RedisNonceStore.RedisClient = createClient({ url: "redis://127.0.0.1:6379" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisClient {
  readonly sendCommand: (
    args: Array<string>,
    options?: { readonly abortSignal?: AbortSignal }
  ) => Promise<unknown>
}

/**
 * What to do with a callback when Redis cannot say whether it was already
 * received: `"refuse"` it (fail with a `NonceStoreError`; the handler answers
 * 503, and a later delivery may pass), or `"accept"` it without replay
 * protection (a warning is logged).
 *
 * @example
 * ```ts
 * import type { RedisNonceStore } from "effect-authy/redis"
 *
 * const available: RedisNonceStore.OnUnavailable = "accept"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type OnUnavailable = "refuse" | "accept"

/**
 * The settings shared by every constructor.
 *
 * @example
 * ```ts
 * import type { RedisNonceStore } from "effect-authy/redis"
 *
 * const settings: RedisNonceStore.Settings = { prefix: "shop:authy:", onUnavailable: "refuse", timeout: "500 millis" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  /** Put before every key, to share a Redis with other data. Default: {@link defaultPrefix}. */
  readonly prefix?: string | undefined
  /** Default: `"refuse"`. */
  readonly onUnavailable?: OnUnavailable | undefined
  /** How long a command may go unanswered before Redis counts as unreachable. Default: 2 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Where the store finds Redis: a URL (`redis://[[user]:password@]host[:port][/db]`,
 * `rediss://` for TLS), for a client the layer opens and closes itself, or a
 * client of the caller's, which it neither connects nor closes.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { RedisNonceStore } from "effect-authy/redis"
 *
 * const byUrl: RedisNonceStore.Options = { url: Redacted.make("redis://:secret@10.0.0.7:6379") }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Options =
  & Settings
  & (
    | { readonly url: string | Redacted.Redacted<string>; readonly client?: undefined }
    | { readonly client: RedisClient; readonly url?: undefined }
  )

/**
 * The default key prefix: `effect-authy:callback:`, followed by the
 * callback's `X-Authy-Signature`.
 *
 * @example
 * ```ts
 * import { RedisNonceStore } from "effect-authy/redis"
 *
 * RedisNonceStore.defaultPrefix // "effect-authy:callback:"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPrefix = "effect-authy:callback:"

const defaultTimeout = Duration.seconds(2)

/** Keeps what Redis or the client said, bounded; it names no key and no credential. */
const describe = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

const reasonOf = (error: unknown): NonceStoreErrorReason =>
  error instanceof ErrorReply ? "UnexpectedReply" : error instanceof TimeoutError ? "Timeout" : "Unavailable"

const failure = (reason: NonceStoreErrorReason, detail: string) =>
  new NonceStoreError({ reason, message: `Redis nonce store: ${reason}: ${detail}` })

/**
 * A store on a client of the caller's. The client is used as it is: it must
 * be connected (node-redis: `await client.connect()`), and it is not closed.
 * With node-redis, `disableOfflineQueue: true` makes commands fail at once
 * while the client reconnects, instead of waiting out `timeout`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { createClient } from "redis"
 * import { OneTouchCallback } from "effect-authy"
 * import { RedisNonceStore } from "effect-authy/redis"
 *
 * const StoreLive = Layer.effect(
 *   OneTouchCallback.NonceStore,
 *   Effect.promise(() => createClient({ url: "redis://127.0.0.1:6379", disableOfflineQueue: true }).connect()).pipe(
 *     Effect.map((client) => RedisNonceStore.make(client, { prefix: "shop:authy:" }))
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (client: RedisClient, settings: Settings = {}): NonceStoreService => {
  const prefix = settings.prefix ?? defaultPrefix
  const onUnavailable = settings.onUnavailable ?? "refuse"
  const timeout = Option.getOrElse(Duration.decodeUnknown(settings.timeout ?? defaultTimeout), () => defaultTimeout)

  const command = (args: Array<string>): Effect.Effect<unknown, NonceStoreError> =>
    Effect.tryPromise({
      // Interruption (the timeout included) aborts a command still queued.
      try: (signal) => client.sendCommand(args, { abortSignal: signal }),
      catch: (error) => failure(reasonOf(error), describe(error))
    }).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => failure("Timeout", `no answer within ${Duration.format(timeout)}`)
      })
    )

  const checkAndRemember = (key: string, expiresAt: number): Effect.Effect<boolean, NonceStoreError> =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const ttl = Freshness.ttlMillis(now, expiresAt)
      const reply = yield* command(["SET", `${prefix}${key}`, "1", "NX", "PX", String(ttl)])
      if (reply === "OK") return true
      if (reply === null) return false
      return yield* Effect.fail(failure("UnexpectedReply", "SET NX answered neither OK nor nil"))
    }).pipe(
      Effect.catchTag("NonceStoreError", (error) =>
        onUnavailable === "accept"
          ? Effect.logWarning("Redis nonce store unavailable: callback accepted without replay protection").pipe(
            Effect.annotateLogs({ "authy.nonce_store.reason": error.reason, "authy.nonce_store.error": error.message }),
            Effect.as(true)
          )
          : Effect.fail(error))
    )

  const forget = (key: string): Effect.Effect<void, NonceStoreError> => Effect.asVoid(command(["DEL", `${prefix}${key}`]))

  return { checkAndRemember, forget }
}

const newClient = (url: string) => createClient({ url, disableOfflineQueue: true })

type OwnClient = ReturnType<typeof newClient>

/**
 * Opens a client of our own. The scope is ready once the first connection
 * attempt has either succeeded or failed: an application starts even while
 * Redis is down (its callbacks then follow `onUnavailable`), and the client
 * keeps reconnecting in the background. Commands fail at once while it is
 * offline (`disableOfflineQueue`), rather than waiting out the timeout.
 */
const acquire = (url: string | Redacted.Redacted<string>): Effect.Effect<OwnClient, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<OwnClient>((resume) => {
      const client = newClient(Redacted.isRedacted(url) ? Redacted.value(url) : url)
      let settled = false
      const settle = () => {
        if (settled) return
        settled = true
        resume(Effect.succeed(client))
      }
      // A listener must stay: node-redis emits every connection error, and
      // an unheard `error` event would crash the process. Commands report
      // their own failures.
      client.on("error", settle)
      client.connect().then(settle, settle)
      return Effect.sync(() => close(client))
    }),
    (client) => Effect.sync(() => close(client))
  )

const close = (client: OwnClient): void => {
  try {
    client.destroy()
  } catch {
    // Already closed.
  }
}

/**
 * The store as a scoped effect: with `url`, the client is opened now and
 * closed with the scope; with `client`, it is the caller's ({@link make}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RedisNonceStore } from "effect-authy/redis"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const store = yield* RedisNonceStore.makeScoped({ url: "redis://127.0.0.1:6379" })
 *   const first = yield* store.checkAndRemember("signature", Date.now() + 60_000) // true
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeScoped = (options: Options): Effect.Effect<NonceStoreService, never, Scope.Scope> =>
  options.client !== undefined
    ? Effect.succeed(make(options.client, options))
    : Effect.map(acquire(options.url), (client) => make(client, options))

/**
 * The {@link OneTouchCallback.NonceStore} in Redis, as a layer: give every
 * instance of the application the same Redis and the same `prefix`.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { Effect, Layer, Redacted } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 * import { RedisNonceStore } from "effect-authy/redis"
 *
 * const callback = OneTouchCallback.handler((event) => Effect.log(`${event.uuid}: ${event.status}`))
 *
 * const app = HttpRouter.empty.pipe(HttpRouter.post("/authy/callback", callback), HttpServer.serve())
 *
 * const NonceStoreLive = RedisNonceStore.layer({
 *   url: Redacted.make("redis://:secret@redis.internal:6379"),
 *   prefix: "shop:authy:",
 *   onUnavailable: "refuse" // the default: a 503 while Redis is down
 * })
 *
 * const AppLive = app.pipe(Layer.provide(NonceStoreLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<NonceStore> => Layer.scoped(NonceStore, makeScoped(options))

/**
 * {@link layer} with the URL from `Config`, `REDIS_URL` (redacted) by default.
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 * import { RedisNonceStore } from "effect-authy/redis"
 *
 * const fromEnv = RedisNonceStore.layerConfig() // REDIS_URL
 * const custom = RedisNonceStore.layerConfig({ url: Config.redacted("AUTHY_REDIS_URL"), prefix: "shop:authy:" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Settings & { readonly url?: Config.Config<Redacted.Redacted<string>> | undefined } = {}
): Layer.Layer<NonceStore, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(options.url ?? Config.redacted("REDIS_URL"), (url) => layer({ ...options, url }))
  )
