/**
 * The OneTouch callback signature (`X-Authy-Signature`, authy-api.md §3), as
 * pure functions.
 *
 * Authy signs `nonce|METHOD|url|params` with HMAC-SHA256 under the
 * application's API key, where `params` is the callback's parameters flattened
 * the way Rails' `to_query` does it. Every detail of that flattening changes
 * the bytes that are signed, so this module is deliberately literal about it:
 * which characters are escaped, how nesting is spelled, and in which order
 * entries appear.
 *
 * @since 0.1.0
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import { Redacted } from "effect"

/**
 * What is signed: the application's API key, the `X-Authy-Signature-Nonce`
 * header, the HTTP method and URL Authy called, and the callback parameters.
 *
 * - `url` may carry a query string or fragment: both are removed before
 *   signing. Behind a proxy, pass the public URL Authy called, not the one
 *   the application sees.
 * - `method` is upper-cased before signing.
 * - `params` is the parsed JSON body of a POST callback, or the raw query
 *   string (or `URLSearchParams`) of a GET callback.
 *
 * @since 0.1.0
 */
export interface SignatureInput {
  readonly apiKey: Redacted.Redacted<string> | string
  readonly nonce: string
  readonly method: string
  readonly url: string
  readonly params: unknown
}

/**
 * A {@link SignatureInput} plus the `X-Authy-Signature` header to check.
 *
 * @since 0.1.0
 */
export interface ValidateSignatureInput extends SignatureInput {
  readonly signature: string
}

// ---------------------------------------------------------------------------
// Form encoding
// ---------------------------------------------------------------------------

// Authy's unreserved set is Ruby's `CGI.escape` minus `~` and `*`: only
// `A–Z a–z 0–9 - . _` survive, so `encodeURIComponent` (which keeps
// `! ' ( ) * ~`) cannot be used.
const isUnreservedByte = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) || // 0-9
  (byte >= 0x41 && byte <= 0x5a) || // A-Z
  (byte >= 0x61 && byte <= 0x7a) || // a-z
  byte === 0x2d || // -
  byte === 0x2e || // .
  byte === 0x5f // _

const encodeByte = (byte: number): string =>
  byte === 0x20
    ? "+"
    : isUnreservedByte(byte)
    ? String.fromCharCode(byte)
    : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`

// Works on UTF-8 bytes so that non-ASCII text is escaped byte by byte, as the
// server does. The output is pure ASCII, so comparing two encoded strings
// with `<` is byte order.
const formEncode = (text: string): string => {
  let out = ""
  for (const byte of Buffer.from(text, "utf8")) out += encodeByte(byte)
  return out
}

// Tolerant inverse of `formEncode`: a stray `%` is kept literally instead of
// throwing (as `decodeURIComponent` would), because query strings come from
// the network.
const formDecode = (text: string): string =>
  text
    .replace(/\+/g, " ")
    .replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ""), "hex").toString("utf8"))

// ---------------------------------------------------------------------------
// Canonical parameters (Rails `to_query`)
// ---------------------------------------------------------------------------

type MutableRecord = Record<string, unknown>

/**
 * How deep parameters may nest. Authy's own callbacks nest three levels at
 * most (`logos[][res]`); the bound keeps reading and signing linear in the
 * input, which comes from the network: each level costs a copy of the key so
 * far, so unbounded depth is quadratic (and, past a few thousand, a stack
 * overflow).
 */
const maxDepth = 32

const isRecord = (value: unknown): value is MutableRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isContainer = (value: unknown): boolean => Array.isArray(value) || isRecord(value)

const isEmptyContainer = (value: unknown): boolean =>
  Array.isArray(value) ? value.length === 0 : isRecord(value) && Object.keys(value).length === 0

// Integers beyond 2^53 would print in exponent form (`1e+21`); the server
// prints integers in full.
const numberToDecimal = (value: number): string =>
  Number.isInteger(value) && !Number.isSafeInteger(value) ? BigInt(value).toString() : String(value)

// `null`/`undefined` (and values JSON cannot carry) sign as an empty value.
const scalarToString = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return value
    case "boolean":
      return value ? "true" : "false"
    case "number":
      return numberToDecimal(value)
    case "bigint":
      return value.toString()
    default:
      return ""
  }
}

const ARRAY_SUFFIX = "%5B%5D"

const childKey = (prefix: string | undefined, name: string): string =>
  prefix === undefined ? formEncode(name) : `${prefix}%5B${formEncode(name)}%5D`

// `Array.from` rather than `map` so that holes sign as `key[]=` instead of
// silently vanishing.
const flattenArray = (key: string, list: ReadonlyArray<unknown>, depth: number): Array<string> =>
  Array.from(list).flatMap((element) =>
    isEmptyContainer(element) ? [] : flattenValue(`${key}${ARRAY_SUFFIX}`, element, depth)
  )

const flattenValue = (key: string, value: unknown, depth: number): Array<string> => {
  if (isContainer(value) && depth >= maxDepth) {
    throw new RangeError(`callback parameters nest deeper than ${maxDepth} levels`)
  }
  return Array.isArray(value)
    ? flattenArray(key, value, depth + 1)
    : isRecord(value)
    ? flattenRecord(value, key, depth + 1)
    : [`${key}=${formEncode(scalarToString(value))}`]
}

interface Entry {
  readonly sortKey: string
  readonly pieces: ReadonlyArray<string>
}

// The sort key of a container is its encoded key followed by `%5B`, which is
// how all of its flattened keys begin. That makes this per-level sort agree
// with the reference formulation (flatten with indices, sort the full keys,
// rewrite indices to `[]`) — e.g. `{"a":{"x":1},"a!":2}` gives `a%21` first —
// while emitting every array element as one unit, in order, even past index 9.
const toEntry = (prefix: string | undefined, name: string, value: unknown, depth: number): Entry => {
  const key = childKey(prefix, name)
  return { sortKey: isContainer(value) ? `${key}%5B` : key, pieces: flattenValue(key, value, depth) }
}

const compareBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

// Sort keys only tie for names containing brackets (`a` holding an object vs
// a scalar named `a[`); comparing the output then keeps the result
// independent of the input's key order.
const byteOrder = (a: Entry, b: Entry): number =>
  compareBytes(a.sortKey, b.sortKey) || compareBytes(a.pieces.join("&"), b.pieces.join("&"))

// Empty objects and arrays contribute nothing (not even `key=`).
const flattenRecord = (record: Readonly<MutableRecord>, prefix: string | undefined, depth = 1): Array<string> =>
  Object.entries(record)
    .filter(([, value]) => !isEmptyContainer(value))
    .map(([name, value]) => toEntry(prefix, name, value, depth))
    .sort(byteOrder)
    .flatMap((entry) => entry.pieces)

/**
 * The canonical `params` string that Authy signs: the parameters flattened
 * like Rails' `to_query` (`parent[child]`, `key[]`, `key[][sub]`), keys and
 * values form-encoded (space → `+`, only `A–Z a–z 0–9 - . _` kept, everything
 * else `%XX` upper-case over UTF-8 bytes), entries sorted by the byte order of
 * their encoded keys at each object level, array elements kept in order and
 * each emitted as a unit, joined with `&`.
 *
 * `null` and `undefined` give `key=`; booleans `true`/`false`; numbers are
 * printed in decimal; empty objects and arrays are left out.
 *
 * A string or `URLSearchParams` is taken as a raw GET query (see
 * {@link canonicalFromQueryString}). Anything that has no parameter names
 * (a top-level array, scalar, `null`) gives the empty string. Parameters
 * nested deeper than 32 levels throw a `RangeError` (Authy's nest three at
 * most; {@link validateSignature} answers `false` for them).
 *
 * @example
 * ```ts
 * canonicalParams({ b: "val|ue&2", a: "value1" }) // "a=value1&b=val%7Cue%262"
 * canonicalParams({ logos: [{ res: "low", url: "u" }] }) // "logos%5B%5D%5Bres%5D=low&logos%5B%5D%5Burl%5D=u"
 * ```
 *
 * @since 0.1.0
 */
export const canonicalParams = (params: unknown): string => {
  if (typeof params === "string") return canonicalFromQueryString(params)
  if (params instanceof URLSearchParams) return canonicalFromQueryString(params.toString())
  return isRecord(params) ? flattenRecord(params, undefined).join("&") : ""
}

// ---------------------------------------------------------------------------
// Query strings with Rails bracket syntax
// ---------------------------------------------------------------------------

// A null prototype keeps names such as `__proto__` or `constructor` from the
// network ordinary data keys.
const makeRecord = (): MutableRecord => Object.create(null) as MutableRecord

// `root[a][]` → ["root", "a", ""]; `""` marks an array. Names that are not
// well-formed bracket syntax, or that nest deeper than `maxDepth`, are taken
// literally.
const parseName = (name: string): readonly [string, ...Array<string>] => {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name)
  if (match === null || match[1] === undefined) return [name]
  const segments = Array.from((match[2] ?? "").matchAll(/\[([^[\]]*)\]/g), (m) => m[1] ?? "")
  return segments.length >= maxDepth ? [name] : [match[1], ...segments]
}

// As Rack does: a path containing `[]` never starts a new array element.
const hasPath = (record: Readonly<MutableRecord>, path: ReadonlyArray<string>): boolean => {
  if (path.includes("")) return false
  let node: unknown = record
  for (const segment of path) {
    if (!isRecord(node) || !Object.hasOwn(node, segment)) return false
    node = node[segment]
  }
  return true
}

const pushNew = <A>(list: Array<unknown>, fresh: A): A => {
  list.push(fresh)
  return fresh
}

// `logos[][res]=a&logos[][url]=b&logos[][res]=c`: a key that the current
// element already holds starts the next element.
const appendTo = (list: Array<unknown>, path: ReadonlyArray<string>, value: string): void => {
  const [next, ...rest] = path
  if (next === undefined) {
    list.push(value)
    return
  }
  // Arrays of arrays cannot be regrouped from the wire (`a[][]=1&a[][]=2` is
  // the same for [[1,2]] and [[1],[2]]), and every grouping signs the same.
  if (next === "") return appendTo(pushNew(list, []), rest, value)
  const last = list[list.length - 1]
  const element = isRecord(last) && !hasPath(last, path) ? last : pushNew(list, makeRecord())
  assign(element, next, rest, value)
}

// A later scalar overwrites an earlier one, and a shape conflict (`a=1&a[b]=2`)
// replaces the old value rather than throwing, as the input is untrusted.
const assign = (target: MutableRecord, key: string, path: ReadonlyArray<string>, value: string): void => {
  const [next, ...rest] = path
  if (next === undefined) {
    target[key] = value
  } else if (next === "") {
    const current = target[key]
    appendTo(Array.isArray(current) ? current : (target[key] = []), rest, value)
  } else {
    const current = target[key]
    assign(isRecord(current) ? current : (target[key] = makeRecord()), next, rest, value)
  }
}

/**
 * A raw query string with Rails bracket syntax, read back into nested data
 * (also how a GET callback's parameters are decoded).
 *
 * @since 0.1.0
 * @internal
 */
export const parseQuery = (query: string): MutableRecord => {
  const root = makeRecord()
  const body = query.startsWith("?") ? query.slice(1) : query
  for (const part of body.split("&")) {
    if (part === "") continue
    const eq = part.indexOf("=")
    const [key, ...path] = parseName(formDecode(eq === -1 ? part : part.slice(0, eq)))
    assign(root, key, path, eq === -1 ? "" : formDecode(part.slice(eq + 1)))
  }
  return root
}

/**
 * The canonical `params` string of a GET callback's raw query string.
 *
 * The query is parsed with Rails bracket syntax into nested data
 * (`a[b]=1` → `{a:{b:"1"}}`; `logos[][res]=x&logos[][url]=y&logos[][res]=z`
 * → two `logos` elements, a new one starting whenever a key repeats within
 * the current element) and then canonicalised with {@link canonicalParams}.
 * Authy sends the canonical string itself as the query, so this mostly
 * normalises escaping (`%7e`, a raw `~`...) that proxies may have changed.
 * A leading `?` is ignored; malformed escapes never throw.
 *
 * @example
 * ```ts
 * canonicalFromQueryString("b=val%7Cue%262&a=value1") // "a=value1&b=val%7Cue%262"
 * ```
 *
 * @since 0.1.0
 */
export const canonicalFromQueryString = (query: string): string => flattenRecord(parseQuery(query), undefined).join("&")

// ---------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------

// Authy signs the URL without its query string (and a fragment never reaches
// the server).
const stripQuery = (url: string): string => {
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}

const secretOf = (apiKey: Redacted.Redacted<string> | string): string =>
  typeof apiKey === "string" ? apiKey : Redacted.value(apiKey)

const signedData = (input: SignatureInput): string =>
  `${input.nonce}|${input.method.toUpperCase()}|${stripQuery(input.url)}|${canonicalParams(input.params)}`

/**
 * The `X-Authy-Signature` Authy would send for a callback:
 * `base64(HMAC-SHA256(apiKey, nonce + "|" + METHOD + "|" + url + "|" + canonicalParams(params)))`,
 * standard alphabet, padded.
 *
 * @example
 * ```ts
 * computeSignature({
 *   apiKey: Redacted.make("foobar123"),
 *   nonce: "1427849783.886085",
 *   method: "POST",
 *   url: "https://api.authy.com/dashboard/json/application/webhooks",
 *   params: { b: "val|ue&2", a: "value1" }
 * }) // "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM="
 * ```
 *
 * @since 0.1.0
 */
export const computeSignature = (input: SignatureInput): string =>
  createHmac("sha256", secretOf(input.apiKey)).update(signedData(input), "utf8").digest("base64")

// Hashing both sides first gives `timingSafeEqual` equal-length buffers
// without revealing, through an early length check, how long the expected
// value is.
const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest()

const constantTimeEqual = (expected: string, actual: string): boolean =>
  timingSafeEqual(sha256(expected), sha256(actual))

/**
 * Whether `signature` is the one Authy would send for this callback (see
 * {@link computeSignature}), compared in constant time.
 *
 * Never throws: a missing, malformed or wrong-length signature, or input that
 * cannot be signed at all, is simply `false`. It does not check the nonce for
 * staleness or replay; the caller must.
 *
 * @since 0.1.0
 */
export const validateSignature = (input: ValidateSignatureInput): boolean => {
  try {
    return typeof input.signature === "string" && constantTimeEqual(computeSignature(input), input.signature)
  } catch {
    return false
  }
}
