/**
 * Request parameters as Authy's Rails server saw them: the query string, a
 * form body and a JSON body, on any method, merged into one nested object.
 * Form and query keys use Rails brackets (`user[email]`, `details[k]`,
 * `logos[][res]`, `logos[0][res]`).
 *
 * @since 0.1.0
 */
import { Predicate } from "effect"

/**
 * A parameter value: text from a query or form, anything from JSON.
 *
 * @since 0.1.0
 * @category models
 */
export type Value = unknown

/**
 * The merged parameters of one request. Every object in it, nested ones
 * included, has a null prototype: a key read from the request is never
 * looked up on `Object.prototype`, and no key can reach it.
 *
 * @since 0.1.0
 * @category models
 */
export type Params = Readonly<Record<string, Value>>

type Mutable = Record<string, unknown>

/**
 * The parser's limits. Authy's own requests need three levels
 * (`logos[][res]`) and a few dozen parameters; these leave room for any
 * client while keeping the work per request small and linear.
 *
 * - `maxDepth`: objects and arrays nest at most this deep, the top level
 *   included: a bracketed key has at most this many segments
 *   (`a[b][c]` has 3), JSON at most this many levels of `{`/`[`.
 * - `maxParams`: at most this many parameters per request, query and body
 *   together: each `key=value` pair of a query or form, and each key or
 *   element of a JSON body, at any level.
 *
 * Past either, the request is refused (400 60002) before any endpoint runs.
 *
 * @since 0.1.0
 * @category limits
 */
export const limits = { maxDepth: 32, maxParams: 1000 } as const

/**
 * Why a request's parameters could not be read: a malformed body, or a
 * query or body past the parser's {@link limits}.
 *
 * @since 0.1.0
 * @category models
 */
export class MalformedBody {
  /** @since 0.1.0 */
  readonly _tag = "MalformedBody"
  constructor(readonly reason: string) {}
}

const tooDeep = new MalformedBody(`parameters nested deeper than ${limits.maxDepth} levels`)
const tooMany = new MalformedBody(`more than ${limits.maxParams} parameters`)

/** An object without a prototype: nothing it is given can reach `Object.prototype`. */
const record = (): Mutable => Object.create(null)

/**
 * Names that mean something to JavaScript objects rather than to Authy: a
 * pair or JSON key using one is dropped, so that no parameter can name a
 * prototype even if it is later copied into an ordinary object.
 */
const forbidden: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"])

const isObject = (u: unknown): u is Mutable => Predicate.isRecord(u) && !Array.isArray(u)

/** How many more parameters the request may carry; shared by its query and its body. */
interface Budget {
  remaining: number
}

const newBudget = (): Budget => ({ remaining: limits.maxParams })

const spend = (budget: Budget): boolean => --budget.remaining >= 0

/**
 * `user[email]` → `["user", "email"]`; `logos[][res]` → `["logos", "", "res"]`;
 * `undefined` past {@link limits}`.maxDepth` segments. One pass over the key,
 * stopping at the limit.
 */
const splitKey = (key: string): ReadonlyArray<string> | undefined => {
  const open = key.indexOf("[")
  if (open <= 0) return [key]
  const segments = [key.slice(0, open)]
  const brackets = /\[([^\]]*)\]/g
  brackets.lastIndex = open
  for (let match = brackets.exec(key); match !== null; match = brackets.exec(key)) {
    if (segments.length === limits.maxDepth) return undefined
    segments.push(match[1] ?? "")
  }
  return segments
}

/**
 * Places one bracketed key/value pair into `root`, with Rack's rules for
 * `[]`: a scalar is appended; a nested key starts a new element when the last
 * element already has that key (so `logos[][res]=a&logos[][url]=b&logos[][res]=c`
 * gives two logos). A later value overwrites an earlier one, and a shape
 * conflict (`a=1&a[b]=2`) replaces it, as input is untrusted. One step per
 * segment: linear in the key.
 */
const assign = (root: Mutable, path: ReadonlyArray<string>, value: string): void => {
  let target = root
  for (let i = 0; i < path.length; i++) {
    const head = path[i]!
    if (i === path.length - 1) {
      target[head] = value
    } else if (path[i + 1] === "") {
      const existing = target[head]
      const list = Array.isArray(existing) ? existing as Array<unknown> : (target[head] = []) as Array<unknown>
      if (i + 2 === path.length) {
        list.push(value)
        return
      }
      const last = list[list.length - 1]
      const element = isObject(last) && !(path[i + 2]! in last) ? last : record()
      if (element !== last) list.push(element)
      target = element
      i += 1 // the `[]` segment is consumed
    } else {
      const child = target[head]
      target = isObject(child) ? child : (target[head] = record()) as Mutable
    }
  }
}

const readPairs = (pairs: Iterable<readonly [string, string]>, budget: Budget): Mutable | MalformedBody => {
  const out = record()
  for (const [key, value] of pairs) {
    if (!spend(budget)) return tooMany
    const path = splitKey(key)
    if (path === undefined) return tooDeep
    if (!path.some((segment) => forbidden.has(segment))) assign(out, path, value)
  }
  return out
}

/**
 * Turns flat `key=value` pairs with Rails brackets into a nested object, or
 * refuses them past the {@link limits}.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromPairs = (pairs: Iterable<readonly [string, string]>): Mutable | MalformedBody =>
  readPairs(pairs, newBudget())

/**
 * A parsed JSON value copied into prototype-free objects, forbidden keys
 * dropped, within the {@link limits}. `depth` is the nesting of `value`'s
 * container (the top level is 0), so the recursion itself is bounded.
 */
const fromJson = (value: unknown, depth: number, budget: Budget): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (depth >= limits.maxDepth) return tooDeep
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value)
  const out: Array<unknown> | Mutable = Array.isArray(value) ? [] : record()
  for (const [key, child] of entries) {
    if (!spend(budget)) return tooMany
    const copy = fromJson(child, depth + 1, budget)
    if (copy instanceof MalformedBody) return copy
    if (Array.isArray(out)) out.push(copy)
    else if (!forbidden.has(key as string)) out[key as string] = copy
  }
  return out
}

/**
 * Deep merge: objects merge key by key, anything else from `right` wins.
 * Both sides are within the limits, so the recursion is bounded too.
 *
 * @since 0.1.0
 * @category parsing
 */
export const merge = (left: Mutable, right: Readonly<Record<string, unknown>>): Mutable => {
  const out = Object.assign(record(), left)
  for (const [key, value] of Object.entries(right)) {
    if (forbidden.has(key)) continue
    const existing = out[key]
    out[key] = isObject(existing) && isObject(value) ? merge(existing, value) : value
  }
  return out
}

const looksLikeJson = (text: string) => /^\s*[[{]/.test(text)

const parseJson = (text: string, budget: Budget): Mutable | MalformedBody => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return new MalformedBody("Malformed JSON body")
  }
  if (!isObject(parsed)) return new MalformedBody("JSON body must be an object")
  return fromJson(parsed, 0, budget) as Mutable | MalformedBody
}

const readBody = (text: string, contentType: string | undefined, budget: Budget): Mutable | MalformedBody => {
  if (text.trim() === "") return record()
  const type = (contentType ?? "").toLowerCase()
  const json = type.includes("json") || (!type.includes("x-www-form-urlencoded") && looksLikeJson(text))
  return json ? parseJson(text, budget) : readPairs(new URLSearchParams(text), budget)
}

/**
 * Parses a body by its content type. Without one, a body that starts like JSON
 * is read as JSON and anything else as a form: some old clients send a form
 * body on GET without saying so.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseBody = (text: string, contentType: string | undefined): Mutable | MalformedBody =>
  readBody(text, contentType, newBudget())

/**
 * Merges the query string and the body: query first, the body's values win.
 * The {@link limits} apply to both together.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromRequest = (
  search: URLSearchParams,
  body: string,
  contentType: string | undefined
): Params | MalformedBody => {
  const budget = newBudget()
  const query = readPairs(search, budget)
  if (query instanceof MalformedBody) return query
  const parsed = readBody(body, contentType, budget)
  return parsed instanceof MalformedBody ? parsed : merge(query, parsed)
}

/**
 * A parameter as text: strings as they are, numbers and booleans printed
 * (JSON clients send `"country_code": 57`), anything else absent.
 *
 * @since 0.1.0
 * @category accessors
 */
export const string = (params: Params, key: string): string | undefined => {
  const value = params[key]
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  return undefined
}

/**
 * A boolean parameter: `true`, `True`, `1`, `yes`, `on` (any case) or JSON
 * `true` are true; anything else, or nothing, is `fallback`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const boolean = (params: Params, key: string, fallback = false): boolean => {
  const value = params[key]
  if (value === undefined || value === null || value === "") return fallback
  if (typeof value === "boolean") return value
  if (typeof value === "number") return value !== 0
  return typeof value === "string" && ["true", "1", "yes", "on", "t"].includes(value.trim().toLowerCase())
}

/**
 * An integer parameter; `undefined` when absent, `NaN` when not an integer.
 *
 * @since 0.1.0
 * @category accessors
 */
export const integer = (params: Params, key: string): number | undefined => {
  const text = string(params, key)
  if (text === undefined || text.trim() === "") return undefined
  return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN
}

/**
 * An object parameter of string values (`details`, `hidden_details`, `data`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const stringMap = (params: Params, key: string): Readonly<Record<string, string>> | undefined => {
  const value = params[key]
  if (!isObject(value)) return undefined
  const out: Record<string, string> = record() as Record<string, string>
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined && v !== null) out[k] = typeof v === "string" ? v : JSON.stringify(v)
  }
  return out
}

/**
 * An array of objects. Rails' `logos[0][res]` form arrives as an object keyed
 * by indices; it is read back as an array in index order.
 *
 * @since 0.1.0
 * @category accessors
 */
export const objectArray = (params: Params, key: string): ReadonlyArray<Readonly<Record<string, unknown>>> | undefined => {
  const value = params[key]
  if (Array.isArray(value)) return value.filter(isObject)
  if (isObject(value) && Object.keys(value).every((k) => /^\d+$/.test(k))) {
    return Object.keys(value)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => value[k])
      .filter(isObject)
  }
  return undefined
}

/**
 * A nested object parameter, e.g. `user` of `user[email]`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const object = (params: Params, key: string): Params => {
  const value = params[key]
  return isObject(value) ? value : record()
}

/**
 * Twilio's form encoding (verify-api.md §1): keys are literal (`Config.TimeStep`,
 * `Details.Fields`, no brackets), a repeated key collects its values in order
 * into an array (`EventTypes=a&EventTypes=b`), the query and a form body are
 * read alike. A JSON body is refused: Twilio's APIs take forms only. The
 * {@link limits} on the number of parameters apply as for Authy's parameters;
 * there is no nesting to bound.
 *
 * @since 0.2.0
 * @category parsing
 */
export const fromForm = (
  search: URLSearchParams,
  body: string,
  contentType: string | undefined
): Params | MalformedBody => {
  const type = (contentType ?? "").toLowerCase()
  if (body.trim() !== "" && (type.includes("json") || (!type.includes("x-www-form-urlencoded") && looksLikeJson(body)))) {
    return new MalformedBody("the body must be application/x-www-form-urlencoded")
  }
  const budget = newBudget()
  const out = record()
  for (const pairs of [search, new URLSearchParams(body)]) {
    for (const [key, value] of pairs) {
      if (!spend(budget)) return tooMany
      if (forbidden.has(key)) continue
      const existing = out[key]
      if (existing === undefined) out[key] = value
      else if (Array.isArray(existing)) existing.push(value)
      else out[key] = [existing, value]
    }
  }
  return out
}
