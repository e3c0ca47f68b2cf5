/**
 * The Verify side of the state file: an account's services with their
 * settings, entities, and factors with their secrets (TOTP seeds, push
 * keys), as a Schema of the file's JSON (snake_case) and the two directions
 * between it and an account. Verifications, challenges, webhooks and
 * messages are passing traffic or wiring, not a world to start from: they
 * are not kept.
 *
 * @since 0.3.0
 */
import { Schema } from "effect"
import { Instant } from "../authy/snapshot.js"
import type { Account, Entity, Factor, VerifyService } from "./State.js"

/**
 * The file's limits for an account.
 *
 * @since 0.3.0
 * @category limits
 */
export const limits = { maxAccounts: 100, maxServices: 100, maxEntities: 10_000, maxFactors: 20 } as const

const sid = (prefix: string) =>
  Schema.String.pipe(Schema.pattern(new RegExp(`^${prefix}[0-9a-f]{32}$`), { message: () => `must be ${prefix} + 32 hex digits` }))

const Text = (max: number) => Schema.String.pipe(Schema.minLength(1), Schema.maxLength(max))

const Metadata = Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.String }))

const TotpFactor = Schema.Struct({
  sid: sid("YF"),
  type: Schema.Literal("totp"),
  friendly_name: Text(64),
  status: Schema.Literal("unverified", "verified"),
  created_at: Schema.optional(Instant),
  metadata: Schema.optional(Metadata),
  secret: Schema.String.pipe(Schema.pattern(/^[A-Z2-7]{16,128}$/, { message: () => "must be a base32 secret" })),
  config: Schema.Struct({
    code_length: Schema.Int.pipe(Schema.between(3, 8)),
    time_step: Schema.Int.pipe(Schema.between(20, 60)),
    skew: Schema.Int.pipe(Schema.between(0, 2)),
    alg: Schema.Literal("sha1", "sha256", "sha512")
  })
})

const PushFactor = Schema.Struct({
  sid: sid("YF"),
  type: Schema.Literal("push"),
  friendly_name: Text(64),
  status: Schema.Literal("unverified", "verified"),
  created_at: Schema.optional(Instant),
  metadata: Schema.optional(Metadata),
  binding: Schema.Struct({ alg: Text(32), public_key: Text(4096) }),
  config: Schema.Struct({
    app_id: Schema.String.pipe(Schema.maxLength(256)),
    notification_platform: Text(32),
    notification_token: Schema.optional(Schema.NullOr(Schema.String.pipe(Schema.maxLength(4096)))),
    sdk_version: Schema.optional(Schema.NullOr(Schema.String.pipe(Schema.maxLength(64))))
  })
})

/**
 * A factor: a TOTP secret or a push device's key.
 *
 * @since 0.3.0
 * @category schemas
 */
export const FactorEntry = Schema.Union(TotpFactor, PushFactor)

/**
 * An entity by its identity.
 *
 * @since 0.3.0
 * @category schemas
 */
export const EntityEntry = Schema.Struct({
  sid: sid("YE"),
  identity: Schema.String.pipe(Schema.pattern(/^[\w.@+-]{1,64}$/, { message: () => "must be 1 to 64 of A-Z a-z 0-9 _ . @ + -" })),
  created_at: Schema.optional(Instant),
  factors: Schema.optional(Schema.Array(FactorEntry).pipe(Schema.maxItems(limits.maxFactors)))
})

/**
 * A Verify service and its settings.
 *
 * @since 0.3.0
 * @category schemas
 */
export const ServiceEntry = Schema.Struct({
  sid: sid("VA"),
  friendly_name: Text(64),
  code_length: Schema.optional(Schema.Int.pipe(Schema.between(4, 10))),
  lookup_enabled: Schema.optional(Schema.Boolean),
  skip_sms_to_landlines: Schema.optional(Schema.Boolean),
  dtmf_input_required: Schema.optional(Schema.Boolean),
  tts_name: Schema.optional(Schema.NullOr(Text(64))),
  psd2_enabled: Schema.optional(Schema.Boolean),
  do_not_share_warning_enabled: Schema.optional(Schema.Boolean),
  custom_code_enabled: Schema.optional(Schema.Boolean),
  totp: Schema.optional(Schema.Struct({
    issuer: Schema.optional(Schema.NullOr(Text(64))),
    time_step: Schema.optional(Schema.Int.pipe(Schema.between(20, 60))),
    code_length: Schema.optional(Schema.Int.pipe(Schema.between(3, 8))),
    skew: Schema.optional(Schema.Int.pipe(Schema.between(0, 2)))
  })),
  created_at: Schema.optional(Instant),
  entities: Schema.optional(Schema.Array(EntityEntry).pipe(Schema.maxItems(limits.maxEntities)))
})

/**
 * One account by its SID; `auth_token` serves a new account when the file is
 * loaded at start (`--state`), and is ignored by a `PUT`.
 *
 * @since 0.3.0
 * @category schemas
 */
export const AccountEntry = Schema.Struct({
  account_sid: sid("AC"),
  auth_token: Schema.optional(Text(256)),
  services: Schema.optional(Schema.Array(ServiceEntry).pipe(Schema.maxItems(limits.maxServices)))
})

/**
 * @since 0.3.0
 * @category models
 */
export type AccountEntry = typeof AccountEntry.Type

/**
 * The rules across entries: service, entity and factor SIDs unique in the
 * account, identities unique in a service. The path is inside the account.
 *
 * @since 0.3.0
 * @category validation
 */
export const check = (entry: AccountEntry): { readonly path: ReadonlyArray<string | number>; readonly message: string } | undefined => {
  const sids = new Set<string>()
  const seen = (s: string) => (sids.has(s) ? true : (sids.add(s), false))
  for (const [i, service] of (entry.services ?? []).entries()) {
    if (seen(service.sid)) return { path: ["services", i, "sid"], message: `duplicate SID ${service.sid}` }
    const identities = new Set<string>()
    for (const [j, entity] of (service.entities ?? []).entries()) {
      const at = ["services", i, "entities", j]
      if (identities.has(entity.identity)) return { path: [...at, "identity"], message: "duplicate identity in the service" }
      identities.add(entity.identity)
      if (seen(entity.sid)) return { path: [...at, "sid"], message: `duplicate SID ${entity.sid}` }
      for (const [k, factor] of (entity.factors ?? []).entries()) {
        if (seen(factor.sid)) return { path: [...at, "factors", k, "sid"], message: `duplicate SID ${factor.sid}` }
      }
    }
  }
  return undefined
}

const millis = (iso: string | undefined, fallback: number) => (iso === undefined ? fallback : Date.parse(iso))

const factor = (entry: typeof FactorEntry.Type, now: number): Factor => {
  const base = {
    sid: entry.sid,
    friendlyName: entry.friendly_name,
    status: entry.status,
    createdAt: millis(entry.created_at, now),
    updatedAt: millis(entry.created_at, now),
    metadata: entry.metadata ?? null,
    verifyAttempts: 0
  }
  if (entry.type === "totp") {
    const { alg, code_length, skew, time_step } = entry.config
    return {
      ...base,
      type: "totp",
      secret: entry.secret,
      config: { digits: code_length, stepSeconds: time_step, alg, skew },
      usedCounters: new Set()
    }
  }
  return {
    ...base,
    type: "push",
    binding: { alg: entry.binding.alg, publicKey: entry.binding.public_key },
    config: {
      appId: entry.config.app_id,
      notificationPlatform: entry.config.notification_platform,
      notificationToken: entry.config.notification_token ?? null,
      sdkVersion: entry.config.sdk_version ?? null
    }
  }
}

const entity = (entry: typeof EntityEntry.Type, serviceSid: string, now: number): Entity => ({
  sid: entry.sid,
  identity: entry.identity,
  serviceSid,
  createdAt: millis(entry.created_at, now),
  factors: new Map((entry.factors ?? []).map((f) => [f.sid, factor(f, now)])),
  challenges: new Map()
})

const service = (entry: typeof ServiceEntry.Type, now: number): VerifyService => ({
  sid: entry.sid,
  friendlyName: entry.friendly_name,
  codeLength: entry.code_length ?? 6,
  lookupEnabled: entry.lookup_enabled ?? false,
  skipSmsToLandlines: entry.skip_sms_to_landlines ?? false,
  dtmfInputRequired: entry.dtmf_input_required ?? true,
  ttsName: entry.tts_name ?? null,
  psd2Enabled: entry.psd2_enabled ?? false,
  doNotShareWarningEnabled: entry.do_not_share_warning_enabled ?? false,
  customCodeEnabled: entry.custom_code_enabled ?? false,
  totp: {
    issuer: entry.totp?.issuer ?? null,
    timeStep: entry.totp?.time_step ?? 30,
    codeLength: entry.totp?.code_length ?? 6,
    skew: entry.totp?.skew ?? 1
  },
  createdAt: millis(entry.created_at, now),
  updatedAt: millis(entry.created_at, now),
  verifications: new Map(),
  liveByTo: new Map(),
  entities: new Map((entry.entities ?? []).map((e) => [e.identity, entity(e, entry.sid, now)])),
  webhooks: new Map()
})

/**
 * Replaces the account's services with the entry's (checked first).
 *
 * @since 0.3.0
 * @category import
 */
export const load = (account: Account, entry: AccountEntry, now: number): void => {
  account.services.clear()
  account.messages.length = 0
  account.deliveries.length = 0
  for (const s of entry.services ?? []) account.services.set(s.sid, service(s, now))
}

const iso = (millis: number) => new Date(millis).toISOString()

const factorEntry = (f: Factor): typeof FactorEntry.Type => {
  const base = {
    sid: f.sid,
    friendly_name: f.friendlyName,
    status: f.status,
    created_at: iso(f.createdAt),
    metadata: f.metadata
  }
  return f.type === "totp"
    ? {
      ...base,
      type: "totp",
      secret: f.secret,
      config: { code_length: f.config.digits, time_step: f.config.stepSeconds, skew: f.config.skew, alg: f.config.alg }
    }
    : {
      ...base,
      type: "push",
      binding: { alg: f.binding.alg, public_key: f.binding.publicKey },
      config: {
        app_id: f.config.appId,
        notification_platform: f.config.notificationPlatform,
        notification_token: f.config.notificationToken,
        sdk_version: f.config.sdkVersion
      }
    }
}

/**
 * An account as a file entry: everything {@link load} reads back.
 *
 * @since 0.3.0
 * @category export
 */
export const fromAccount = (account: Account): AccountEntry => ({
  account_sid: account.credentials.accountSid,
  auth_token: account.credentials.authToken,
  services: [...account.services.values()].map((s) => ({
    sid: s.sid,
    friendly_name: s.friendlyName,
    code_length: s.codeLength,
    lookup_enabled: s.lookupEnabled,
    skip_sms_to_landlines: s.skipSmsToLandlines,
    dtmf_input_required: s.dtmfInputRequired,
    tts_name: s.ttsName,
    psd2_enabled: s.psd2Enabled,
    do_not_share_warning_enabled: s.doNotShareWarningEnabled,
    custom_code_enabled: s.customCodeEnabled,
    totp: { issuer: s.totp.issuer, time_step: s.totp.timeStep, code_length: s.totp.codeLength, skew: s.totp.skew },
    created_at: iso(s.createdAt),
    entities: [...s.entities.values()].map((e) => ({
      sid: e.sid,
      identity: e.identity,
      created_at: iso(e.createdAt),
      factors: [...e.factors.values()].map(factorEntry)
    }))
  }))
})
