/**
 * The pieces of `OneTouchCallback` that are not its public surface: the wire
 * schema of a callback, the nonce, the window's boundary rule and the
 * in-memory nonce store. (A GET callback's query is read back into data by
 * `signature.ts`'s `parseQuery`.)
 *
 * @internal
 */
import { Clock, Effect, Schema } from "effect"

// ---------------------------------------------------------------------------
// The callback's wire shape
// ---------------------------------------------------------------------------

const optional = <S extends Schema.Schema.All, K extends string>(key: K, schema: S) =>
  Schema.optionalWith(schema, { exact: true }).pipe(Schema.fromKey(key))

/** A number, or its digits (GET callbacks carry only strings). */
const LenientNumber = Schema.Union(Schema.Number, Schema.NumberFromString)

/** An absent value: `null` in a POST body, `""` in a GET query. */
const Blank = Schema.Union(Schema.Null, Schema.Literal(""))

const OptionalNumber = Schema.Union(Blank, LenientNumber)

const Scalar = Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null)

/** `details` and `hidden_details`: label → value, `{}` when unset. */
const StringMap = Schema.transform(
  Schema.Union(Blank, Schema.Record({ key: Schema.String, value: Scalar })),
  Schema.Record({ key: Schema.String, value: Schema.String }),
  {
    strict: true,
    decode: (map) =>
      map === null || map === "" ? {} : Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v === null ? "" : String(v)])),
    encode: (map) => map
  }
)

const Transaction = Schema.Struct({
  message: optional("message", Schema.String),
  details: optional("details", StringMap),
  hiddenDetails: optional("hidden_details", StringMap),
  reason: optional("reason", Schema.String),
  deviceSigningTime: optional("device_signing_time", OptionalNumber),
  createdAtTime: optional("created_at_time", OptionalNumber)
})

const ApprovalRequest = Schema.Struct({
  transaction: optional("transaction", Transaction),
  expirationTimestamp: optional("expiration_timestamp", OptionalNumber),
  appId: optional("app_id", Schema.String)
})

/**
 * The fields of a callback we type (authy-api.md §2.16); the rest stays in
 * the raw payload.
 *
 * @internal
 */
export const CallbackWire = Schema.Struct({
  uuid: Schema.String.pipe(Schema.minLength(1)),
  status: Schema.Literal("approved", "denied"),
  authyId: Schema.propertySignature(LenientNumber).pipe(Schema.fromKey("authy_id")),
  deviceUuid: optional("device_uuid", Schema.Union(Schema.String, Schema.Number)),
  callbackAction: optional("callback_action", Schema.String),
  approvalRequest: optional("approval_request", ApprovalRequest)
})

// ---------------------------------------------------------------------------
// The nonce
// ---------------------------------------------------------------------------

/**
 * `X-Authy-Signature-Nonce`: a Unix time in seconds, possibly with a fraction
 * (`1427849783.886085`), as epoch milliseconds.
 *
 * @internal
 */
export const parseNonce = (nonce: string): number | undefined =>
  /^\d{1,12}(?:\.\d{1,9})?$/.test(nonce) ? Math.round(Number(nonce) * 1000) : undefined

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
