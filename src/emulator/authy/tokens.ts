/**
 * SMS, voice and e-mail tokens, and their verification (authy-api.md
 * §2.2–2.4, §2.18): random 7-digit codes valid for a window and usable once,
 * plus the codes of the user's Authy app or generic authenticator (TOTP).
 * SMS and calls need the application's add-ons (§2.21), an SMS a phone that
 * is not a landline; the sandbox profile accepts `0000000` for every user.
 *
 * @since 0.1.0
 */
import * as Params from "../core/params.js"
import * as Random from "../core/random.js"
import * as Carrier from "./carrier.js"
import * as Settings from "./settings.js"
import type { AppState, Device, IssuedToken, User } from "./State.js"
import * as Stats from "./stats.js"
import * as Totp from "../core/totp.js"
import * as Users from "./users.js"
import * as Wire from "./wire.js"

/**
 * How long an SMS or call token stays valid.
 *
 * @since 0.1.0
 * @category constants
 */
export const tokenLifetimeMillis = 10 * 60 * 1000

const smsIgnored =
  "Ignored: SMS is not needed for smartphones. Pass force=true if you want to actually send it anyway."
// The double space is in the real message.
const callIgnored =
  "Call ignored. User is using  App Tokens and this call is not necessary. Pass force=true if you still want to call users that are using the App."

/**
 * `GET /protected/json/sms/{authy_id}` and `GET /protected/json/call/{authy_id}`.
 * A user with the app gets nothing (the app would get a push) unless `force`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const request = (
  app: AppState,
  now: number,
  user: User,
  channel: "sms" | "call",
  params: Params.Params
): Wire.Reply => {
  const refused = refusal(app, user, channel)
  if (refused !== undefined) return refused
  const cellphone = Users.maskCellphone(user)
  const device = user.devices[user.devices.length - 1]
  if (device !== undefined && !Params.boolean(params, "force")) {
    app.counters.ignored += 1
    const message = channel === "sms" ? smsIgnored : callIgnored
    return Wire.ok({ message, cellphone, device: device.osType, ignored: true })
  }
  const code = Random.digits(Totp.authyDigits)
  user.tokens.push({ code, channel, issuedAt: now, usedAt: undefined })
  app.messages.push({
    authyId: user.id,
    channel,
    via: channel,
    code,
    to: `+${user.countryCode}${user.cellphone}`,
    countryCode: user.countryCode,
    phoneNumber: user.cellphone,
    sentAt: now
  })
  app.counters.messages[channel] += 1
  Stats.record(app, now, channel === "sms" ? "sms" : "calls")
  return channel === "sms"
    ? Wire.json(200, { success: true, message: "SMS token was sent", cellphone })
    : Wire.json(200, { cellphone, message: "Call started...", success: true })
}

/** Why the application cannot send this token at all: an add-on it lacks, or an SMS to a landline. */
const refusal = (app: AppState, user: User, channel: "sms" | "call"): Wire.Reply | undefined => {
  if (channel === "sms" && !app.settings.smsEnabled) return Settings.refusals.sms
  if (channel === "call" && !app.settings.phoneCallsEnabled) return Settings.refusals.call
  if (channel === "sms" && Carrier.judge(user.countryCode, user.cellphone)?.type === "landline") return Carrier.smsToLandline
  return undefined
}

/**
 * `POST /protected/json/email/{authy_id}` (authy-api.md §2.18): a 7-digit
 * code "sent" to the user's e-mail, listed by the control API with channel
 * `email` and verified by `verify` like an SMS token. Sent whether or not the
 * user has the app: the contract records no `ignored` answer for e-mail.
 *
 * @since 0.3.0
 * @category endpoints
 */
export const requestEmail = (app: AppState, now: number, user: User): Wire.Reply => {
  const code = Random.digits(Totp.authyDigits)
  user.tokens.push({ code, channel: "email", issuedAt: now, usedAt: undefined })
  app.messages.push({
    authyId: user.id,
    channel: "email",
    via: "email",
    code,
    to: user.email,
    countryCode: user.countryCode,
    phoneNumber: user.cellphone,
    sentAt: now
  })
  app.counters.emails += 1
  return Wire.json(200, {
    success: true,
    message: "Email token was sent",
    email: user.email,
    email_id: `EM${Random.objectId()}${Random.objectId().slice(0, 8)}`
  })
}

const seconds = (millis: number) => Math.floor(millis / 1000)

/** The verify success body, written out so that `"token":"is valid"` appears verbatim. */
const valid = (device: Readonly<Record<string, unknown>> | undefined): Wire.Reply =>
  Wire.json(200, {
    message: "Token is valid.",
    token: "is valid",
    success: "true",
    ...(device === undefined ? {} : { device })
  })

const deviceBlock = (user: User, device: Device | undefined, now: number) => ({
  id: device?.id ?? null,
  os_type: device?.osType ?? "sms",
  registration_date: seconds(device?.registeredAt ?? user.createdAt),
  registration_method: null,
  registration_country: null,
  registration_region: null,
  registration_city: null,
  country: null,
  region: null,
  city: null,
  ip: null,
  last_account_recovery_at: null,
  last_sync_date: device === undefined ? null : seconds(now)
})

type Match =
  | { readonly _tag: "Sms"; readonly token: IssuedToken }
  | { readonly _tag: "App"; readonly device: Device; readonly counter: number }
  | { readonly _tag: "Used" }
  | { readonly _tag: "None" }

/** Finds what a code is: a live SMS/call token, a current app code, one already used, or nothing. */
const match = (user: User, code: string, now: number): Match => {
  const live = user.tokens.filter((t) => t.code === code && now - t.issuedAt < tokenLifetimeMillis)
  const unused = live.find((t) => t.usedAt === undefined)
  if (unused !== undefined) return { _tag: "Sms", token: unused }
  for (const device of user.devices) {
    const counter = Totp.matchingCounter(device.secret, code, now, 1, { ...Totp.authyConfig, digits: device.digits })
    if (counter !== undefined) {
      return device.usedCounters.has(counter) ? { _tag: "Used" } : { _tag: "App", device, counter }
    }
  }
  return live.length > 0 ? { _tag: "Used" } : { _tag: "None" }
}

/**
 * `GET /protected/json/verify/{token}/{authy_id}`.
 *
 * Verification is enforced once the user is confirmed (has used a valid
 * token) or registered (has the app), or when `force` is true, or always on
 * an application with `strict_verify`; otherwise any well-formed token
 * passes, as on the real server. A valid token is consumed either way and
 * confirms the user. The sandbox profile's `0000000` is valid for every
 * user, every time.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const verify = (app: AppState, now: number, user: User, code: string, params: Params.Params): Wire.Reply => {
  if (!/^\d{6,10}$/.test(code)) return Wire.tokenInvalid
  if (app.settings.profile === "sandbox" && code === sandboxToken) return accept(app, now, user, undefined)
  const found = match(user, code, now)
  const enforced = Params.boolean(params, "force") || user.confirmed || user.devices.length > 0 ||
    app.settings.strictVerify
  switch (found._tag) {
    case "Sms":
      found.token.usedAt = now
      return accept(app, now, user, undefined)
    case "App":
      found.device.usedCounters.add(found.counter)
      return accept(app, now, user, found.device)
    case "Used":
      return enforced ? Wire.tokenUsedRecently : unenforced(app, now)
    case "None":
      return enforced ? Wire.tokenInvalid : unenforced(app, now)
  }
}

const accept = (app: AppState, now: number, user: User, device: Device | undefined): Wire.Reply => {
  user.confirmed = true
  app.counters.tokensConsumed += 1
  Stats.record(app, now, "auths")
  return valid(deviceBlock(user, device, now))
}

/** An unconfirmed user without `force`: Authy lets the token through without checking it. */
const unenforced = (app: AppState, now: number): Wire.Reply => {
  Stats.record(app, now, "auths")
  return valid(undefined)
}

/**
 * The sandbox's universal token (authy-api.md §2.20).
 *
 * @since 0.3.0
 * @category constants
 */
export const sandboxToken = "0000000"

/**
 * `verify` for an id that names nobody (authy-api.md §2.4: "User doesn't
 * exist"). The code stays 60026, not the 60016 the contract infers: 60026 is
 * what every other unknown-user answer carries and what clients branch on,
 * and 60016 is an inference from a name in the code list, never observed.
 *
 * @since 0.1.0
 * @category errors
 */
export const userDoesNotExist: Wire.Reply = Wire.error(404, "60026", "User doesn't exist")
