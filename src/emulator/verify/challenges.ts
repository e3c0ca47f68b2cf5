/**
 * Challenges (verify-api.md §5–6): a TOTP code checked on creation or by an
 * update with `AuthPayload`, or a push the user answers. Push answers come
 * from the control API or the in-process handle (`decide`), since the
 * device's signed payload is the SDK's secret format; each answer fires the
 * service's webhooks (webhooks.ts). A challenge expires at its
 * `ExpirationDate` (default 5 minutes, at most 60) by the account's clock.
 *
 * @since 0.2.0
 */
import type { Reply } from "../core/dialect.js"
import { eventFields as factorFields, acceptCode } from "./factors.js"
import { invalid, limits, url as entityUrl, withEntity } from "./entities.js"
import type { Context } from "./request.js"
import type { Account, Challenge, Entity, VerifyService } from "./State.js"
import * as Wire from "./wire.js"

/**
 * Lifetimes and bounds of a challenge's inputs.
 *
 * @since 0.2.0
 * @category limits
 */
export const challengeLimits = {
  defaultLifetimeMillis: 5 * 60 * 1000,
  maxLifetimeMillis: 60 * 60 * 1000,
  maxAttempts: 5,
  maxMessage: 256,
  maxFields: 20,
  maxLabel: 36,
  maxValue: 128,
  maxHiddenDetails: 1024
} as const

/**
 * A challenge's status at `now`.
 *
 * @since 0.2.0
 * @category lifecycle
 */
export const statusAt = (challenge: Challenge, now: number): "pending" | "approved" | "denied" | "expired" =>
  challenge.answer !== undefined ? challenge.answer.status : now >= challenge.expiresAt ? "expired" : "pending"

const url = (baseUrl: string, entity: Entity, challenge: Challenge) =>
  `${entityUrl(baseUrl, entity)}/Challenges/${challenge.sid}`

/**
 * A challenge as the API shows it.
 *
 * @since 0.2.0
 * @category encoding
 */
export const body = (account: Account, entity: Entity, challenge: Challenge, now: number, baseUrl: string) => {
  const self = url(baseUrl, entity, challenge)
  return {
    sid: challenge.sid,
    account_sid: account.credentials.accountSid,
    service_sid: challenge.serviceSid,
    entity_sid: challenge.entitySid,
    identity: challenge.identity,
    factor_sid: challenge.factorSid,
    date_created: Wire.iso(challenge.createdAt),
    date_updated: Wire.iso(challenge.updatedAt),
    date_responded: challenge.answer === undefined ? null : Wire.iso(challenge.answer.at),
    expiration_date: Wire.iso(challenge.expiresAt),
    status: statusAt(challenge, now),
    responded_reason: "none",
    details: challenge.details,
    hidden_details: challenge.hiddenDetails,
    metadata: challenge.metadata,
    factor_type: challenge.factorType,
    url: self,
    links: { notifications: `${self}/Notifications` }
  }
}

/** `Details.Fields`: each a JSON `{"label":…,"value":…}`. */
const fieldsOf = (params: Context["params"]): Array<{ label: string; value: string }> | Wire.Refusal => {
  const raw = Wire.params(params, "Details.Fields")
  if (raw.length > challengeLimits.maxFields) {
    return new Wire.Refusal(invalid("Details.Fields", `at most ${challengeLimits.maxFields}`))
  }
  const out: Array<{ label: string; value: string }> = []
  for (const text of raw) {
    const field = text.length > 1024 ? undefined : Wire.parseObject(text)
    const label = field?.label
    const value = field?.value
    if (
      typeof label !== "string" || typeof value !== "string" || label.length > challengeLimits.maxLabel ||
      value.length > challengeLimits.maxValue
    ) {
      return new Wire.Refusal(invalid("Details.Fields", "each must be {\"label\":…,\"value\":…} within 36 and 128 characters"))
    }
    out.push({ label, value })
  }
  return out
}

/** `ExpirationDate`: ISO-8601, after now, at most 60 minutes ahead. */
const expiryOf = (params: Context["params"], now: number): number | Wire.Refusal => {
  const text = Wire.param(params, "ExpirationDate")
  if (text === undefined) return now + challengeLimits.defaultLifetimeMillis
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : NaN
  return Number.isFinite(at) && at > now && at <= now + challengeLimits.maxLifetimeMillis
    ? at
    : new Wire.Refusal(invalid("ExpirationDate", "must be an ISO-8601 time within the next 60 minutes"))
}

/**
 * `POST …/Entities/{Identity}/Challenges` → 201. A TOTP challenge with a
 * correct `AuthPayload` is approved at once; with a wrong one it stays
 * pending (counted towards 60308).
 *
 * @since 0.2.0
 * @category endpoints
 */
export const create = withEntity(({ account, baseUrl, now, params }, _, entity) => {
  const factor = entity.factors.get(Wire.param(params, "FactorSid") ?? "")
  if (factor === undefined) return invalid("FactorSid")
  if (factor.status !== "verified") return invalid("FactorSid", "the factor is not verified")
  const message = Wire.text(params, "Details.Message", challengeLimits.maxMessage)
  if (Wire.isRefusal(message)) return message.reply
  if (factor.type === "push" && (message === undefined || message.trim() === "")) return invalid("Details.Message")
  const fields = fieldsOf(params)
  if (Wire.isRefusal(fields)) return fields.reply
  const hidden = Wire.stringObject(params, "HiddenDetails", challengeLimits.maxHiddenDetails)
  if (Wire.isRefusal(hidden)) return hidden.reply
  const expiresAt = expiryOf(params, now)
  if (Wire.isRefusal(expiresAt)) return expiresAt.reply
  const challenge: Challenge = {
    sid: Wire.sid("YC"),
    serviceSid: entity.serviceSid,
    entitySid: entity.sid,
    identity: entity.identity,
    factorSid: factor.sid,
    factorType: factor.type,
    createdAt: now,
    updatedAt: now,
    expiresAt,
    answer: undefined,
    details: message === undefined ? null : { message, fields },
    hiddenDetails: hidden ?? null,
    metadata: null,
    attempts: 0
  }
  const payload = Wire.param(params, "AuthPayload")
  if (factor.type === "totp" && payload !== undefined) {
    if (acceptCode(factor, payload, now)) challenge.answer = { status: "approved", at: now }
    else challenge.attempts += 1
  }
  entity.challenges.set(challenge.sid, challenge)
  if (entity.challenges.size > limits.maxChallenges) {
    const oldest = entity.challenges.keys().next().value
    if (oldest !== undefined) entity.challenges.delete(oldest)
  }
  return Wire.created(body(account, entity, challenge, now, baseUrl))
})

const withChallenge = (f: (context: Context, entity: Entity, challenge: Challenge) => Reply) =>
  withEntity((context, _, entity) => {
    const challenge = entity.challenges.get(context.path.challenge ?? "")
    return challenge === undefined
      ? Wire.notFound(`/v2/Services/${entity.serviceSid}/Entities/${entity.identity}/Challenges/${context.path.challenge ?? ""}`)
      : f(context, entity, challenge)
  })

/**
 * `GET …/Challenges/{Sid}`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const fetch = withChallenge(({ account, baseUrl, now }, entity, challenge) =>
  Wire.ok(body(account, entity, challenge, now, baseUrl))
)

/**
 * `POST …/Challenges/{Sid}` with `AuthPayload`: completes a pending TOTP
 * challenge (a wrong code leaves it pending; the 6th attempt is 429 60308).
 * A push challenge is answered by its device, which the emulator is: its
 * payload is refused with 403 60324, and the control API answers it.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const update = withChallenge(({ account, baseUrl, now, params }, entity, challenge) => {
  const payload = Wire.param(params, "AuthPayload")
  const metadata = Wire.stringObject(params, "Metadata", 1024)
  if (Wire.isRefusal(metadata)) return metadata.reply
  if (payload !== undefined) {
    if (challenge.factorType === "push") {
      return Wire.error(
        403,
        60324,
        "Challenge verification failed: the emulator answers push challenges through POST /__emulator/challenges/{sid}/approve or /deny"
      )
    }
    if (payload.length < 3 || payload.length > 8) return invalid("AuthPayload")
    if (statusAt(challenge, now) === "pending") {
      if (challenge.attempts >= challengeLimits.maxAttempts) {
        return Wire.error(429, 60308, "Too many challenge verification attempts")
      }
      const factor = entity.factors.get(challenge.factorSid)
      if (factor !== undefined && acceptCode(factor, payload, now)) challenge.answer = { status: "approved", at: now }
      else challenge.attempts += 1
    }
  }
  if (metadata !== undefined) challenge.metadata = metadata
  challenge.updatedAt = now
  return Wire.ok(body(account, entity, challenge, now, baseUrl))
})

/**
 * `GET …/Challenges` with optional `FactorSid`, `Status` and `Order`
 * (`asc`, the default, or `desc`).
 *
 * @since 0.2.0
 * @category endpoints
 */
export const list = withEntity(({ account, baseUrl, now, params }, _, entity) => {
  const factorSid = Wire.param(params, "FactorSid")
  const status = Wire.param(params, "Status")
  const order = Wire.param(params, "Order") ?? "asc"
  if (order !== "asc" && order !== "desc") return invalid("Order")
  const all = [...entity.challenges.values()].filter((c) =>
    (factorSid === undefined || c.factorSid === factorSid) && (status === undefined || statusAt(c, now) === status)
  )
  const filters = [
    ...(factorSid === undefined ? [] : [["FactorSid", factorSid] as const]),
    ...(status === undefined ? [] : [["Status", status] as const]),
    ["Order", order] as const
  ]
  return Wire.page(
    params,
    order === "desc" ? all.reverse() : all,
    "challenges",
    `${entityUrl(baseUrl, entity)}/Challenges`,
    (c) => body(account, entity, c, now, baseUrl),
    filters
  )
})

/**
 * Why a challenge could not be answered.
 *
 * @since 0.2.0
 * @category models
 */
export type DecisionFailure = "NotFound" | "NotPending"

/**
 * Finds a challenge by SID anywhere in the account.
 *
 * @since 0.2.0
 * @category lookups
 */
export const find = (
  account: Account,
  sid: string
): { readonly service: VerifyService; readonly entity: Entity; readonly challenge: Challenge } | undefined => {
  for (const service of account.services.values()) {
    for (const entity of service.entities.values()) {
      const challenge = entity.challenges.get(sid)
      if (challenge !== undefined) return { service, entity, challenge }
    }
  }
  return undefined
}

/**
 * Answers a pending challenge as the user's device would, and queues the
 * `challenge.approved` or `challenge.denied` event for the service's
 * webhooks.
 *
 * @since 0.2.0
 * @category lifecycle
 */
export const decide = (
  account: Account,
  now: number,
  sid: string,
  status: "approved" | "denied"
): { readonly entity: Entity; readonly challenge: Challenge } | DecisionFailure => {
  const found = find(account, sid)
  if (found === undefined) return "NotFound"
  const { challenge, entity } = found
  if (statusAt(challenge, now) !== "pending") return "NotPending"
  challenge.answer = { status, at: now }
  challenge.updatedAt = now
  const factor = entity.factors.get(challenge.factorSid)
  account.events.push({
    type: status === "approved" ? "challenge.approved" : "challenge.denied",
    serviceSid: challenge.serviceSid,
    fields: {
      ...(factor === undefined ? {} : factorFields(account, entity, factor)),
      account_sid: account.credentials.accountSid,
      service_sid: challenge.serviceSid,
      entity_identity: entity.identity,
      factor_sid: challenge.factorSid,
      factor_type: challenge.factorType,
      challenge_sid: challenge.sid,
      challenge_status: status,
      challenge_details: JSON.stringify(challenge.details ?? {}),
      challenge_hidden_details: JSON.stringify(challenge.hiddenDetails ?? {}),
      challenge_date_responded: Wire.iso(now)
    }
  })
  return found
}

/**
 * Every challenge of the account, optionally of one identity, oldest first.
 *
 * @since 0.2.0
 * @category lookups
 */
export const all = (
  account: Account,
  identity: string | undefined
): ReadonlyArray<{ readonly entity: Entity; readonly challenge: Challenge }> => {
  const out: Array<{ entity: Entity; challenge: Challenge }> = []
  for (const service of account.services.values()) {
    for (const entity of service.entities.values()) {
      if (identity !== undefined && entity.identity !== identity) continue
      for (const challenge of entity.challenges.values()) out.push({ entity, challenge })
    }
  }
  return out.sort((a, b) => a.challenge.createdAt - b.challenge.createdAt)
}
