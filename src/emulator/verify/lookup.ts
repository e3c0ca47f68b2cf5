/**
 * Lookup v2 (verify-api.md §7): `GET /v2/PhoneNumbers/{PhoneNumber}` with
 * optional `Fields` and `CountryCode`. Validation and formatting come from
 * libphonenumber-js; `line_type_intelligence` is deterministic, from the
 * number's last four digits, so tests can reach every type:
 *
 * | ends in | type |
 * |---|---|
 * | 1111 | landline |
 * | 2222 | nonFixedVoip |
 * | 3333 | fixedVoip |
 * | 4444 | tollFree |
 * | anything else | mobile |
 *
 * An invalid number is 200 with `valid: false` and its `validation_errors`,
 * as on Twilio. Packages not requested (and those the emulator does not
 * model) come back `null`.
 *
 * @since 0.2.0
 */
import { parsePhoneNumberFromString, validatePhoneNumberLength } from "libphonenumber-js"
import type { Context } from "./request.js"
import * as Wire from "./wire.js"

const lineTypes: Readonly<Record<string, string>> = {
  "1111": "landline",
  "2222": "nonFixedVoip",
  "3333": "fixedVoip",
  "4444": "tollFree"
}

const lineTypeIntelligence = (digits: string) => {
  const type = lineTypes[digits.slice(-4)] ?? "mobile"
  const mobile = type === "mobile"
  return {
    mobile_country_code: mobile ? "310" : null,
    mobile_network_code: mobile ? "260" : null,
    carrier_name: mobile ? "Emulator Mobile" : type === "landline" ? "Emulator Landline" : "Emulator Voice",
    type,
    error_code: null
  }
}

const packages = [
  "caller_name",
  "sim_swap",
  "call_forwarding",
  "line_type_intelligence",
  "line_status",
  "identity_match",
  "reassigned_number",
  "sms_pumping_risk",
  "phone_number_quality_score",
  "pre_fill"
] as const

const validationError = (input: string, country: string | undefined): string => {
  const length = validatePhoneNumberLength(input, country as never)
  return length ?? "INVALID_BUT_POSSIBLE"
}

/**
 * `GET /v2/PhoneNumbers/{PhoneNumber}`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const fetch = ({ baseUrl, params, path }: Context) => {
  const input = (path.phone ?? "").trim()
  if (input === "" || input.length > 64) return Wire.notFound("/v2/PhoneNumbers")
  const countryCode = Wire.param(params, "CountryCode")?.toUpperCase()
  if (countryCode !== undefined && !/^[A-Z]{2}$/.test(countryCode)) return Wire.invalidParameter("CountryCode")
  const fields = (Wire.param(params, "Fields") ?? "").split(",").map((f) => f.trim()).filter((f) => f !== "")
  const parsed = /^\+?[\d\s().-]+$/.test(input) ? parsePhoneNumberFromString(input, countryCode as never) : undefined
  const valid = parsed?.isValid() ?? false
  const digits = parsed?.number.replace(/\D/g, "") ?? ""
  const requested = (name: string) => valid && fields.includes(name)
  return Wire.ok({
    calling_country_code: parsed?.countryCallingCode ?? null,
    country_code: parsed?.country ?? countryCode ?? null,
    phone_number: parsed?.number ?? input,
    national_format: parsed?.formatNational() ?? null,
    valid,
    validation_errors: valid ? [] : [/^\+?[\d\s().-]+$/.test(input) ? validationError(input, countryCode) : "NOT_A_NUMBER"],
    ...Object.fromEntries(packages.map((name) => [name, null])),
    line_type_intelligence: requested("line_type_intelligence") ? lineTypeIntelligence(digits) : null,
    url: `${baseUrl}/v2/PhoneNumbers/${encodeURIComponent(parsed?.number ?? input)}`
  })
}
