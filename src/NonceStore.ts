/**
 * Replay protection for incoming signed requests — Authy's OneTouch callbacks
 * and Twilio's Verify webhooks alike: a store of the requests already
 * accepted, each remembered through the end of its freshness window. Both
 * verifiers (`OneTouchCallback.verify`, `VerifyWebhook.verify` in
 * `effect-authy/verify`) use this one {@link NonceStore}, so one Redis store
 * (`effect-authy/redis`) protects both.
 *
 * @since 0.2.0
 */
import { Context, Effect, Layer, Schema } from "effect"
import * as Freshness from "./internal/core/freshness.js"

/**
 * Why a {@link NonceStoreError} was raised:
 *
 * - `Unavailable`: the store could not be reached (connection refused or
 *   lost, client offline or closed);
 * - `Timeout`: the store did not answer in time;
 * - `UnexpectedReply`: the store answered something that is not an answer to
 *   the command sent.
 *
 * @since 0.1.0
 * @category errors
 */
export const NonceStoreErrorReason = Schema.Literal("Unavailable", "Timeout", "UnexpectedReply")

/**
 * @since 0.1.0
 * @category errors
 */
export type NonceStoreErrorReason = typeof NonceStoreErrorReason.Type

/**
 * A {@link NonceStore} could not tell whether a callback was already
 * received. Raised only by a store whose policy is to refuse callbacks it
 * cannot check (the safe default of `effect-authy/redis`); {@link verify}
 * passes it on, and {@link handler} answers 503 without calling `onEvent`.
 * The message names the store and the reason, never a key or a credential.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * const event = (request: OneTouchCallback.CallbackRequest) => OneTouchCallback.verify(request).pipe(
 *   Effect.catchTag("NonceStoreError", (e) =>
 *     Effect.logError(`replay store down (${e.reason}): callback refused`).pipe(Effect.zipRight(Effect.fail(e))))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NonceStoreError extends Schema.TaggedError<NonceStoreError>("effect-authy/NonceStoreError")(
  "NonceStoreError",
  {
    reason: NonceStoreErrorReason,
    message: Schema.String
  }
) {}

/**
 * The operations of a {@link NonceStore}.
 *
 * The boundary rule: a key handed over with `expiresAt` is remembered
 * through `expiresAt` itself (inclusive), and forgotten only once the clock
 * is past it. The verifier uses the same rule for freshness (a nonce exactly
 * one window old is still fresh), so a callback can never be fresh while its
 * entry is already gone. Stores with a relative expiry (Redis `PX`) keep a key
 * `expiresAt − now + 1` milliseconds.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { OneTouchCallback } from "effect-authy"
 *
 * // Accepts everything: no replay protection (for tests only).
 * const permissive: OneTouchCallback.NonceStoreService = {
 *   checkAndRemember: () => Effect.succeed(true),
 *   forget: () => Effect.void
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface NonceStoreService {
  /**
   * Remembers `key` through `expiresAt` (epoch milliseconds, inclusive) and
   * answers `true` if it was not already remembered (and unexpired): one
   * atomic step, so two concurrent deliveries of one callback cannot both
   * pass. A store that cannot tell either fails with a
   * {@link NonceStoreError} (the callback is refused) or answers `true` (it
   * is accepted without replay protection): its policy, never a defect.
   */
  readonly checkAndRemember: (key: string, expiresAt: number) => Effect.Effect<boolean, NonceStoreError>
  /** Forgets `key`, so that a callback the application failed to handle can come again. */
  readonly forget: (key: string) => Effect.Effect<void, NonceStoreError>
}

/**
 * Where the verifier remembers the callbacks it has accepted, to refuse them
 * when they come again. Keys are `X-Authy-Signature` values (which cover the
 * nonce, the URL and the whole payload), so two different callbacks with the
 * same second-resolution nonce are both accepted.
 *
 * By default, one in-memory store per process ({@link makeMemory}), which
 * evicts expired entries. With several instances behind a load balancer a
 * replay could reach another instance: provide a shared store instead, such
 * as `RedisNonceStore.layer` from `effect-authy/redis` (atomic
 * `SET key 1 NX PX ttl`, a configurable policy when Redis is unreachable).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 * import { RedisNonceStore } from "effect-authy/redis"
 *
 * // Every instance behind the load balancer shares one Redis.
 * const shared = (program: Effect.Effect<void, never, OneTouchCallback.NonceStore>) =>
 *   program.pipe(Effect.provide(RedisNonceStore.layer({ url: "redis://127.0.0.1:6379" })))
 * ```
 *
 * @since 0.1.0
 * @category nonce store
 */
export class NonceStore extends Context.Reference<NonceStore>()("effect-authy/OneTouchCallback/NonceStore", {
  defaultValue: (): NonceStoreService => Freshness.makeMemoryStore()
}) {}

/**
 * An in-memory {@link NonceStore}, which also tells how many keys it holds.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * const held = Effect.flatMap(OneTouchCallback.makeMemory, (store) => store.size) // 0
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryNonceStore extends NonceStoreService {
  /** Keys held, expired ones not yet evicted included. */
  readonly size: Effect.Effect<number>
}

/**
 * A fresh in-memory {@link NonceStore}. Expiry follows the Effect `Clock`: a
 * key is held through its `expiresAt`, inclusive.
 * Expired keys are evicted whenever the store has doubled in size since the
 * last sweep, so it holds at most about twice the live keys; only callbacks
 * with a valid signature are ever remembered, so only Authy's traffic can
 * grow it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* OneTouchCallback.makeMemory
 *   const fresh = yield* store.checkAndRemember("key", Date.now() + 60_000) // true
 *   const again = yield* store.checkAndRemember("key", Date.now() + 60_000) // false
 * })
 * ```
 *
 * @since 0.1.0
 * @category nonce store
 */
export const makeMemory: Effect.Effect<MemoryNonceStore> = Effect.sync(Freshness.makeMemoryStore)

/**
 * A fresh in-memory {@link NonceStore} as a layer, e.g. one per test.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouchCallback } from "effect-authy"
 *
 * const isolated = (program: Effect.Effect<void>) => program.pipe(Effect.provide(OneTouchCallback.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category nonce store
 */
export const layerMemory: Layer.Layer<NonceStore> = Layer.effect(NonceStore, makeMemory)
