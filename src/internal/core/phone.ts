/**
 * Phone input: either a national number with a calling code, or one number in
 * E.164 (`+57 305 342 5699`), split with libphonenumber-js rather than
 * hand-kept tables of calling codes.
 *
 * @internal
 */
import { Effect } from "effect"
import { parsePhoneNumberFromString } from "libphonenumber-js/min"
import { ValidationError } from "../../AuthyError.js"
import * as Validate from "./validate.js"

/** @internal */
export interface Phone {
  readonly countryCode: number
  readonly number: string
}

/** @internal */
export interface PhoneFields {
  readonly number: string
  readonly countryCode: string
}

/**
 * Only the ASCII space is a separator (or padding) here: a newline, a tab or a
 * no-break space is refused rather than sent.
 */
const isE164 = (value: unknown): value is string => typeof value === "string" && value.replace(/^ +/, "").startsWith("+")

/**
 * Resolves a phone number and an optional calling code. A number starting
 * with `+` is parsed as E.164; a calling code given beside it must agree.
 * Otherwise the calling code is required, unless `defaultCountryCode` is given.
 *
 * @internal
 */
export const resolve = (
  number: unknown,
  countryCode: unknown,
  fields: PhoneFields,
  defaultCountryCode?: number
): Effect.Effect<Phone, ValidationError> => {
  if (isE164(number)) return fromE164(number, countryCode, fields)
  const code = countryCode === undefined && defaultCountryCode !== undefined ? defaultCountryCode : countryCode
  if (code === undefined) {
    // A malformed number (`"\t+1 775…"`) is named first: it is what to fix.
    return Effect.zipRight(
      Validate.nationalNumber(number, fields.number),
      Effect.fail(
        new ValidationError({
          field: fields.countryCode,
          message: `${fields.countryCode} is required unless ${fields.number} is in E.164 form (+<code> <number>)`
        })
      )
    )
  }
  return Effect.zipWith(
    Validate.nationalNumber(number, fields.number),
    Validate.countryCode(code, fields.countryCode),
    (national, cc) => ({ countryCode: cc, number: national })
  )
}

const fromE164 = (number: string, countryCode: unknown, fields: PhoneFields): Effect.Effect<Phone, ValidationError> => {
  const parsed = /^ *\+[\d ().-]+$/.test(number) ? parsePhoneNumberFromString(number.trim()) : undefined
  if (parsed === undefined || !parsed.isPossible()) {
    return Effect.fail(new ValidationError({ field: fields.number, message: `${fields.number} is not a valid E.164 number` }))
  }
  const parsedCode = Number(parsed.countryCallingCode)
  if (countryCode === undefined) return Effect.succeed({ countryCode: parsedCode, number: parsed.nationalNumber })
  return Effect.flatMap(Validate.countryCode(countryCode, fields.countryCode), (given) =>
    given === parsedCode
      ? Effect.succeed({ countryCode: parsedCode, number: parsed.nationalNumber })
      : Effect.fail(
        new ValidationError({
          field: fields.countryCode,
          message: `${fields.countryCode} does not match the calling code of ${fields.number}`
        })
      ))
}

/**
 * A number in E.164, normalised (`+1 (501) 712-2661` → `+15017122661`), as
 * Twilio's `To` wants it. The number itself never appears in the message.
 *
 * @internal
 */
export const e164 = (value: unknown, field: string): Effect.Effect<string, ValidationError> => {
  const parsed = typeof value === "string" && /^ *\+[\d ().-]+$/.test(value)
    ? parsePhoneNumberFromString(value.trim())
    : undefined
  return parsed !== undefined && parsed.isPossible()
    ? Effect.succeed(parsed.number)
    : Effect.fail(new ValidationError({ field, message: `${field} must be a phone number in E.164 form (+<code> <number>)` }))
}
