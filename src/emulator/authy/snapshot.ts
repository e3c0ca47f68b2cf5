/**
 * The Authy side of the state file: an application's settings, users (ids,
 * e-mails, phones, `custom_user_id`), and devices with their TOTP secrets,
 * as a Schema of the file's JSON (snake_case) and the two directions between
 * it and an application. Messages, tokens, approvals and verifications are
 * passing traffic, not a world to start from: they are not kept.
 *
 * @since 0.3.0
 */
import { Schema } from "effect"
import * as Random from "../core/random.js"
import * as Carrier from "./carrier.js"
import * as Settings from "./settings.js"
import { type AppState, type Device, emptyApp, phoneKey, type User } from "./State.js"
import { validEmail } from "./users.js"

/**
 * The file's limits, so that a state file cannot exhaust memory.
 *
 * @since 0.3.0
 * @category limits
 */
export const limits = { maxApplications: 100, maxUsers: 10_000, maxDevices: 20 } as const

const Base32Secret = Schema.String.pipe(
  Schema.pattern(/^[A-Z2-7]{16,128}$/, { message: () => "must be a base32 secret of 16 to 128 characters (A-Z, 2-7)" })
)

/**
 * An instant: ISO-8601 text in the file.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Instant = Schema.String.pipe(
  Schema.filter((s) => s.length <= 40 && !Number.isNaN(Date.parse(s)), { message: () => "must be an ISO-8601 date" }),
  Schema.annotations({ jsonSchema: { type: "string", format: "date-time" } })
)

const positiveId = Schema.Int.pipe(Schema.between(1, 999_999_999_999_999))

const Text = (max: number) => Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max))

/**
 * A device: the Authy app (7-digit codes) or a generic authenticator (6).
 *
 * @since 0.3.0
 * @category schemas
 */
export const DeviceEntry = Schema.Struct({
  id: positiveId,
  os_type: Text(50),
  secret: Base32Secret,
  digits: Schema.optional(Schema.Literal(6, 7, 8)),
  registered_at: Schema.optional(Instant)
})

/**
 * A user with its id.
 *
 * @since 0.3.0
 * @category schemas
 */
export const UserEntry = Schema.Struct({
  id: positiveId,
  email: Text(254).pipe(Schema.filter((s) => validEmail(s) === s, { message: () => "must be an e-mail address" })),
  country_code: Schema.Int.pipe(Schema.between(1, 9999)),
  cellphone: Schema.String.pipe(Schema.pattern(/^\d{7,15}$/, { message: () => "must be 7 to 15 digits" })),
  custom_user_id: Schema.optional(Text(255)),
  confirmed: Schema.optional(Schema.Boolean),
  created_at: Schema.optional(Instant),
  devices: Schema.optional(Schema.Array(DeviceEntry).pipe(Schema.maxItems(limits.maxDevices)))
})

/**
 * Settings, each optional (the profile's default when absent).
 *
 * @since 0.3.0
 * @category schemas
 */
export const SettingsEntry = Schema.Struct({
  profile: Schema.optional(Schema.Literal(...Settings.profiles)),
  name: Schema.optional(Text(100)),
  plan: Schema.optional(Text(100)),
  sms_enabled: Schema.optional(Schema.Boolean),
  phone_calls_enabled: Schema.optional(Schema.Boolean),
  onetouch_enabled: Schema.optional(Schema.Boolean),
  white_label: Schema.optional(Schema.Boolean),
  generic_tokens_enabled: Schema.optional(Schema.Boolean),
  custom_codes_enabled: Schema.optional(Schema.Boolean),
  strict_verify: Schema.optional(Schema.Boolean)
})

/**
 * One application, by its API key.
 *
 * @since 0.3.0
 * @category schemas
 */
export const ApplicationEntry = Schema.Struct({
  api_key: Text(256),
  settings: Schema.optional(SettingsEntry),
  next_user_id: Schema.optional(positiveId),
  users: Schema.optional(Schema.Array(UserEntry).pipe(Schema.maxItems(limits.maxUsers)))
})

/**
 * @since 0.3.0
 * @category models
 */
export type ApplicationEntry = typeof ApplicationEntry.Type

/**
 * A field that breaks a rule the Schema cannot state (a duplicate, a number
 * no carrier serves), with its path inside the application.
 *
 * @since 0.3.0
 * @category models
 */
export interface Problem {
  readonly path: ReadonlyArray<string | number>
  readonly message: string
}

/**
 * The rules across entries: ids, phones and device ids unique in the
 * application, phones valid, ids below `next_user_id`.
 *
 * @since 0.3.0
 * @category validation
 */
export const check = (entry: ApplicationEntry): Problem | undefined => {
  const ids = new Set<number>()
  const phones = new Set<string>()
  const devices = new Set<number>()
  const users = entry.users ?? []
  for (const [i, user] of users.entries()) {
    if (ids.has(user.id)) return { path: ["users", i, "id"], message: `duplicate user id ${user.id}` }
    ids.add(user.id)
    const key = phoneKey(user.country_code, user.cellphone)
    if (phones.has(key)) return { path: ["users", i, "cellphone"], message: "another user has this phone" }
    phones.add(key)
    if (Carrier.judge(user.country_code, user.cellphone) === undefined) {
      return { path: ["users", i, "cellphone"], message: "is not a valid phone number" }
    }
    for (const [j, device] of (user.devices ?? []).entries()) {
      if (devices.has(device.id)) return { path: ["users", i, "devices", j, "id"], message: `duplicate device id ${device.id}` }
      devices.add(device.id)
    }
  }
  if (entry.next_user_id !== undefined && users.some((u) => u.id >= entry.next_user_id!)) {
    return { path: ["next_user_id"], message: "must be above every user id" }
  }
  return undefined
}

const millis = (iso: string | undefined, fallback: number) => (iso === undefined ? fallback : Date.parse(iso))

const device = (entry: typeof DeviceEntry.Type, now: number): Device => ({
  id: entry.id,
  osType: entry.os_type,
  secret: entry.secret,
  digits: entry.digits ?? 7,
  registeredAt: millis(entry.registered_at, now),
  usedCounters: new Set()
})

const user = (entry: typeof UserEntry.Type, now: number): User => ({
  id: entry.id,
  objectId: Random.objectId(),
  email: entry.email,
  cellphone: entry.cellphone,
  countryCode: entry.country_code,
  customUserId: entry.custom_user_id,
  createdAt: millis(entry.created_at, now),
  confirmed: entry.confirmed ?? false,
  devices: (entry.devices ?? []).map((d) => device(d, now)),
  tokens: []
})

/**
 * A fresh application holding what the entry describes (checked first), at
 * `now`; it keeps the previous one's id and callback target.
 *
 * @since 0.3.0
 * @category import
 */
export const toApp = (entry: ApplicationEntry, previous: AppState, now: number): AppState => {
  const app = emptyApp(previous.apiKey, previous.appId, now, entry.settings?.profile ?? "default")
  app.callback = previous.callback
  const given = entry.settings ?? {}
  app.settings = { ...app.settings, ...fromWire(given) }
  for (const u of entry.users ?? []) {
    const next = user(u, now)
    app.users.set(next.id, next)
    app.userIdsByPhone.set(phoneKey(next.countryCode, next.cellphone), next.id)
  }
  const userIds = [...app.users.keys()]
  const deviceIds = [...app.users.values()].flatMap((u) => u.devices.map((d) => d.id))
  app.nextUserId = entry.next_user_id ?? Math.max(0, ...userIds) + 1
  app.nextDeviceId = Math.max(0, ...deviceIds) + 1
  return app
}

const fromWire = (s: typeof SettingsEntry.Type): Settings.Patch => {
  const patch: { -readonly [K in keyof Settings.Settings]?: Settings.Settings[K] } = {}
  if (s.name !== undefined) patch.name = s.name
  if (s.plan !== undefined) patch.plan = s.plan
  if (s.sms_enabled !== undefined) patch.smsEnabled = s.sms_enabled
  if (s.phone_calls_enabled !== undefined) patch.phoneCallsEnabled = s.phone_calls_enabled
  if (s.onetouch_enabled !== undefined) patch.onetouchEnabled = s.onetouch_enabled
  if (s.white_label !== undefined) patch.whiteLabel = s.white_label
  if (s.generic_tokens_enabled !== undefined) patch.genericTokensEnabled = s.generic_tokens_enabled
  if (s.custom_codes_enabled !== undefined) patch.customCodesEnabled = s.custom_codes_enabled
  if (s.strict_verify !== undefined) patch.strictVerify = s.strict_verify
  return patch
}

const iso = (millis: number) => new Date(millis).toISOString()

/**
 * An application as a file entry: everything {@link toApp} reads back.
 *
 * @since 0.3.0
 * @category export
 */
export const fromApp = (app: AppState): ApplicationEntry => ({
  api_key: app.apiKey,
  settings: Settings.toWire(app.settings),
  next_user_id: app.nextUserId,
  users: [...app.users.values()].map((u) => ({
    id: u.id,
    email: u.email,
    country_code: u.countryCode,
    cellphone: u.cellphone,
    ...(u.customUserId === undefined ? {} : { custom_user_id: u.customUserId }),
    confirmed: u.confirmed,
    created_at: iso(u.createdAt),
    devices: u.devices.map((d) => ({
      id: d.id,
      os_type: d.osType,
      secret: d.secret,
      digits: d.digits as 6 | 7 | 8,
      registered_at: iso(d.registeredAt)
    }))
  }))
})
