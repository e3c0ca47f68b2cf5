/**
 * Authy users of one application (authy-api.md §2.1, 2.5–2.8): creation
 * matched by phone, status, removal, activities, QR codes, and the devices
 * the control API registers.
 *
 * @since 0.1.0
 */
import { CreateUserResponse, QrCodeResponse, UserStatusResponse } from "../../Responses.js"
import * as Params from "../core/params.js"
import * as Random from "../core/random.js"
import { type AppState, type Device, phoneKey, type User } from "./State.js"
import * as Stats from "./stats.js"
import * as Totp from "../core/totp.js"
import * as Wire from "./wire.js"

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * The digits of a phone number written with optional dashes, dots, spaces or
 * parentheses, when it has a plausible length (7 to 15 digits, E.164's upper
 * bound); `undefined` otherwise.
 *
 * @since 0.1.0
 * @category phones
 */
export const phoneDigits = (value: string | undefined): string | undefined => {
  if (value === undefined || !/^[\d\s().-]+$/.test(value.trim())) return undefined
  const digits = value.replace(/\D/g, "")
  return digits.length >= 7 && digits.length <= 15 ? digits : undefined
}

/**
 * A calling code of 1 to 4 digits (an optional `+` is tolerated).
 *
 * @since 0.1.0
 * @category phones
 */
export const countryCode = (value: string | undefined): number | undefined =>
  value !== undefined && /^\+?[1-9]\d{0,3}$/.test(value.trim()) ? Number(value.trim().replace("+", "")) : undefined

/**
 * `+57-XXX-XXX-XX12`, as the SMS and call answers show the phone.
 *
 * @since 0.1.0
 * @category phones
 */
export const maskCellphone = (user: User): string => `+${user.countryCode}-XXX-XXX-XX${user.cellphone.slice(-2)}`

/**
 * `XXX-XXX-1118`, as the status shows the phone.
 *
 * @since 0.1.0
 * @category phones
 */
export const maskStatusPhone = (user: User): string => `XXX-XXX-${user.cellphone.slice(-4)}`

/**
 * The user of an id path segment; non-numeric segments find nobody.
 *
 * @since 0.1.0
 * @category lookups
 */
export const find = (app: AppState, id: string | undefined): User | undefined =>
  id !== undefined && /^\d{1,15}$/.test(id) ? app.users.get(Number(id)) : undefined

/**
 * `POST /protected/json/users/new`. The same phone gives the same id; the
 * e-mail of a known phone is not changed.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const create = (app: AppState, now: number, params: Params.Params): Wire.Reply => {
  const user = Params.object(params, "user")
  const email = Params.string(user, "email")?.trim()
  const cellphone = phoneDigits(Params.string(user, "cellphone"))
  const code = countryCode(Params.string(user, "country_code") ?? "1")
  const validEmail = email !== undefined && emailPattern.test(email) ? email : undefined
  if (validEmail === undefined || cellphone === undefined || code === undefined) {
    return Wire.userNotValid({
      ...(validEmail === undefined ? { email: "is invalid" } : {}),
      ...(cellphone === undefined || code === undefined ? { cellphone: "is invalid" } : {})
    })
  }
  const id = app.userIdsByPhone.get(phoneKey(code, cellphone)) ?? insert(app, now, { email: validEmail, cellphone, countryCode: code })
  return Wire.encoded(CreateUserResponse, new CreateUserResponse({ message: "User created successfully.", user: { id } }))
}

const insert = (
  app: AppState,
  now: number,
  input: { readonly email: string; readonly cellphone: string; readonly countryCode: number }
): number => {
  const id = app.nextUserId++
  app.users.set(id, {
    id,
    objectId: Random.objectId(),
    ...input,
    createdAt: now,
    confirmed: false,
    devices: [],
    tokens: []
  })
  app.userIdsByPhone.set(phoneKey(input.countryCode, input.cellphone), id)
  Stats.record(app, now, "users")
  return id
}

const seconds = (millis: number) => Math.floor(millis / 1000)

/**
 * `GET /protected/json/users/{authy_id}/status`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const status = (user: User): Wire.Reply =>
  Wire.encoded(
    UserStatusResponse,
    new UserStatusResponse({
      message: "User status.",
      status: {
        authyId: user.id,
        confirmed: user.confirmed,
        registered: user.devices.length > 0,
        countryCode: user.countryCode,
        phoneNumber: maskStatusPhone(user),
        devices: user.devices.map((d) => d.osType),
        hasHardToken: false,
        accountDisabled: false,
        detailedDevices: user.devices.map((d) => ({
          deviceType: "authy",
          osType: d.osType,
          registrationDeviceId: null,
          registrationMethod: null,
          deviceId: d.id,
          lastSyncDate: 0,
          creationDate: seconds(d.registeredAt)
        })),
        deletedDevices: []
      }
    })
  )

/**
 * `POST /protected/json/users/{authy_id}/remove` (and its two aliases). The
 * user's pending approval requests stay readable, as records do on Authy.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const remove = (app: AppState, user: User): Wire.Reply => {
  app.users.delete(user.id)
  app.userIdsByPhone.delete(phoneKey(user.countryCode, user.cellphone))
  return Wire.ok({ message: "User removed from application" })
}

const activityTypes = ["password_reset", "banned", "unbanned", "cookie_login"]

/**
 * `POST /protected/json/users/{authy_id}/register_activity`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const registerActivity = (params: Params.Params): Wire.Reply => {
  const type = Params.string(params, "type")
  if (type === undefined || !activityTypes.includes(type)) return Wire.missingParameter("type")
  return Wire.ok({ message: "Activity was created." })
}

/**
 * `POST /protected/json/users/{authy_id}/secret`. The QR image URL points at
 * the emulator (`baseUrl`); the label defaults to the user's e-mail.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const qrCode = (app: AppState, user: User, params: Params.Params, baseUrl: string): Wire.Reply => {
  const size = Params.integer(params, "qr_size") ?? 300
  if (!Number.isInteger(size) || size < 1 || size > 2000) return Wire.missingParameter("qr_size")
  const label = Params.string(params, "label") ?? user.email
  const url = `${baseUrl}/__emulator/qr/${user.id}.png?size=${size}`
  return Wire.encoded(QrCodeResponse, new QrCodeResponse({ qrCode: url, label, issuer: app.name }))
}

/**
 * Installs the Authy app for a user: a device with a fresh TOTP secret. From
 * then on the user is `registered`, SMS and calls are `ignored` unless forced,
 * and verification is enforced.
 *
 * @since 0.1.0
 * @category devices
 */
export const registerDevice = (app: AppState, now: number, user: User, osType: string): Device => {
  const device: Device = {
    id: app.nextDeviceId++,
    osType,
    secret: Totp.generateSecret(),
    registeredAt: now,
    usedCounters: new Set()
  }
  user.devices.push(device)
  return device
}
