/**
 * Phone verification and phone information (authy-api.md §2.11–2.13). A
 * verification code lives 10 minutes; asking again inside that window re-sends
 * the same code. Numbers are judged by carrier.ts: an invalid one is 60033,
 * an SMS to a landline 60082, and the type and provider come from the
 * number. Custom codes need the application's `custom_codes_enabled`; the
 * sandbox profile answers as `sandbox-api.authy.com` did (§2.20).
 *
 * @since 0.1.0
 */
import { PhoneInfoResponse, StartVerificationResponse } from "../../Responses.js"
import * as Params from "../core/params.js"
import * as Random from "../core/random.js"
import * as Carrier from "./carrier.js"
import { type AppState, phoneKey } from "./State.js"
import * as Settings from "./settings.js"
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
  if (countryCode === undefined || digits === undefined) return Carrier.invalidNumber
  return { countryCode, digits }
}

/** A phone and its line, as a carrier judges it: 60033 when the number is not a real one. */
const lineOf = (params: Params.Params): { readonly phone: Phone; readonly line: Carrier.Line } | Wire.Reply => {
  const phone = phoneOf(params)
  if (isReply(phone)) return phone
  const line = Carrier.judge(phone.countryCode, phone.digits)
  return line === undefined ? Carrier.invalidNumber : { phone, line }
}

const isReply = (u: object): u is Wire.Reply => "status" in u && "body" in u

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
  const judged = lineOf(params)
  if (isReply(judged)) return judged
  const { line, phone } = judged
  const via = Params.string(params, "via")?.toLowerCase()
  if (via !== "sms" && via !== "call") return Wire.missingParameter("via")
  const length = Params.integer(params, "code_length") ?? 4
  if (!Number.isInteger(length) || length < 4 || length > 10) return Wire.missingParameter("code_length")
  const custom = Params.string(params, "custom_code")
  if (custom !== undefined && !app.settings.customCodesEnabled) return Settings.refusals.customCode
  if (custom !== undefined && !/^\d{4,10}$/.test(custom)) return Wire.missingParameter("custom_code")
  if (via === "sms" && line.type === "landline") return Carrier.smsToLandline
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
  const message = via === "sms" ? `Text message sent to ${display(phone)}.` : `Call to ${display(phone)} initiated`
  if (app.settings.profile === "sandbox") return sandboxStarted(message)
  return Wire.encoded(
    StartVerificationResponse,
    new StartVerificationResponse({
      carrier: line.provider,
      isCellphone: line.type === "cellphone",
      message,
      secondsToExpire: Math.max(0, Math.ceil((verification.expiresAt - now) / 1000) - 1),
      uuid: verification.uuid
    })
  )
}

/**
 * The sandbox's answer (authy-api.md §2.20), written by hand: its `uuid` was
 * `null`, which the shared schema does not encode.
 */
const sandboxStarted = (message: string): Wire.Reply =>
  Wire.json(200, {
    carrier: "Google Voice",
    is_cellphone: false,
    message,
    seconds_to_expire: 0,
    uuid: null,
    success: true
  })

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
 * `GET /protected/json/phones/info`. The type and provider come from the
 * number (carrier.ts); numbers whose national part ends in `0000` fail the
 * lookup (500 60025), so clients can test that path. The sandbox profile
 * answers `landline` for every valid number, as the sandbox did.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const info = (app: AppState, now: number, params: Params.Params): Wire.Reply => {
  const judged = lineOf(params)
  if (isReply(judged)) return judged
  const { line } = judged
  if (line.lookupFails) {
    return Wire.error(500, "60025", "Server error while querying phone information. Please try again later")
  }
  const sandbox = app.settings.profile === "sandbox"
  return Wire.encoded(
    PhoneInfoResponse,
    new PhoneInfoResponse({
      message: `Phone number information as of ${utc(now)}`,
      ported: false,
      provider: sandbox ? "Google Voice" : line.provider,
      type: sandbox ? "landline" : line.type
    })
  )
}
