/**
 * Generic-authenticator QR codes (authy-api.md §2.8): `users/{id}/secret`
 * gives the user a generic TOTP device (6 digits, 30 seconds, SHA-1: what
 * Google Authenticator and its kind read) and answers the URL of a real QR
 * image of its `otpauth://` URI. The image URL carries an unguessable
 * decimal token instead of the key — image URLs are fetched by browsers and
 * `<img>` tags, which send no key — and the token reaches one user's device
 * in one application only.
 *
 * @since 0.3.0
 */
import { QrCodeResponse } from "../../Responses.js"
import * as Params from "../core/params.js"
import * as Qr from "../core/qr.js"
import * as Random from "../core/random.js"
import * as Totp from "../core/totp.js"
import * as Settings from "./settings.js"
import type { AppState, Device, User } from "./State.js"
import * as Users from "./users.js"
import * as Wire from "./wire.js"

/**
 * The `os_type` of a generic authenticator's device.
 *
 * @since 0.3.0
 * @category constants
 */
export const genericOsType = "authenticator"

/**
 * The length of a generic authenticator's codes.
 *
 * @since 0.3.0
 * @category constants
 */
export const genericDigits = 6

/** How many image tokens an application keeps; the oldest go first. */
const maxTokens = 1000

/** The user's generic device, created on first request and reused after. */
const genericDevice = (app: AppState, now: number, user: User): Device =>
  user.devices.find((d) => d.osType === genericOsType) ??
    Users.registerDevice(app, now, user, genericOsType, genericDigits)

/**
 * The `otpauth://` URI of a generic device: the application's name as
 * issuer, the label (default the user's e-mail) as account name.
 *
 * @since 0.3.0
 * @category encoding
 */
export const uri = (app: AppState, device: Device, label: string): string =>
  Totp.otpauthUri(app.settings.name, label, device.secret, { ...Totp.authyConfig, digits: device.digits })

/**
 * `POST /protected/json/users/{authy_id}/secret`: 60123 without generic
 * tokens; else the image URL (`/__emulator/qr/{token}.png?size=…`, on the
 * emulator's own address), the label and the issuer.
 *
 * @since 0.3.0
 * @category endpoints
 */
export const secret = (app: AppState, now: number, user: User, params: Params.Params, baseUrl: string): Wire.Reply => {
  if (!app.settings.genericTokensEnabled) return Settings.refusals.genericTokens
  const size = Params.integer(params, "qr_size") ?? Qr.sizes.default
  if (!Number.isInteger(size) || size < Qr.sizes.min || size > Qr.sizes.max) return Wire.missingParameter("qr_size")
  const label = Params.string(params, "label") ?? user.email
  if (label.length > 255) return Wire.dialect.invalidParameter("label", "is too long")
  const device = genericDevice(app, now, user)
  const token = Random.digits(24)
  if (app.qrCodes.size >= maxTokens) app.qrCodes.delete(app.qrCodes.keys().next().value!)
  app.qrCodes.set(token, { authyId: user.id, deviceId: device.id, label })
  const url = `${baseUrl}/__emulator/qr/${token}.png?size=${size}`
  return Wire.encoded(QrCodeResponse, new QrCodeResponse({ qrCode: url, label, issuer: app.settings.name }))
}

/**
 * The `otpauth://` URI an image token stands for, if it is one of this
 * application's and its device still exists.
 *
 * @since 0.3.0
 * @category lookups
 */
export const uriOf = (app: AppState, token: string): string | undefined => {
  const entry = app.qrCodes.get(token)
  const device = entry === undefined ? undefined : app.users.get(entry.authyId)?.devices.find((d) => d.id === entry.deviceId)
  return entry === undefined || device === undefined ? undefined : uri(app, device, entry.label)
}
