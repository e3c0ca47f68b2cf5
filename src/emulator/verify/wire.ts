/**
 * Twilio's answers as the emulator writes them (verify-api.md §1): JSON
 * resources with snake_case fields and ISO-8601 times, the four-field error
 * body, 201 on create, 204 with no body on delete, and list pages with
 * `meta`.
 *
 * @since 0.2.0
 */
import { randomBytes } from "node:crypto"
import { type Dialect, json, type Reply } from "../core/dialect.js"
import * as Params from "../core/params.js"

/**
 * Twilio's error body: `{"code":60200,"message":"…","more_info":"https://www.twilio.com/docs/errors/60200","status":400}`.
 *
 * @since 0.2.0
 * @category errors
 */
export const error = (status: number, code: number, message: string): Reply =>
  json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status })

/**
 * 400 60200: a parameter is missing or unusable, named in the message.
 *
 * @since 0.2.0
 * @category errors
 */
export const invalidParameter = (name: string, reason?: string): Reply =>
  error(400, 60200, reason === undefined ? `Invalid parameter: ${name}` : `Invalid parameter: ${name}: ${reason}`)

/**
 * 404 20404.
 *
 * @since 0.2.0
 * @category errors
 */
export const notFound = (what: string): Reply =>
  error(404, 20404, `The requested resource ${what} was not found`)

/**
 * 401 20003.
 *
 * @since 0.2.0
 * @category errors
 */
export const unauthorized: Reply = error(401, 20003, "Authenticate")

/**
 * A Twilio code of a transport-level status: `20000 + status` (20404,
 * 20429, 20500, 20503 are Twilio's own), used where no specific code fits.
 */
const genericCode = (status: number) => 20000 + status

/**
 * Twilio's answers as the core writes them: the server's own errors, the
 * faults and the control API of accounts. An error code given as text is
 * used when it is a number.
 *
 * @since 0.2.0
 * @category dialect
 */
export const dialect: Dialect = {
  name: "twilio",
  ok: (body) => json(200, body),
  error: (status, code, message) =>
    error(status, code !== undefined && /^\d{1,9}$/.test(code) ? Number(code) : genericCode(status), message),
  invalidParameter: (name, reason) => invalidParameter(name, reason),
  missingParameter: (name) => invalidParameter(name, "required"),
  badRequest: (reason) => error(400, 60200, `Invalid request: ${reason}`),
  tooLarge: (reason) => error(413, genericCode(413), `Invalid request: ${reason}`),
  unauthorized,
  notFound: (method, path) => error(404, 20404, `The requested resource ${method} ${path} was not found`),
  rateLimited: error(429, 20429, "Too Many Requests")
}

/**
 * 200 with a resource.
 *
 * @since 0.2.0
 * @category constructors
 */
export const ok = (body: unknown): Reply => json(200, body)

/**
 * 201 with the resource created.
 *
 * @since 0.2.0
 * @category constructors
 */
export const created = (body: unknown): Reply => json(201, body)

/**
 * 204, no body.
 *
 * @since 0.2.0
 * @category constructors
 */
export const deleted: Reply = { status: 204, body: "" }

/**
 * A time as Twilio prints it: `2015-07-30T20:00:00Z`.
 *
 * @since 0.2.0
 * @category encoding
 */
export const iso = (millis: number): string => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

/**
 * A fresh SID: the two-letter prefix and 32 hex digits.
 *
 * @since 0.2.0
 * @category constructors
 */
export const sid = (prefix: string): string => `${prefix}${randomBytes(16).toString("hex")}`

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

/**
 * A single-valued form parameter (the last, when repeated); `undefined` when absent.
 *
 * @since 0.2.0
 * @category parameters
 */
export const param = (params: Params.Params, key: string): string | undefined => {
  const value = params[key]
  if (typeof value === "string") return value
  if (Array.isArray(value)) {
    const last = value[value.length - 1]
    return typeof last === "string" ? last : undefined
  }
  return undefined
}

/**
 * A repeated form parameter (`EventTypes`, `Details.Fields`), in order.
 *
 * @since 0.2.0
 * @category parameters
 */
export const params = (all: Params.Params, key: string): ReadonlyArray<string> => {
  const value = all[key]
  if (typeof value === "string") return [value]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []
}

/**
 * A parameter refused, with the 400 to answer. A class, so that it is never
 * mistaken for a parsed value.
 *
 * @since 0.2.0
 * @category parameters
 */
export class Refusal {
  constructor(readonly reply: Reply) {}
}

/**
 * An integer parameter within bounds: the fallback when absent, the 400
 * to answer when not an integer in `[min, max]`.
 *
 * @since 0.2.0
 * @category parameters
 */
export const integer = (
  all: Params.Params,
  key: string,
  min: number,
  max: number,
  fallback: number
): number | Refusal => {
  const text = param(all, key)
  if (text === undefined || text === "") return fallback
  if (!/^-?\d{1,9}$/.test(text.trim())) return new Refusal(invalidParameter(key))
  const value = Number(text.trim())
  return value >= min && value <= max ? value : new Refusal(invalidParameter(key, `must be ${min} to ${max}`))
}

/**
 * A boolean parameter (`true`/`false`); the fallback when absent, the 400
 * to answer otherwise.
 *
 * @since 0.2.0
 * @category parameters
 */
export const boolean = (all: Params.Params, key: string, fallback: boolean): boolean | Refusal => {
  const text = param(all, key)?.trim().toLowerCase()
  if (text === undefined || text === "") return fallback
  if (text === "true") return true
  if (text === "false") return false
  return new Refusal(invalidParameter(key))
}

/**
 * A text parameter of at most `max` characters; the 400 to answer when longer.
 *
 * @since 0.2.0
 * @category parameters
 */
export const text = (all: Params.Params, key: string, max: number): string | undefined | Refusal => {
  const value = param(all, key)
  if (value === undefined) return undefined
  return value.length <= max ? value : new Refusal(invalidParameter(key, `must be at most ${max} characters`))
}

/**
 * A JSON-object parameter whose values are strings (`HiddenDetails`,
 * `Metadata`): at most `max` characters, parsed into a prototype-free object.
 *
 * @since 0.2.0
 * @category parameters
 */
export const stringObject = (
  all: Params.Params,
  key: string,
  max: number
): Readonly<Record<string, string>> | undefined | Refusal => {
  const value = param(all, key)
  if (value === undefined || value === "") return undefined
  if (value.length > max) return new Refusal(invalidParameter(key, `must be at most ${max} characters`))
  const parsed = parseObject(value)
  if (parsed === undefined || Object.values(parsed).some((v) => typeof v !== "string")) {
    return new Refusal(invalidParameter(key, "must be a JSON object of strings"))
  }
  return parsed as Record<string, string>
}

/**
 * A JSON object, copied into a prototype-free one (forbidden names
 * dropped), or `undefined` when the text is not a flat JSON object.
 *
 * @since 0.2.0
 * @category parameters
 */
export const parseObject = (text: string): Record<string, unknown> | undefined => {
  const parsed = Params.parseBody(text, "application/json")
  if (parsed instanceof Params.MalformedBody) return undefined
  return parsed
}

/**
 * Whether a value is a refusal rather than a parsed parameter.
 *
 * @since 0.2.0
 * @category parameters
 */
export const isRefusal = (u: unknown): u is Refusal => u instanceof Refusal

// ---------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------

/**
 * A page of a list: `PageSize` (1–1000, default 50) items from the offset
 * `PageToken` names (`PT<offset>`, issued in `next_page_url`), else from
 * `Page × PageSize`; `meta` with absolute URLs on the emulator.
 *
 * @since 0.2.0
 * @category paging
 */
export const page = <A>(
  all: Params.Params,
  items: ReadonlyArray<A>,
  key: string,
  listUrl: string,
  encode: (item: A) => unknown,
  filters: ReadonlyArray<readonly [string, string]> = []
): Reply => {
  const size = integer(all, "PageSize", 1, 1000, 50)
  if (isRefusal(size)) return size.reply
  const number = integer(all, "Page", 0, 1_000_000, 0)
  if (isRefusal(number)) return number.reply
  const token = param(all, "PageToken")
  const offset = token === undefined ? number * size : tokenOffset(token)
  if (offset === undefined) return invalidParameter("PageToken")
  const slice = items.slice(offset, offset + size)
  const query = (pageNumber: number, from: number | undefined) => {
    const search = new URLSearchParams(filters.map(([k, v]): [string, string] => [k, v]))
    search.set("PageSize", String(size))
    search.set("Page", String(pageNumber))
    if (from !== undefined) search.set("PageToken", `PT${from}`)
    return `${listUrl}?${search.toString()}`
  }
  const pageNumber = Math.floor(offset / size)
  return ok({
    [key]: slice.map(encode),
    meta: {
      page: pageNumber,
      page_size: size,
      first_page_url: query(0, undefined),
      previous_page_url: offset === 0 ? null : query(Math.max(0, pageNumber - 1), Math.max(0, offset - size)),
      url: query(pageNumber, token === undefined ? undefined : offset),
      next_page_url: offset + size < items.length ? query(pageNumber + 1, offset + size) : null,
      key
    }
  })
}

const tokenOffset = (token: string): number | undefined => {
  const match = /^PT(\d{1,9})$/.exec(token)
  return match === null ? undefined : Number(match[1])
}
