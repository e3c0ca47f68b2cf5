/**
 * The user endpoints (authy-api.md §2.1–2.8, §2.17–2.19).
 *
 * @internal
 */
import { Effect } from "effect"
import {
  CreateUserResponse,
  EmailTokenResponse,
  MessageResponse,
  QrCodeResponse,
  RegistrationStatusResponse,
  TokenRequestResponse,
  UserStatusResponse
} from "../../Responses.js"
import type { AuthyId, TokenRequestOptions, UsersApi } from "../../Users.js"
import type { Executor } from "../core/http.js"
import { decoder } from "../core/decode.js"
import { annotate, traced } from "../core/span.js"
import * as Phone from "../core/phone.js"
import * as Validate from "../core/validate.js"

/**
 * The activity types Authy knows. Defined here, where the check uses them, so
 * that this builder depends on the public module for types only.
 *
 * @internal
 */
export const activityTypes = ["password_reset", "banned", "unbanned", "cookie_login"] as const

const decodeCreate = decoder(CreateUserResponse)
const decodeStatus = decoder(UserStatusResponse)
const decodeMessage = decoder(MessageResponse)
const decodeTokenRequest = decoder(TokenRequestResponse)
const decodeQrCode = decoder(QrCodeResponse)
const decodeEmailToken = decoder(EmailTokenResponse)
const decodeRegistrationStatus = decoder(RegistrationStatusResponse)

/**
 * The longest `custom_user_id` sent. Authy documents none; the mobile SDK's
 * ids are short, and the emulator refuses longer ones.
 */
const maxCustomUserIdLength = 255

/** Validates an id and records it on the endpoint span. */
const userPath = (authyId: AuthyId) =>
  Effect.tap(Validate.authyId(authyId), (id) => annotate({ "authy.authy_id": id })).pipe(
    Effect.map(encodeURIComponent)
  )

/**
 * Bounds of an activity's `data`. Authy documents none: these keep a call to
 * a sane size (no megabyte sent by mistake) and leave room for real records.
 */
const activityDataLimits: Validate.MapLimits = { maxEntries: 50, maxKeyLength: 255, maxValueLength: 1000 }

const tokenRequestParams = (options: TokenRequestOptions | undefined) =>
  Effect.flatMap(Validate.options(options, ["force", "action", "actionMessage", "locale"]), (o) =>
    Effect.all({
      force: Validate.optional(o.force, (v) => Validate.boolean(v, "force")),
      action: Validate.optional(o.action, (v) => Validate.text(v, "action", 1, 255)),
      action_message: Validate.optional(o.actionMessage, (v) => Validate.text(v, "actionMessage", 1, 255)),
      locale: Validate.optional(o.locale, (v) => Validate.text(v, "locale", 2, 16))
    }))

/** @internal */
export const make = (http: Executor): UsersApi => ({
  create: traced("Authy.users.create", Effect.fnUntraced(function*(input) {
    const checked = yield* Validate.options(input, ["email", "cellphone", "countryCode", "sendInstallLinkViaSms"], "input")
    const email = yield* Validate.email(checked.email)
    const phone = yield* Phone.resolve(checked.cellphone, checked.countryCode, {
      number: "cellphone",
      countryCode: "countryCode"
    }, 1)
    const sendInstallLink = yield* Validate.optional(
      checked.sendInstallLinkViaSms,
      (v) => Validate.boolean(v, "sendInstallLinkViaSms")
    )
    return yield* http.execute({
      method: "POST",
      path: "/protected/json/users/new",
      route: "/protected/json/users/new",
      safety: "idempotent",
      params: {
        user: { email, cellphone: phone.number, country_code: phone.countryCode },
        send_install_link_via_sms: sendInstallLink
      },
      decode: decodeCreate
    })
  })),

  status: traced("Authy.users.status", Effect.fnUntraced(function*(authyId, options) {
    const id = yield* userPath(authyId)
    const ip = yield* Validate.userIpOption(options)
    return yield* http.execute({
      method: "GET",
      path: `/protected/json/users/${id}/status`,
      route: "/protected/json/users/{authy_id}/status",
      safety: "read-only",
      params: { user_ip: ip },
      decode: decodeStatus
    })
  })),

  remove: traced("Authy.users.remove", Effect.fnUntraced(function*(authyId, options) {
    const id = yield* userPath(authyId)
    const ip = yield* Validate.userIpOption(options)
    return yield* http.execute({
      method: "POST",
      path: `/protected/json/users/${id}/remove`,
      route: "/protected/json/users/{authy_id}/remove",
      safety: "side-effecting",
      params: { user_ip: ip },
      decode: decodeMessage
    })
  })),

  requestSms: traced("Authy.users.requestSms", Effect.fnUntraced(function*(authyId, options) {
    const id = yield* userPath(authyId)
    const params = yield* tokenRequestParams(options)
    return yield* http.execute({
      method: "GET",
      path: `/protected/json/sms/${id}`,
      route: "/protected/json/sms/{authy_id}",
      safety: "side-effecting",
      params,
      decode: decodeTokenRequest
    })
  })),

  requestCall: traced("Authy.users.requestCall", Effect.fnUntraced(function*(authyId, options) {
    const id = yield* userPath(authyId)
    const params = yield* tokenRequestParams(options)
    return yield* http.execute({
      method: "GET",
      path: `/protected/json/call/${id}`,
      route: "/protected/json/call/{authy_id}",
      safety: "side-effecting",
      params,
      decode: decodeTokenRequest
    })
  })),

  registerActivity: traced("Authy.users.registerActivity", Effect.fnUntraced(function*(authyId, input) {
    const id = yield* userPath(authyId)
    const checked = yield* Validate.options(input, ["type", "data", "userIp"], "input")
    const type = yield* Validate.oneOf(checked.type, "type", activityTypes)
    const data = yield* Validate.optional(checked.data, (v) => Validate.stringMap(v, "data", activityDataLimits))
    const ip = yield* Validate.optional(checked.userIp, (v) => Validate.ipAddress(v))
    return yield* http.execute({
      method: "POST",
      path: `/protected/json/users/${id}/register_activity`,
      route: "/protected/json/users/{authy_id}/register_activity",
      safety: "side-effecting",
      params: { type, data, user_ip: ip },
      decode: decodeMessage
    })
  })),

  generateQrCode: traced("Authy.users.generateQrCode", Effect.fnUntraced(function*(authyId, options) {
    const id = yield* userPath(authyId)
    const checked = yield* Validate.options(options, ["qrSize", "label"])
    const qrSize = yield* Validate.optional(checked.qrSize, (v) => Validate.integer(v, "qrSize", 50, 2000))
    const label = yield* Validate.optional(checked.label, (v) => Validate.text(v, "label", 1, 255))
    return yield* http.execute({
      method: "POST",
      path: `/protected/json/users/${id}/secret`,
      route: "/protected/json/users/{authy_id}/secret",
      safety: "side-effecting",
      params: { qr_size: qrSize, label },
      decode: decodeQrCode
    })
  })),

  // Setting the e-mail to the same address twice leaves the user as once: a
  // retry after a lost answer does no harm, as with `create`.
  update: traced("Authy.users.update", Effect.fnUntraced(function*(authyId, input) {
    const id = yield* userPath(authyId)
    const checked = yield* Validate.options(input, ["email"], "input")
    const email = yield* Validate.email(checked.email)
    return yield* http.execute({
      method: "POST",
      path: `/protected/json/users/${id}/update`,
      route: "/protected/json/users/{authy_id}/update",
      safety: "idempotent",
      params: { email },
      decode: decodeMessage
    })
  })),

  requestEmail: traced("Authy.users.requestEmail", Effect.fnUntraced(function*(authyId) {
    const id = yield* userPath(authyId)
    return yield* http.execute({
      method: "POST",
      path: `/protected/json/email/${id}`,
      route: "/protected/json/email/{authy_id}",
      safety: "side-effecting",
      decode: decodeEmailToken
    })
  })),

  registrationStatus: traced("Authy.users.registrationStatus", Effect.fnUntraced(function*(customUserId) {
    const custom = yield* Validate.text(customUserId, "customUserId", 1, maxCustomUserIdLength)
    return yield* http.execute({
      method: "GET",
      path: "/protected/json/registrations/status",
      route: "/protected/json/registrations/status",
      safety: "read-only",
      params: { custom_user_id: custom },
      decode: decodeRegistrationStatus
    })
  }))
})
