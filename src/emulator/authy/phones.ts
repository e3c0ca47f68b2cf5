/**
 * Phone verification and phone information (authy-api.md §2.11–2.13). A
 * verification code lives 10 minutes; asking again inside that window re-sends
 * the same code.
 *
 * @since 0.1.0
 */
import { PhoneInfoResponse, StartVerificationResponse } from "../../Responses.js"
import * as Params from "../core/params.js"
import * as Random from "../core/random.js"
import { type AppState, phoneKey } from "./State.js"
import * as Stats from "./stats.js"
import * as Users from "./users.js"
import * as Wire from "./wire.js"

/**
 * How long a phone verification code stays valid.
 *
 * @since 0.1.0
 * @category constants
 */
export const verificationLifetimeMillis = 10 * 60 * 1000

interface Phone {
  readonly countryCode: number
  readonly digits: string
}

/** Reads `phone_number` and `country_code`: 60004 when missing, 60033 when unusable. */
const phoneOf = (params: Params.Params): Phone | Wire.Reply => {
  const code = Params.string(params, "country_code")
  if (code === undefined || code.trim() === "") return Wire.missingParameter("country_code")
  const number = Params.string(params, "phone_number")
  if (number === undefined || number.trim() === "") return Wire.missingParameter("phone_number")
  const countryCode = Users.countryCode(code)
  const digits = Users.phoneDigits(number)
  if (countryCode === undefined || digits === undefined) return Wire.error(400, "60033", "Phone number is invalid")
  return { countryCode, digits }
}

const isReply = (u: Phone | Wire.Reply): u is Wire.Reply => "status" in u

/** `+1 775-461-5609`, as Authy writes a phone in its messages. */
const display = (phone: Phone): string => {
  const d = phone.digits
  const national = d.length === 10 ? `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}` : d
  return `+${phone.countryCode} ${national}`
}

/**
 * `POST /protected/json/phones/verification/start`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const start = (app: AppState, now: number, params: Params.Params): Wire.Reply => {
  const phone = phoneOf(params)
  if (isReply(phone)) return phone
  const via = Params.string(params, "via")?.toLowerCase()
  if (via !== "sms" && via !== "call") return Wire.missingParameter("via")
  const length = Params.integer(params, "code_length") ?? 4
  if (!Number.isInteger(length) || length < 4 || length > 10) return Wire.missingParameter("code_length")
  const custom = Params.string(params, "custom_code")
  if (custom !== undefined && !/^\d{4,10}$/.test(custom)) return Wire.missingParameter("custom_code")
  const key = phoneKey(phone.countryCode, phone.digits)
  const pending = app.verifications.get(key)
  const verification = pending !== undefined && now < pending.expiresAt
    ? pending
    : {
      uuid: Random.uuid(),
      countryCode: phone.countryCode,
      phoneNumber: phone.digits,
      code: custom ?? Random.digits(length),
      createdAt: now,
      expiresAt: now + verificationLifetimeMillis
    }
  app.verifications.set(key, verification)
  send(app, now, phone, via, verification.code)
  return Wire.encoded(
    StartVerificationResponse,
    new StartVerificationResponse({
      carrier: "Authy Emulator Mobile",
      isCellphone: true,
      message: via === "sms" ? `Text message sent to ${display(phone)}.` : `Call to ${display(phone)} initiated`,
      secondsToExpire: Math.max(0, Math.ceil((verification.expiresAt - now) / 1000) - 1),
      uuid: verification.uuid
    })
  )
}

const send = (app: AppState, now: number, phone: Phone, via: "sms" | "call", code: string): void => {
  app.messages.push({
    authyId: null,
    channel: "verification",
    via,
    code,
    to: `+${phone.countryCode}${phone.digits}`,
    countryCode: phone.countryCode,
    phoneNumber: phone.digits,
    sentAt: now
  })
  app.counters.messages.verification += 1
  Stats.record(app, now, via === "sms" ? "sms" : "calls")
}

/**
 * `GET /protected/json/phones/verification/check`. A correct code is used up.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const check = (app: AppState, now: number, params: Params.Params): Wire.Reply => {
  const phone = phoneOf(params)
  if (isReply(phone)) return phone
  const code = Params.string(params, "verification_code")
  if (code === undefined || code.trim() === "") return Wire.missingParameter("verification_code")
  const key = phoneKey(phone.countryCode, phone.digits)
  const pending = app.verifications.get(key)
  if (pending === undefined || now >= pending.expiresAt) {
    return Wire.error(404, "60023", `No pending verifications for ${display(phone)} found.`)
  }
  if (pending.code !== code.trim()) return Wire.error(401, "60022", "Verification code is incorrect")
  app.verifications.delete(key)
  return Wire.ok({ message: "Verification code is correct." })
}

const utc = (millis: number) => new Date(millis).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC")

/**
 * `GET /protected/json/phones/info`. Numbers whose last four digits are
 * `0000` fail the lookup (500 60025), so clients can test that path.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const info = (now: number, params: Params.Params): Wire.Reply => {
  const phone = phoneOf(params)
  if (isReply(phone)) return phone
  if (phone.digits.endsWith("0000")) {
    return Wire.error(500, "60025", "Server error while querying phone information. Please try again later")
  }
  return Wire.encoded(
    PhoneInfoResponse,
    new PhoneInfoResponse({
      message: `Phone number information as of ${utc(now)}`,
      ported: false,
      provider: "Authy Emulator Mobile",
      type: "cellphone"
    })
  )
}
