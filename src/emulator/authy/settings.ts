/**
 * An application's settings (authy-api.md §2.9, §2.20–2.21): what
 * `app/details` reports and what the endpoints honour — SMS and voice
 * add-ons, OneTouch, generic-authenticator tokens, custom verification codes
 * — plus two emulator choices: the `sandbox` profile of Authy's retired
 * sandbox and the `strict_verify` rule for unconfirmed users. Everything is on
 * by default, as the emulator always behaved; the sandbox profile starts from
 * what the sandbox app reported.
 *
 * @since 0.3.0
 */
import * as Params from "../core/params.js"
import * as Wire from "./wire.js"

/**
 * The profiles: `default` (a paid application with every add-on) and
 * `sandbox` (`sandbox-api.authy.com` as its users knew it: token `0000000`
 * valid for every user, `phones/info` answering `landline`, a starter app
 * without SMS or OneTouch).
 *
 * @since 0.3.0
 * @category models
 */
export type Profile = "default" | "sandbox"

/**
 * @since 0.3.0
 * @category models
 */
export const profiles: ReadonlyArray<Profile> = ["default", "sandbox"]

/**
 * The settings of one application.
 *
 * @since 0.3.0
 * @category models
 */
export interface Settings {
  readonly profile: Profile
  readonly name: string
  readonly plan: string
  readonly smsEnabled: boolean
  readonly phoneCallsEnabled: boolean
  readonly onetouchEnabled: boolean
  readonly whiteLabel: boolean
  readonly genericTokensEnabled: boolean
  readonly customCodesEnabled: boolean
  /**
   * `verify` without `force` for a user who never used a valid token and has
   * no app: `false` lets any well-formed token pass, as Authy documented;
   * `true` checks it (go-authy's live test expects 401 60020).
   */
  readonly strictVerify: boolean
}

/**
 * The settings of a new application under a profile; `appId` numbers the
 * sandbox's apps (`Sandbox App 1`, …) and names the default ones.
 *
 * @since 0.3.0
 * @category constructors
 */
export const defaults = (profile: Profile, appId: number): Settings =>
  profile === "sandbox"
    ? {
      profile,
      name: `Sandbox App ${appId}`,
      plan: "starter",
      smsEnabled: false,
      phoneCallsEnabled: true,
      onetouchEnabled: false,
      whiteLabel: false,
      genericTokensEnabled: true,
      customCodesEnabled: false,
      strictVerify: true
    }
    : {
      profile,
      name: `Authy Emulator ${appId}`,
      plan: "pay_as_you_go",
      smsEnabled: true,
      phoneCallsEnabled: true,
      onetouchEnabled: true,
      whiteLabel: false,
      genericTokensEnabled: true,
      customCodesEnabled: true,
      strictVerify: false
    }

/**
 * The settings as the control API and the state file write them (snake_case).
 *
 * @since 0.3.0
 * @category models
 */
export interface Wired {
  readonly profile: Profile
  readonly name: string
  readonly plan: string
  readonly sms_enabled: boolean
  readonly phone_calls_enabled: boolean
  readonly onetouch_enabled: boolean
  readonly white_label: boolean
  readonly generic_tokens_enabled: boolean
  readonly custom_codes_enabled: boolean
  readonly strict_verify: boolean
}

/** Wire name ↔ field, for the boolean settings. */
const flags = [
  ["sms_enabled", "smsEnabled"],
  ["phone_calls_enabled", "phoneCallsEnabled"],
  ["onetouch_enabled", "onetouchEnabled"],
  ["white_label", "whiteLabel"],
  ["generic_tokens_enabled", "genericTokensEnabled"],
  ["custom_codes_enabled", "customCodesEnabled"],
  ["strict_verify", "strictVerify"]
] as const

/**
 * The names of the boolean settings, as the wire writes them.
 *
 * @since 0.3.0
 * @category models
 */
export const flagNames: ReadonlyArray<string> = flags.map(([wire]) => wire)

/**
 * Settings → their wire form.
 *
 * @since 0.3.0
 * @category encoding
 */
export const toWire = (s: Settings): Wired => ({
  profile: s.profile,
  name: s.name,
  plan: s.plan,
  sms_enabled: s.smsEnabled,
  phone_calls_enabled: s.phoneCallsEnabled,
  onetouch_enabled: s.onetouchEnabled,
  white_label: s.whiteLabel,
  generic_tokens_enabled: s.genericTokensEnabled,
  custom_codes_enabled: s.customCodesEnabled,
  strict_verify: s.strictVerify
})

/**
 * A partial change of settings, camelCase, as the handle and the CLI give it.
 *
 * @since 0.3.0
 * @category models
 */
export type Patch = Partial<Settings>

const maxText = 100

const booleanText = (value: unknown): boolean | undefined => {
  if (typeof value === "boolean") return value
  if (typeof value !== "string") return undefined
  const text = value.trim().toLowerCase()
  if (["true", "1", "yes", "on", "t"].includes(text)) return true
  if (["false", "0", "no", "off", "f"].includes(text)) return false
  return undefined
}

/**
 * Reads a change of settings from control parameters (JSON or form): each
 * setting optional; a `profile` first resets every setting to the profile's
 * defaults, then the others given apply. Refused with the setting named.
 *
 * @since 0.3.0
 * @category parsing
 */
export const fromParams = (params: Params.Params): Patch | { readonly invalid: string; readonly reason: string } => {
  const patch: { -readonly [K in keyof Settings]?: Settings[K] } = {}
  const profile = Params.string(params, "profile")
  if (profile !== undefined) {
    if (!(profiles as ReadonlyArray<string>).includes(profile)) return { invalid: "profile", reason: "must be default or sandbox" }
    patch.profile = profile as Profile
  }
  for (const key of ["name", "plan"] as const) {
    const value = params[key]
    if (value === undefined) continue
    if (typeof value !== "string" || value.trim() === "" || value.length > maxText) {
      return { invalid: key, reason: `must be text of 1 to ${maxText} characters` }
    }
    patch[key] = value
  }
  for (const [wire, field] of flags) {
    const value = params[wire]
    if (value === undefined) continue
    const flag = booleanText(value)
    if (flag === undefined) return { invalid: wire, reason: "must be true or false" }
    patch[field] = flag
  }
  return patch
}

/**
 * Applies a change: a new `profile` starts from that profile's defaults.
 *
 * @since 0.3.0
 * @category combinators
 */
export const apply = (current: Settings, patch: Patch, appId: number): Settings => {
  const base = patch.profile !== undefined && patch.profile !== current.profile ? defaults(patch.profile, appId) : current
  return { ...base, ...patch }
}

/**
 * Refusals of a disabled add-on (authy-api.md §2.21; the statuses are not
 * recorded, 403 is the most plausible for "your plan does not allow this").
 *
 * @since 0.3.0
 * @category errors
 */
export const refusals = {
  sms: Wire.error(403, "60007", "SMS is not enabled"),
  call: Wire.error(403, "60006", "Phone calls are not enabled on this account"),
  genericTokens: Wire.error(403, "60123", "Generic tokens are not enabled for this application"),
  onetouch: Wire.error(403, "60031", "OneTouch is not enabled for this application"),
  customCode: Wire.error(400, "60042", "Custom codes are not allowed for this application")
} as const
