/**
 * Phone numbers judged as a carrier would (authy-api.md §2.1, §2.11, §2.13,
 * §2.21): with libphonenumber-js and its full metadata (`/max`, which knows
 * number types), a number is valid or not, and a valid one is a cellphone, a
 * landline or a VoIP line. Numbers whose national part ends in a reserved
 * group of four digits give a chosen answer on purpose, so tests can reach
 * every branch:
 *
 * | national number ends in | answer |
 * |---|---|
 * | `0000` | `phones/info`: 500 60025 (lookup failure) |
 * | `1111` | a landline: `phones/info` `landline`, SMS refused with 60082 |
 * | `2222` | a VoIP line: `phones/info` `voip` |
 *
 * Anything else keeps its real type; a number libphonenumber-js calls
 * invalid (`+1 111-111-1111`) is 400 60033 where Authy judges numbers.
 * Where the metadata cannot tell mobile from fixed line (the NANP's
 * `FIXED_LINE_OR_MOBILE`), the number is a cellphone, as most are.
 *
 * @since 0.3.0
 */
import { type NumberType, parsePhoneNumberFromString } from "libphonenumber-js/max"
import * as Wire from "./wire.js"

/**
 * What `phones/info` calls a line.
 *
 * @since 0.3.0
 * @category models
 */
export type LineType = "cellphone" | "landline" | "voip"

/**
 * A number a carrier would route.
 *
 * @since 0.3.0
 * @category models
 */
export interface Line {
  readonly type: LineType
  /** A plausible operator name (the emulator's own, never a real carrier's). */
  readonly provider: string
  /** The national number ends in `0000`: `phones/info` fails on purpose. */
  readonly lookupFails: boolean
}

/**
 * The reserved endings of the national number.
 *
 * @since 0.3.0
 * @category constants
 */
export const reserved = { lookupFailure: "0000", landline: "1111", voip: "2222" } as const

const providers: Readonly<Record<LineType, string>> = {
  cellphone: "Authy Emulator Mobile",
  landline: "Authy Emulator Landline",
  voip: "Authy Emulator VoIP"
}

const typeOf = (type: NumberType): LineType => {
  switch (type) {
    case "FIXED_LINE":
    case "TOLL_FREE":
    case "SHARED_COST":
    case "PREMIUM_RATE":
    case "UAN":
      return "landline"
    case "VOIP":
    case "PERSONAL_NUMBER":
      return "voip"
    default:
      return "cellphone"
  }
}

/**
 * The line of a calling code and its national digits, or `undefined` when
 * the number is not a valid one.
 *
 * @since 0.3.0
 * @category judging
 */
export const judge = (countryCode: number, digits: string): Line | undefined => {
  const key = `${countryCode} ${digits}`
  const known = judged.get(key)
  if (known !== undefined) return known === invalid ? undefined : known
  if (judged.size >= maxJudged) judged.clear()
  const line = judgeAnew(countryCode, digits)
  judged.set(key, line ?? invalid)
  return line
}

/**
 * Judgements already made, by calling code and digits: parsing with the full
 * metadata costs more than the rest of a request, and a test suite sends the
 * same few numbers again and again. A judgement depends on the number alone,
 * so it never goes stale; the map is emptied when full, which bounds it
 * whatever numbers a client sends.
 */
const judged = new Map<string, Line | typeof invalid>()
const invalid = "invalid"
const maxJudged = 10_000

const judgeAnew = (countryCode: number, digits: string): Line | undefined => {
  const parsed = parsePhoneNumberFromString(digits, { defaultCallingCode: String(countryCode) })
  if (parsed === undefined || !parsed.isValid()) return undefined
  const national = parsed.nationalNumber
  const type: LineType = national.endsWith(reserved.landline)
    ? "landline"
    : national.endsWith(reserved.voip)
    ? "voip"
    : typeOf(parsed.getType())
  return { type, provider: providers[type], lookupFails: national.endsWith(reserved.lookupFailure) }
}

/**
 * 400 60033.
 *
 * @since 0.3.0
 * @category errors
 */
export const invalidNumber: Wire.Reply = Wire.error(400, "60033", "Phone number is invalid")

/**
 * 60082 CANNOT_SEND_SMS_TO_LANDLINE (status and message not recorded: 400,
 * as for the other refusals of a number).
 *
 * @since 0.3.0
 * @category errors
 */
export const smsToLandline: Wire.Reply = Wire.error(400, "60082", "Cannot send SMS to landline")
