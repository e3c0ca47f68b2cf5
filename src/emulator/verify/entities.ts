/**
 * Entities (verify-api.md §5): your users, by your own `Identity`, holding
 * their factors and challenges. Created explicitly, or by the first factor
 * created for an unknown identity (as Twilio staff describe it).
 *
 * @since 0.2.0
 */
import type { Reply } from "../core/dialect.js"
import type { Context } from "./request.js"
import { withService } from "./services.js"
import type { Account, Entity, VerifyService } from "./State.js"
import * as Wire from "./wire.js"

/**
 * Bounds on what one service keeps: entities, factors per entity,
 * challenges per entity (the oldest challenge goes first past it).
 *
 * @since 0.2.0
 * @category limits
 */
export const limits = { maxEntities: 10_000, maxFactors: 20, maxChallenges: 1000 } as const

/**
 * 400 60300: a Push/TOTP parameter is unusable (the 603xx family's code).
 *
 * @since 0.2.0
 * @category errors
 */
export const invalid = (name: string, reason?: string): Reply =>
  Wire.error(400, 60300, reason === undefined ? `Invalid parameter: ${name}` : `Invalid parameter: ${name}: ${reason}`)

/** Identity: your own id, 1 to 64 characters of letters, digits and `-_.@+` (8–64 dash-separated alphanumerics is Twilio's advice). */
const identityPattern = /^[\w.@+-]{1,64}$/

/**
 * The URL of an entity.
 *
 * @since 0.2.0
 * @category urls
 */
export const url = (baseUrl: string, entity: Entity): string =>
  `${baseUrl}/v2/Services/${entity.serviceSid}/Entities/${encodeURIComponent(entity.identity)}`

/**
 * An entity as the API shows it.
 *
 * @since 0.2.0
 * @category encoding
 */
export const body = (account: Account, entity: Entity, baseUrl: string) => {
  const self = url(baseUrl, entity)
  return {
    sid: entity.sid,
    identity: entity.identity,
    account_sid: account.credentials.accountSid,
    service_sid: entity.serviceSid,
    date_created: Wire.iso(entity.createdAt),
    date_updated: Wire.iso(entity.createdAt),
    url: self,
    links: { factors: `${self}/Factors`, challenges: `${self}/Challenges` }
  }
}

/**
 * The entity of an identity, created when new; the 400 or 429 to answer
 * when the identity is unusable or the service is full.
 *
 * @since 0.2.0
 * @category lookups
 */
export const ensure = (service: VerifyService, identity: string | undefined, now: number): Entity | Wire.Refusal => {
  if (identity === undefined || !identityPattern.test(identity)) return new Wire.Refusal(invalid("Identity"))
  const existing = service.entities.get(identity)
  if (existing !== undefined) return existing
  if (service.entities.size >= limits.maxEntities) {
    return new Wire.Refusal(Wire.error(429, 20429, `A service holds at most ${limits.maxEntities} entities in the emulator`))
  }
  const entity: Entity = {
    sid: Wire.sid("YE"),
    identity,
    serviceSid: service.sid,
    createdAt: now,
    factors: new Map(),
    challenges: new Map()
  }
  service.entities.set(identity, entity)
  return entity
}

/**
 * A handler body for routes under `…/Entities/{Identity}`: 404 20404 unless
 * the service has that entity.
 *
 * @since 0.2.0
 * @category lookups
 */
export const withEntity = (f: (context: Context, service: VerifyService, entity: Entity) => Reply) =>
  withService((context, service) => {
    const identity = context.path.identity ?? ""
    const entity = service.entities.get(identity)
    return entity === undefined
      ? Wire.notFound(`/v2/Services/${service.sid}/Entities/${identity}`)
      : f(context, service, entity)
  })

/**
 * `POST /v2/Services/{S}/Entities` → 201; an existing identity answers its
 * entity (the contract does not say Twilio refuses it).
 *
 * @since 0.2.0
 * @category endpoints
 */
export const create = withService(({ account, baseUrl, now, params }, service) => {
  const entity = ensure(service, Wire.param(params, "Identity"), now)
  return Wire.isRefusal(entity) ? entity.reply : Wire.created(body(account, entity, baseUrl))
})

/**
 * `GET /v2/Services/{S}/Entities/{Identity}`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const fetch = withEntity(({ account, baseUrl }, _, entity) => Wire.ok(body(account, entity, baseUrl)))

/**
 * `DELETE /v2/Services/{S}/Entities/{Identity}` → 204, with its factors and challenges.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const remove = withEntity((_, service, entity) => {
  service.entities.delete(entity.identity)
  return Wire.deleted
})

/**
 * `GET /v2/Services/{S}/Entities`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const list = withService(({ account, baseUrl, params }, service) =>
  Wire.page(
    params,
    [...service.entities.values()],
    "entities",
    `${baseUrl}/v2/Services/${service.sid}/Entities`,
    (entity) => body(account, entity, baseUrl)
  )
)
