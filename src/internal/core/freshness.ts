/**
 * The window's boundary rule, which the freshness check of every verifier and
 * every nonce store follow, and the in-memory nonce store.
 *
 * @internal
 */
import { Clock, Effect } from "effect"

// ---------------------------------------------------------------------------
// The window's boundary: one rule for freshness and for every nonce store
// ---------------------------------------------------------------------------

/**
 * THE boundary rule. A window that ends at `deadline` (epoch milliseconds)
 * still holds at `deadline` itself: it is closed, inclusive. The verifier
 * accepts a callback while `isWithin(now, sent + window)` (and
 * `isWithin(sent, now + window)` for nonces from the future), and every
 * nonce store remembers a key while `isWithin(now, expiresAt)`, with
 * `expiresAt = sent + window`. Both sides use this one function, so there is
 * no instant at which a callback is fresh while its store entry is gone
 * (a replay at exactly `sent + window` used to pass that way).
 *
 * @internal
 */
export const isWithin = (now: number, deadline: number): boolean => now <= deadline

/**
 * The last instant at which a callback sent at `sent` is still fresh, and so
 * the `expiresAt` the verifier hands to the nonce store.
 *
 * @internal
 */
export const freshUntil = (sent: number, windowMillis: number): number => sent + windowMillis

/**
 * The time to live, in whole milliseconds from `now`, of a store entry that
 * must be held through `expiresAt` inclusive ({@link isWithin}): the number of
 * millisecond instants from `now` to `expiresAt`, both counted, so that a
 * store with a relative expiry (Redis `PX`) still holds the key at
 * `expiresAt` whichever side of its own boundary it counts. At least 1 (a
 * non-positive `PX` is an error in Redis).
 *
 * @internal
 */
export const ttlMillis = (now: number, expiresAt: number): number => Math.max(1, Math.floor(expiresAt - now) + 1)

// ---------------------------------------------------------------------------
// The in-memory nonce store
// ---------------------------------------------------------------------------

/** Below this many entries the store never sweeps: it is not worth the time. */
const minSweepSize = 1024

/**
 * A map of key → expiry. A key is held while {@link isWithin}`(now, expiresAt)`.
 * Expired entries are swept whenever the map has doubled since the last
 * sweep, so memory stays within twice the live entries (plus a constant) at
 * an amortised O(1) per call.
 *
 * @internal
 */
export const makeMemoryStore = () => {
  const entries = new Map<string, number>()
  let sweepAt = minSweepSize

  const sweep = (now: number) => {
    for (const [key, expiresAt] of entries) {
      if (!isWithin(now, expiresAt)) entries.delete(key)
    }
    sweepAt = Math.max(minSweepSize, 2 * entries.size)
  }

  return {
    checkAndRemember: (key: string, expiresAt: number): Effect.Effect<boolean> =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const seen = entries.get(key)
        if (seen !== undefined && isWithin(now, seen)) return false
        if (entries.size >= sweepAt) sweep(now)
        entries.set(key, expiresAt)
        return true
      }),
    forget: (key: string): Effect.Effect<void> => Effect.sync(() => void entries.delete(key)),
    size: Effect.sync(() => entries.size)
  }
}
