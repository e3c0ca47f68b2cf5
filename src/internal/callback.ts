/**
 * The pieces of `OneTouchCallback` that are not its public surface: reading
 * a GET callback's query back into data, the wire schema of a callback, the
 * nonce and the in-memory nonce store.
 *
 * @internal
 */
import { Clock, Effect, Schema } from "effect"

// ---------------------------------------------------------------------------
// GET query → nested data (Rails bracket syntax)
// ---------------------------------------------------------------------------

type MutableRecord = Record<string, unknown>

const isRecord = (value: unknown): value is MutableRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// A null prototype keeps names from the network (`__proto__`, `constructor`)
// ordinary keys.
const makeRecord = (): MutableRecord => Object.create(null) as MutableRecord

/** `a[b][]` → ["a", "b", ""]; anything else is taken literally. */
const parseName = (name: string): readonly [string, ...Array<string>] => {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name)
  if (match === null || match[1] === undefined) return [name]
  return [match[1], ...Array.from((match[2] ?? "").matchAll(/\[([^[\]]*)\]/g), (m) => m[1] ?? "")]
}

const assign = (target: MutableRecord, key: string, path: ReadonlyArray<string>, value: string): void => {
  const [next, ...rest] = path
  if (next === undefined) {
    target[key] = value
    return
  }
  const current = target[key]
  if (next === "") {
    appendTo(Array.isArray(current) ? current : (target[key] = []), rest, value)
  } else {
    assign(isRecord(current) ? current : (target[key] = makeRecord()), next, rest, value)
  }
}

/** Whether `path` is already set in `record`; a path through `[]` never is. */
const hasPath = (record: MutableRecord, path: ReadonlyArray<string>): boolean => {
  let node: unknown = record
  for (const segment of path) {
    if (segment === "" || !isRecord(node) || !Object.hasOwn(node, segment)) return false
    node = node[segment]
  }
  return true
}

// `logos[][res]=a&logos[][url]=b&logos[][res]=c`: a key the current element
// already has starts the next element, as Rack does.
const appendTo = (list: Array<unknown>, path: ReadonlyArray<string>, value: string): void => {
  const [next, ...rest] = path
  if (next === undefined) {
    list.push(value)
  } else if (next === "") {
    const inner: Array<unknown> = []
    list.push(inner)
    appendTo(inner, rest, value)
  } else {
    const last = list[list.length - 1]
    const element = isRecord(last) && !hasPath(last, path) ? last : makeRecord()
    if (element !== last) list.push(element)
    assign(element, next, rest, value)
  }
}

/**
 * A GET callback's query as the data Authy sent: `a[b]=1` → `{ a: { b: "1" } }`.
 * Every value is a string (`null` arrives as `""`, numbers as digits).
 *
 * @internal
 */
export const parseQuery = (query: string): Record<string, unknown> => {
  const root = makeRecord()
  for (const [name, value] of new URLSearchParams(query)) {
    const [key, ...path] = parseName(name)
    assign(root, key, path, value)
  }
  return root
}

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
// The in-memory nonce store
// ---------------------------------------------------------------------------

/** Below this many entries the store never sweeps: it is not worth the time. */
const minSweepSize = 1024

/**
 * A map of key → expiry. Expired entries are swept whenever the map has
 * doubled since the last sweep, so memory stays within twice the live
 * entries (plus a constant) at an amortised O(1) per call.
 *
 * @internal
 */
export const makeMemoryStore = () => {
  const entries = new Map<string, number>()
  let sweepAt = minSweepSize

  const sweep = (now: number) => {
    for (const [key, expiresAt] of entries) {
      if (expiresAt <= now) entries.delete(key)
    }
    sweepAt = Math.max(minSweepSize, 2 * entries.size)
  }

  return {
    checkAndRemember: (key: string, expiresAt: number): Effect.Effect<boolean> =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const seen = entries.get(key)
        if (seen !== undefined && seen > now) return false
        if (entries.size >= sweepAt) sweep(now)
        entries.set(key, expiresAt)
        return true
      }),
    forget: (key: string): Effect.Effect<void> => Effect.sync(() => void entries.delete(key)),
    size: Effect.sync(() => entries.size)
  }
}
