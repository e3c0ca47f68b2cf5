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
 * The merged parameters of one request.
 *
 * @since 0.1.0
 * @category models
 */
export type Params = Readonly<Record<string, Value>>

type Mutable = Record<string, unknown>

/** `user[email]` → `["user", "email"]`; `logos[][res]` → `["logos", "", "res"]`. */
const splitKey = (key: string): ReadonlyArray<string> => {
  const open = key.indexOf("[")
  if (open <= 0) return [key]
  const head = key.slice(0, open)
  const rest = [...key.slice(open).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? "")
  return [head, ...rest]
}

const isObject = (u: unknown): u is Mutable => Predicate.isRecord(u) && !Array.isArray(u)

/**
 * Places one bracketed key/value pair into `target`, with Rack's rules for
 * `[]`: a scalar is appended; a nested key starts a new element when the last
 * element already has that key (so `logos[][res]=a&logos[][url]=b&logos[][res]=c`
 * gives two logos).
 */
const assign = (target: Mutable, path: ReadonlyArray<string>, value: string): void => {
  const [head, ...rest] = path
  if (head === undefined) return
  if (rest.length === 0) {
    target[head] = value
    return
  }
  if (rest[0] === "") {
    const list = Array.isArray(target[head]) ? target[head] as Array<unknown> : (target[head] = [])
    const tail = rest.slice(1)
    if (tail.length === 0) {
      list.push(value)
      return
    }
    const last = list[list.length - 1]
    const firstKey = tail[0]!
    const element = isObject(last) && !(firstKey in last) ? last : undefined
    const next: Mutable = element ?? {}
    if (element === undefined) list.push(next)
    assign(next, tail, value)
    return
  }
  const child = isObject(target[head]) ? target[head] as Mutable : (target[head] = {})
  assign(child as Mutable, rest, value)
}

/**
 * Turns flat `key=value` pairs with Rails brackets into a nested object.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromPairs = (pairs: Iterable<readonly [string, string]>): Mutable => {
  const out: Mutable = {}
  for (const [key, value] of pairs) assign(out, splitKey(key), value)
  return out
}

/**
 * Deep merge: objects merge key by key, anything else from `right` wins.
 *
 * @since 0.1.0
 * @category parsing
 */
export const merge = (left: Mutable, right: Readonly<Record<string, unknown>>): Mutable => {
  const out: Mutable = { ...left }
  for (const [key, value] of Object.entries(right)) {
    const existing = out[key]
    out[key] = isObject(existing) && isObject(value) ? merge(existing, value) : value
  }
  return out
}

/**
 * The reason a body could not be read.
 *
 * @since 0.1.0
 * @category models
 */
export class MalformedBody {
  /** @since 0.1.0 */
  readonly _tag = "MalformedBody"
  constructor(readonly reason: string) {}
}

const looksLikeJson = (text: string) => /^\s*[[{]/.test(text)

/**
 * Parses a body by its content type. Without one, a body that starts like JSON
 * is read as JSON and anything else as a form: some old clients send a form
 * body on GET without saying so.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseBody = (text: string, contentType: string | undefined): Mutable | MalformedBody => {
  if (text.trim() === "") return {}
  const type = (contentType ?? "").toLowerCase()
  const json = type.includes("json") || (!type.includes("x-www-form-urlencoded") && looksLikeJson(text))
  if (!json) return fromPairs(new URLSearchParams(text))
  try {
    const parsed: unknown = JSON.parse(text)
    return isObject(parsed) ? parsed : new MalformedBody("JSON body must be an object")
  } catch {
    return new MalformedBody("Malformed JSON body")
  }
}

/**
 * Merges the query string and the body: query first, the body's values win.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromRequest = (
  search: URLSearchParams,
  body: string,
  contentType: string | undefined
): Params | MalformedBody => {
  const parsed = parseBody(body, contentType)
  return parsed instanceof MalformedBody ? parsed : merge(fromPairs(search), parsed)
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
  const out: Record<string, string> = {}
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
  return isObject(value) ? value : {}
}
