/**
 * Authy users of one application (authy-api.md §2.1, 2.5–2.7, 2.17, 2.19):
 * creation matched by phone, e-mail updates, status, removal, activities,
 * registration status by `custom_user_id`, and the devices the control API
 * registers.
 *
 * @since 0.1.0
 */
import { CreateUserResponse, UserStatusResponse } from "../../Responses.js"
import * as Params from "../core/params.js"
import * as Random from "../core/random.js"
import * as Carrier from "./carrier.js"
import { type AppState, type Device, phoneKey, type User } from "./State.js"
import * as Stats from "./stats.js"
import * as Totp from "../core/totp.js"
import * as Wire from "./wire.js"

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** The longest e-mail address accepted (RFC 5321's path limit). */
const maxEmailLength = 254

/**
 * A usable e-mail address, trimmed, or `undefined`.
 *
 * @since 0.3.0
 * @category e-mail
 */
export const validEmail = (value: string | undefined): string | undefined => {
  const email = value?.trim()
  return email !== undefined && email.length <= maxEmailLength && emailPattern.test(email) ? email : undefined
}

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
 * e-mail of a known phone is not changed. A malformed e-mail or phone (not
 * 7–15 digits) is 60027 with the field named, as authy-api.md §2.1 records; a
 * well-formed number that no carrier serves (libphonenumber-js calls it
 * invalid) is 60033 "Phone number is invalid", as on the phone endpoints.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const create = (app: AppState, now: number, params: Params.Params): Wire.Reply => {
  const user = Params.object(params, "user")
  const email = validEmail(Params.string(user, "email"))
  const cellphone = phoneDigits(Params.string(user, "cellphone"))
  const code = countryCode(Params.string(user, "country_code") ?? "1")
  if (email === undefined || cellphone === undefined || code === undefined) {
    return Wire.userNotValid({
      ...(email === undefined ? { email: "is invalid" } : {}),
      ...(cellphone === undefined || code === undefined ? { cellphone: "is invalid" } : {})
    })
  }
  if (Carrier.judge(code, cellphone) === undefined) return Carrier.invalidNumber
  const id = app.userIdsByPhone.get(phoneKey(code, cellphone)) ?? insert(app, now, { email, cellphone, countryCode: code })
  return Wire.encoded(CreateUserResponse, { message: "User created successfully.", user: { id } })
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
    customUserId: undefined,
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
    {
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
    }
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
 * `POST /protected/json/users/{authy_id}/update` (authy-api.md §2.17): a new
 * `email` (also read as `user[email]`, as Rails clients nest it); other
 * parameters are ignored, as the contract records none.
 *
 * @since 0.3.0
 * @category endpoints
 */
export const update = (user: User, params: Params.Params): Wire.Reply => {
  const given = Params.string(params, "email") ?? Params.string(Params.object(params, "user"), "email")
  if (given === undefined || given.trim() === "") return Wire.missingParameter("email")
  const email = validEmail(given)
  if (email === undefined) return Wire.userNotValid({ email: "is invalid" })
  user.email = email
  return Wire.ok({ message: "User was updated successfully" })
}

/** The longest `custom_user_id` accepted: the mobile SDK's ids are short. */
const maxCustomUserIdLength = 255

/**
 * `GET /protected/json/registrations/status?custom_user_id=…` (authy-api.md
 * §2.19; the shape is not recorded, this is the contract's most plausible
 * one): `completed` with the user's `authy_id` once the user carrying that
 * `custom_user_id` (set by the state file) has an app, else `pending` with
 * `authy_id: null`; 404 60026 when no user carries it.
 *
 * @since 0.3.0
 * @category endpoints
 */
export const registrationStatus = (app: AppState, params: Params.Params): Wire.Reply => {
  const id = Params.string(params, "custom_user_id")
  if (id === undefined || id.trim() === "") return Wire.missingParameter("custom_user_id")
  if (id.length > maxCustomUserIdLength) return Wire.dialect.invalidParameter("custom_user_id", "is too long")
  const user = [...app.users.values()].find((u) => u.customUserId === id)
  if (user === undefined) return Wire.userNotFound
  const completed = user.devices.length > 0
  return Wire.json(200, {
    status: completed ? "completed" : "pending",
    authy_id: completed ? user.id : null,
    message: completed ? "Registration completed." : "Registration pending.",
    success: true
  })
}

/**
 * Installs the Authy app for a user (or, with 6 digits, a generic
 * authenticator): a device with a fresh TOTP secret. From then on the user is
 * `registered`, SMS and calls are `ignored` unless forced, and verification
 * is enforced.
 *
 * @since 0.1.0
 * @category devices
 */
export const registerDevice = (
  app: AppState,
  now: number,
  user: User,
  osType: string,
  digits: number = Totp.authyDigits
): Device => {
  const device: Device = {
    id: app.nextDeviceId++,
    osType,
    digits,
    secret: Totp.generateSecret(),
    registeredAt: now,
    usedCounters: new Set()
  }
  user.devices.push(device)
  return device
}
