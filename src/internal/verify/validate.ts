/**
 * Input checks of Twilio's identifiers and codes, on top of the core's
 * (`../core/validate.ts`). Each returns the value as the wire wants it, or
 * fails with a `ValidationError` naming the field; secret values (codes,
 * numbers, seeds) never appear in a message.
 *
 * @internal
 */
import { Effect } from "effect"
import { ValidationError } from "../../AuthyError.js"
import * as Phone from "../core/phone.js"
import * as Validate from "../core/validate.js"

export * from "../core/validate.js"

type Check<A> = Effect.Effect<A, ValidationError>

const refuse = (field: string, message: string): Check<never> => Effect.fail(new ValidationError({ field, message }))

/** A SID: its two-letter prefix and 32 hex digits (`VA0123…`). */
export const sid = (value: unknown, prefix: string, field: string): Check<string> =>
  typeof value === "string" && value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2))
    ? Effect.succeed(value)
    : refuse(field, `${field} must be a ${prefix} SID (${prefix} and 32 hex digits)`)

/** An entity's identity: 8 to 64 characters, dash-separated letters and digits (your user id, not PII). */
export const identity = (value: unknown, field = "identity"): Check<string> =>
  typeof value === "string" && value.length >= 8 && value.length <= 64 && /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/.test(value)
    ? Effect.succeed(value)
    : refuse(field, `${field} must be 8 to 64 letters and digits, dash-separated`)

/** A verification code: 4 to 10 digits. */
export const code = (value: unknown, field = "code"): Check<string> =>
  typeof value === "string" && /^\d{4,10}$/.test(value) ? Effect.succeed(value) : refuse(field, `${field} must be 4 to 10 digits`)

/** A TOTP code: 3 to 8 digits. */
export const totpCode = (value: unknown, field = "code"): Check<string> =>
  typeof value === "string" && /^\d{3,8}$/.test(value) ? Effect.succeed(value) : refuse(field, `${field} must be 3 to 8 digits`)

/** A base32 seed (RFC 4648 alphabet, padding and case tolerated), sent upper-case without padding. */
export const base32 = (value: unknown, field = "secret"): Check<string> => {
  if (typeof value === "string") {
    const normalised = value.replace(/=+$/, "").toUpperCase()
    if (/^[A-Z2-7]{16,128}$/.test(normalised)) return Effect.succeed(normalised)
  }
  return refuse(field, `${field} must be a base32 seed of 16 to 128 characters`)
}

/** `to`: E.164 for a phone channel, an e-mail address for `email`. */
export const recipient = (value: unknown, channel: string | undefined, field = "to"): Check<string> =>
  channel === "email" ? Validate.email(value, field) : Phone.e164(value, field)

/** A recipient whose channel is unknown (a check by `to`): an e-mail address or E.164. */
export const anyRecipient = (value: unknown, field = "to"): Check<string> =>
  typeof value === "string" && value.includes("@") ? Validate.email(value, field) : Phone.e164(value, field)

/** A map of string values, sent as one JSON string (`HiddenDetails`, `Metadata`) of at most 1024 characters. */
export const jsonStringMap = (value: unknown, field: string): Check<string> =>
  Effect.flatMap(
    Validate.stringMap(value, field, { maxEntries: 100, maxKeyLength: 256, maxValueLength: 1024 }),
    (map) => {
      const json = JSON.stringify(map)
      return json.length <= 1024 ? Effect.succeed(json) : refuse(field, `${field} must be at most 1024 characters as JSON`)
    }
  )

/** A page size: 1 to 1000. */
export const pageSize = (value: unknown): Check<number | undefined> =>
  Validate.optional(value, (v) => Validate.integer(v, "pageSize", 1, 1000))
