/**
 * Verify services (verify-api.md §2): create (201), fetch, update, delete
 * (204), list. A service is the Verify counterpart of an Authy application:
 * its code length, TOTP defaults and custom-code switch shape everything
 * under it.
 *
 * @since 0.2.0
 */
import type { Reply } from "../core/dialect.js"
import type { Context } from "./request.js"
import type { Account, VerifyService } from "./State.js"
import * as Wire from "./wire.js"

/**
 * The URL of a service.
 *
 * @since 0.2.0
 * @category urls
 */
export const url = (baseUrl: string, sid: string): string => `${baseUrl}/v2/Services/${sid}`

/**
 * A service as the API shows it.
 *
 * @since 0.2.0
 * @category encoding
 */
export const body = (account: Account, service: VerifyService, baseUrl: string) => {
  const self = url(baseUrl, service.sid)
  return {
    sid: service.sid,
    account_sid: account.credentials.accountSid,
    friendly_name: service.friendlyName,
    code_length: service.codeLength,
    lookup_enabled: service.lookupEnabled,
    psd2_enabled: service.psd2Enabled,
    skip_sms_to_landlines: service.skipSmsToLandlines,
    dtmf_input_required: service.dtmfInputRequired,
    tts_name: service.ttsName,
    do_not_share_warning_enabled: service.doNotShareWarningEnabled,
    custom_code_enabled: service.customCodeEnabled,
    push: { include_date: false, apn_credential_sid: null, fcm_credential_sid: null },
    totp: {
      issuer: service.totp.issuer ?? service.friendlyName,
      time_step: service.totp.timeStep,
      code_length: service.totp.codeLength,
      skew: service.totp.skew
    },
    default_template_sid: null,
    whatsapp: { msg_service_sid: null, from: null },
    passkeys: null,
    verify_event_subscription_enabled: false,
    date_created: Wire.iso(service.createdAt),
    date_updated: Wire.iso(service.updatedAt),
    url: self,
    links: {
      verification_checks: `${self}/VerificationCheck`,
      verifications: `${self}/Verifications`,
      rate_limits: `${self}/RateLimits`,
      messaging_configurations: `${self}/MessagingConfigurations`,
      entities: `${self}/Entities`,
      webhooks: `${self}/Webhooks`,
      access_tokens: `${self}/AccessTokens`
    }
  }
}

/**
 * The most services one account may hold: far above any test's needs, a
 * bound on what a hostile client can make the emulator keep.
 *
 * @since 0.2.0
 * @category limits
 */
export const maxServices = 1000

/** FriendlyName: 1 to 32 characters (the request text's bound; the resource text says 30). */
const friendlyName = (value: string | undefined): string | Wire.Refusal | undefined =>
  value === undefined
    ? undefined
    : value.trim() === "" || value.length > 32
    ? new Wire.Refusal(Wire.invalidParameter("FriendlyName", "must be 1 to 32 characters"))
    : value

/**
 * Applies the settings a create or update carries; the 400 to answer when
 * one is unusable (nothing is changed then).
 */
const apply = (service: VerifyService, params: Context["params"], now: number): Reply | undefined => {
  const name = friendlyName(Wire.param(params, "FriendlyName"))
  const codeLength = Wire.integer(params, "CodeLength", 4, 10, service.codeLength)
  const timeStep = Wire.integer(params, "Totp.TimeStep", 20, 60, service.totp.timeStep)
  const totpLength = Wire.integer(params, "Totp.CodeLength", 3, 8, service.totp.codeLength)
  const skew = Wire.integer(params, "Totp.Skew", 0, 2, service.totp.skew)
  const issuer = Wire.text(params, "Totp.Issuer", 255)
  const ttsName = Wire.text(params, "TtsName", 255)
  const flags = {
    lookupEnabled: Wire.boolean(params, "LookupEnabled", service.lookupEnabled),
    skipSmsToLandlines: Wire.boolean(params, "SkipSmsToLandlines", service.skipSmsToLandlines),
    dtmfInputRequired: Wire.boolean(params, "DtmfInputRequired", service.dtmfInputRequired),
    psd2Enabled: Wire.boolean(params, "Psd2Enabled", service.psd2Enabled),
    doNotShareWarningEnabled: Wire.boolean(params, "DoNotShareWarningEnabled", service.doNotShareWarningEnabled),
    customCodeEnabled: Wire.boolean(params, "CustomCodeEnabled", service.customCodeEnabled)
  }
  for (const value of [name, codeLength, timeStep, totpLength, skew, issuer, ttsName, ...Object.values(flags)]) {
    if (Wire.isRefusal(value)) return value.reply
  }
  if (typeof name === "string") service.friendlyName = name
  service.codeLength = codeLength as number
  service.totp = {
    issuer: (issuer as string | undefined) ?? service.totp.issuer,
    timeStep: timeStep as number,
    codeLength: totpLength as number,
    skew: skew as number
  }
  if (ttsName !== undefined) service.ttsName = ttsName as string
  Object.assign(service, flags)
  service.updatedAt = now
  return undefined
}

/**
 * `POST /v2/Services` → 201.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const create = ({ account, baseUrl, now, params }: Context): Reply => {
  if (Wire.param(params, "FriendlyName") === undefined) return Wire.invalidParameter("FriendlyName", "required")
  if (account.services.size >= maxServices) {
    return Wire.error(429, 20429, `An account holds at most ${maxServices} services in the emulator`)
  }
  const service: VerifyService = {
    sid: Wire.sid("VA"),
    friendlyName: "",
    codeLength: 6,
    lookupEnabled: false,
    skipSmsToLandlines: false,
    dtmfInputRequired: true,
    ttsName: null,
    psd2Enabled: false,
    doNotShareWarningEnabled: false,
    customCodeEnabled: false,
    totp: { issuer: null, timeStep: 30, codeLength: 6, skew: 1 },
    createdAt: now,
    updatedAt: now,
    verifications: new Map(),
    liveByTo: new Map(),
    entities: new Map(),
    webhooks: new Map()
  }
  const refused = apply(service, params, now)
  if (refused !== undefined) return refused
  account.services.set(service.sid, service)
  return Wire.created(body(account, service, baseUrl))
}

/**
 * The service of a path, or the 404 to answer.
 *
 * @since 0.2.0
 * @category lookups
 */
export const find = (account: Account, sid: string | undefined): VerifyService | Wire.Refusal => {
  const service = sid === undefined ? undefined : account.services.get(sid)
  return service ?? new Wire.Refusal(Wire.notFound(`/v2/Services/${sid ?? ""}`))
}

/**
 * A handler body for routes under `/v2/Services/{ServiceSid}`: 404 20404
 * unless the account has that service.
 *
 * @since 0.2.0
 * @category lookups
 */
export const withService = (f: (context: Context, service: VerifyService) => Reply) => (context: Context): Reply => {
  const service = find(context.account, context.path.service)
  return Wire.isRefusal(service) ? service.reply : f(context, service)
}

/**
 * `GET /v2/Services/{Sid}`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const fetch = withService(({ account, baseUrl }, service) => Wire.ok(body(account, service, baseUrl)))

/**
 * `POST /v2/Services/{Sid}`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const update = withService(({ account, baseUrl, now, params }, service) =>
  apply(service, params, now) ?? Wire.ok(body(account, service, baseUrl))
)

/**
 * `DELETE /v2/Services/{Sid}` → 204.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const remove = withService(({ account }, service) => {
  account.services.delete(service.sid)
  return Wire.deleted
})

/**
 * `GET /v2/Services`, oldest first.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const list = ({ account, baseUrl, params }: Context): Reply =>
  Wire.page(
    params,
    [...account.services.values()],
    "services",
    `${baseUrl}/v2/Services`,
    (service) => body(account, service, baseUrl)
  )
