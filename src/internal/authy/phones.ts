/**
 * Phone verification and information (authy-api.md §2.11–2.13).
 *
 * @internal
 */
import { Effect } from "effect"
import type { PhoneInput, PhonesApi } from "../../Phones.js"
import { MessageResponse, PhoneInfoResponse, StartVerificationResponse } from "../../Responses.js"
import type { Executor } from "../core/http.js"
import { decoder } from "../core/decode.js"
import { traced } from "../core/span.js"
import * as Phone from "../core/phone.js"
import * as Validate from "../core/validate.js"

const decodeStart = decoder(StartVerificationResponse)
const decodeMessage = decoder(MessageResponse)
const decodeInfo = decoder(PhoneInfoResponse)

const phoneParams = (input: Partial<PhoneInput>) =>
  Effect.map(
    Phone.resolve(input.phoneNumber, input.countryCode, { number: "phoneNumber", countryCode: "countryCode" }),
    (phone) => ({ phone_number: phone.number, country_code: phone.countryCode })
  )

/** @internal */
export const make = (http: Executor): PhonesApi => ({
  startVerification: traced("Authy.phones.startVerification", Effect.fnUntraced(function*(input) {
    const checked = yield* Validate.options(
      input,
      ["phoneNumber", "countryCode", "via", "codeLength", "locale", "customMessage", "customCode"],
      "input"
    )
    const phone = yield* phoneParams(checked)
    const via = yield* Validate.oneOf(checked.via, "via", ["sms", "call"] as const)
    const codeLength = yield* Validate.optional(checked.codeLength, (v) => Validate.integer(v, "codeLength", 4, 10))
    const locale = yield* Validate.optional(checked.locale, (v) => Validate.text(v, "locale", 2, 16))
    const customMessage = yield* Validate.optional(checked.customMessage, (v) => Validate.text(v, "customMessage", 1, 1000))
    const customCode = yield* Validate.optional(checked.customCode, (v) => Validate.verificationCode(v, "customCode"))
    return yield* http.execute({
      method: "POST",
      path: "/protected/json/phones/verification/start",
      route: "/protected/json/phones/verification/start",
      safety: "side-effecting",
      params: {
        via,
        ...phone,
        code_length: codeLength,
        locale,
        custom_message: customMessage,
        custom_code: customCode
      },
      decode: decodeStart
    })
  })),

  checkVerification: traced("Authy.phones.checkVerification", Effect.fnUntraced(function*(input) {
    const checked = yield* Validate.options(input, ["phoneNumber", "countryCode", "verificationCode"], "input")
    const phone = yield* phoneParams(checked)
    const code = yield* Validate.verificationCode(checked.verificationCode)
    return yield* http.execute({
      method: "GET",
      path: "/protected/json/phones/verification/check",
      route: "/protected/json/phones/verification/check",
      safety: "side-effecting",
      params: { ...phone, verification_code: code },
      decode: decodeMessage
    })
  })),

  info: traced("Authy.phones.info", Effect.fnUntraced(function*(input) {
    const checked = yield* Validate.options(input, ["phoneNumber", "countryCode", "userIp"], "input")
    const phone = yield* phoneParams(checked)
    const userIp = yield* Validate.optional(checked.userIp, (v) => Validate.ipAddress(v))
    return yield* http.execute({
      method: "GET",
      path: "/protected/json/phones/info",
      route: "/protected/json/phones/info",
      safety: "read-only",
      params: { ...phone, user_ip: userIp },
      decode: decodeInfo
    })
  }))
})
