/**
 * Factors (verify-api.md §5–6): TOTP factors with real RFC 6238 codes at the
 * factor's step, length, algorithm and skew, their secret and `otpauth://`
 * URI answered once, on creation; and push factors created as the Verify
 * Push SDK creates them (`FactorType=push`, `Binding.Alg`,
 * `Binding.PublicKey`, `Config.*`).
 *
 * A push factor is **verified at once**: the emulator stands in for a device
 * that completes its enrolment immediately (the SDK's signed `AuthPayload`
 * is its own secret format), so a backend can challenge it straight away.
 *
 * A wrong TOTP code leaves the factor `unverified` with 200 (Twilio's
 * behaviour since 2021); the 6th attempt on an unverified factor is 429 60310.
 *
 * @since 0.2.0
 */
import type { Reply } from "../core/dialect.js"
import * as Totp from "../core/totp.js"
import { ensure, invalid, limits, url as entityUrl, withEntity } from "./entities.js"
import type { Context } from "./request.js"
import { withService } from "./services.js"
import type { Account, Entity, Factor, TotpConfig, VerifyService } from "./State.js"
import * as Wire from "./wire.js"

/**
 * Wrong codes allowed while verifying a factor.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxVerifyAttempts = 5

const algorithms: ReadonlyArray<string> = ["sha1", "sha256", "sha512"]

const url = (baseUrl: string, entity: Entity, factor: Factor) => `${entityUrl(baseUrl, entity)}/Factors/${factor.sid}`

const configBody = (factor: Factor) =>
  factor.type === "totp"
    ? {
      alg: factor.config.alg,
      skew: factor.config.skew,
      code_length: factor.config.digits,
      time_step: factor.config.stepSeconds
    }
    : {
      sdk_version: factor.config.sdkVersion,
      app_id: factor.config.appId,
      notification_platform: factor.config.notificationPlatform,
      notification_token: factor.config.notificationToken
    }

/**
 * A factor as fetch and list show it (no binding).
 *
 * @since 0.2.0
 * @category encoding
 */
export const body = (account: Account, entity: Entity, factor: Factor, baseUrl: string) => ({
  sid: factor.sid,
  account_sid: account.credentials.accountSid,
  service_sid: entity.serviceSid,
  entity_sid: entity.sid,
  identity: entity.identity,
  date_created: Wire.iso(factor.createdAt),
  date_updated: Wire.iso(factor.updatedAt),
  friendly_name: factor.friendlyName,
  status: factor.status,
  factor_type: factor.type,
  config: configBody(factor),
  metadata: factor.metadata,
  url: url(baseUrl, entity, factor)
})

/**
 * The `otpauth://` URI of a TOTP factor (Google's Key-Uri format): the
 * account name is the factor's name, the issuer the service's TOTP issuer,
 * else its name.
 *
 * @since 0.2.0
 * @category encoding
 */
export const otpauthUri: (issuer: string, name: string, secret: string, config: Totp.Config) => string =
  Totp.otpauthUri

const newBody = (account: Account, service: VerifyService, entity: Entity, factor: Factor, baseUrl: string) => ({
  ...body(account, entity, factor, baseUrl),
  binding: factor.type === "totp"
    ? {
      secret: factor.secret,
      uri: otpauthUri(service.totp.issuer ?? service.friendlyName, factor.friendlyName, factor.secret, factor.config)
    }
    : { alg: factor.binding.alg, public_key: factor.binding.publicKey }
})

/** The TOTP settings of a create or update, over `base`. */
const totpConfig = (params: Context["params"], base: TotpConfig): TotpConfig | Wire.Refusal => {
  const stepSeconds = Wire.integer(params, "Config.TimeStep", 20, 60, base.stepSeconds)
  const skew = Wire.integer(params, "Config.Skew", 0, 2, base.skew)
  const digits = Wire.integer(params, "Config.CodeLength", 3, 8, base.digits)
  const alg = Wire.param(params, "Config.Alg")?.toLowerCase() ?? base.alg
  for (const value of [stepSeconds, skew, digits]) if (Wire.isRefusal(value)) return value
  if (!algorithms.includes(alg)) return new Wire.Refusal(invalid("Config.Alg"))
  return { stepSeconds, skew, digits, alg } as TotpConfig
}

const base32 = /^[A-Z2-7]{16,128}$/

/** A TOTP factor from a create request. */
const totpFactor = (service: VerifyService, params: Context["params"]) => {
  const config = totpConfig(params, {
    stepSeconds: service.totp.timeStep,
    skew: service.totp.skew,
    digits: service.totp.codeLength,
    alg: "sha1"
  })
  if (Wire.isRefusal(config)) return config
  const given = Wire.param(params, "Binding.Secret")?.replace(/=+$/, "").toUpperCase()
  if (given !== undefined && !base32.test(given)) return new Wire.Refusal(invalid("Binding.Secret"))
  return { type: "totp" as const, secret: given ?? Totp.generateSecret(), config, usedCounters: new Set<number>() }
}

const platforms: ReadonlyArray<string> = ["apn", "fcm", "none"]

/** A push factor from a create request, as the device SDK sends it. */
const pushFactor = (params: Context["params"]) => {
  const alg = Wire.param(params, "Binding.Alg")
  if (alg !== "ES256") return new Wire.Refusal(invalid("Binding.Alg", "must be ES256"))
  const publicKey = Wire.param(params, "Binding.PublicKey")
  if (publicKey === undefined || !/^[A-Za-z0-9+/=]{1,1024}$/.test(publicKey)) {
    return new Wire.Refusal(invalid("Binding.PublicKey"))
  }
  const platform = Wire.param(params, "Config.NotificationPlatform") ?? "none"
  if (!platforms.includes(platform)) return new Wire.Refusal(invalid("Config.NotificationPlatform"))
  const token = Wire.param(params, "Config.NotificationToken")
  if (token !== undefined && (token.length < 32 || token.length > 255) && platform !== "none") {
    return new Wire.Refusal(invalid("Config.NotificationToken", "must be 32 to 255 characters"))
  }
  const appId = Wire.text(params, "Config.AppId", 255)
  const sdkVersion = Wire.text(params, "Config.SdkVersion", 64)
  if (Wire.isRefusal(appId)) return appId
  if (Wire.isRefusal(sdkVersion)) return sdkVersion
  return {
    type: "push" as const,
    binding: { alg, publicKey },
    config: { appId: appId ?? "", notificationPlatform: platform, notificationToken: token ?? null, sdkVersion: sdkVersion ?? null }
  }
}

/**
 * The webhook fields of a factor event.
 *
 * @since 0.2.0
 * @category events
 */
export const eventFields = (account: Account, entity: Entity, factor: Factor): Record<string, string> => ({
  account_sid: account.credentials.accountSid,
  service_sid: entity.serviceSid,
  entity_identity: entity.identity,
  factor_sid: factor.sid,
  factor_type: factor.type,
  factor_friendly_name: factor.friendlyName
})

const announce = (account: Account, entity: Entity, factor: Factor, type: "factor.created" | "factor.verified" | "factor.deleted") =>
  account.events.push({ type, serviceSid: entity.serviceSid, fields: eventFields(account, entity, factor) })

/**
 * `POST /v2/Services/{S}/Entities/{Identity}/Factors` → 201 with the
 * binding (once). The entity is created when new.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const create = withService(({ account, baseUrl, now, params, path }, service) => {
  const friendlyName = Wire.param(params, "FriendlyName")
  if (friendlyName === undefined || friendlyName.trim() === "" || friendlyName.length > 64) {
    return invalid("FriendlyName", "must be 1 to 64 characters")
  }
  const type = Wire.param(params, "FactorType")
  if (type !== "totp" && type !== "push") return invalid("FactorType", "the emulator serves totp and push")
  const metadata = Wire.stringObject(params, "Metadata", 1024)
  if (Wire.isRefusal(metadata)) return metadata.reply
  const kind = type === "totp" ? totpFactor(service, params) : pushFactor(params)
  if (Wire.isRefusal(kind)) return kind.reply
  const entity = ensure(service, path.identity, now)
  if (Wire.isRefusal(entity)) return entity.reply
  if (entity.factors.size >= limits.maxFactors) {
    return Wire.error(429, 20429, `An entity holds at most ${limits.maxFactors} factors in the emulator`)
  }
  const factor: Factor = {
    sid: Wire.sid("YF"),
    friendlyName,
    status: kind.type === "push" ? "verified" : "unverified",
    createdAt: now,
    updatedAt: now,
    metadata: metadata ?? null,
    verifyAttempts: 0,
    ...kind
  }
  entity.factors.set(factor.sid, factor)
  announce(account, entity, factor, "factor.created")
  if (factor.status === "verified") announce(account, entity, factor, "factor.verified")
  return Wire.created(newBody(account, service, entity, factor, baseUrl))
})

/**
 * Whether `code` is the factor's current TOTP code (within its skew) and
 * unused; marks it used when it is.
 *
 * @since 0.2.0
 * @category codes
 */
export const acceptCode = (factor: Factor, code: string, now: number): boolean => {
  if (factor.type !== "totp") return false
  const counter = Totp.matchingCounter(factor.secret, code, now, factor.config.skew, factor.config)
  if (counter === undefined || factor.usedCounters.has(counter)) return false
  factor.usedCounters.add(counter)
  return true
}

/**
 * The factor's current TOTP code (for the control handle).
 *
 * @since 0.2.0
 * @category codes
 */
export const currentCode = (factor: Factor, now: number): string | undefined =>
  factor.type === "totp" ? Totp.totp(factor.secret, now, factor.config.digits, factor.config) : undefined

const withFactor = (f: (context: Context, entity: Entity, factor: Factor) => Reply) =>
  withEntity((context, _, entity) => {
    const factor = entity.factors.get(context.path.factor ?? "")
    return factor === undefined
      ? Wire.notFound(`/v2/Services/${entity.serviceSid}/Entities/${entity.identity}/Factors/${context.path.factor ?? ""}`)
      : f(context, entity, factor)
  })

/**
 * `GET …/Factors/{Sid}`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const fetch = withFactor(({ account, baseUrl }, entity, factor) => Wire.ok(body(account, entity, factor, baseUrl)))

/**
 * `POST …/Factors/{Sid}`: verifies a TOTP factor with `AuthPayload` (a wrong
 * code answers the factor still `unverified`), and updates its name and
 * settings.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const update = withFactor(({ account, baseUrl, now, params }, entity, factor) => {
  const name = Wire.text(params, "FriendlyName", 64)
  if (Wire.isRefusal(name)) return name.reply
  const config = factor.type === "totp" ? totpConfig(params, factor.config) : undefined
  if (Wire.isRefusal(config)) return config.reply
  const payload = Wire.param(params, "AuthPayload")
  if (payload !== undefined && factor.type === "totp" && factor.status === "unverified") {
    if (factor.verifyAttempts >= maxVerifyAttempts) return Wire.error(429, 60310, "Too many factor verification attempts")
    if (acceptCode(factor, payload, now)) {
      factor.status = "verified"
      announce(account, entity, factor, "factor.verified")
    } else {
      factor.verifyAttempts += 1
    }
  }
  if (name !== undefined && name.trim() !== "") factor.friendlyName = name
  if (factor.type === "totp" && config !== undefined) factor.config = config
  if (factor.type === "push") {
    const token = Wire.param(params, "Config.NotificationToken")
    if (token !== undefined) factor.config.notificationToken = token.slice(0, 255)
  }
  factor.updatedAt = now
  return Wire.ok(body(account, entity, factor, baseUrl))
})

/**
 * `DELETE …/Factors/{Sid}` → 204.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const remove = withFactor(({ account }, entity, factor) => {
  entity.factors.delete(factor.sid)
  announce(account, entity, factor, "factor.deleted")
  return Wire.deleted
})

/**
 * `GET …/Entities/{Identity}/Factors`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const list = withEntity(({ account, baseUrl, params }, _, entity) =>
  Wire.page(
    params,
    [...entity.factors.values()],
    "factors",
    `${entityUrl(baseUrl, entity)}/Factors`,
    (factor) => body(account, entity, factor, baseUrl)
  )
)
