/**
 * Service webhooks (verify-api.md §6): create (201), fetch, update, delete
 * (204), list. Where factor and challenge events go; webhookDelivery.ts
 * sends them.
 *
 * @since 0.2.0
 */
import type { Reply } from "../core/dialect.js"
import { invalid } from "./entities.js"
import type { Context } from "./request.js"
import { withService } from "./services.js"
import type { Account, VerifyService, Webhook } from "./State.js"
import * as Wire from "./wire.js"

/**
 * The event types a webhook may subscribe to (`*`: all).
 *
 * @since 0.2.0
 * @category constants
 */
export const eventTypes: ReadonlyArray<string> = [
  "*",
  "factor.created",
  "factor.verified",
  "factor.deleted",
  "challenge.approved",
  "challenge.denied"
]

/**
 * Webhooks one service may hold in the emulator.
 *
 * @since 0.2.0
 * @category limits
 */
export const maxWebhooks = 20

const body = (account: Account, webhook: Webhook, baseUrl: string) => ({
  sid: webhook.sid,
  service_sid: webhook.serviceSid,
  account_sid: account.credentials.accountSid,
  friendly_name: webhook.friendlyName,
  event_types: webhook.eventTypes,
  status: webhook.status,
  version: webhook.version,
  webhook_url: webhook.url,
  webhook_method: "POST",
  date_created: Wire.iso(webhook.createdAt),
  date_updated: Wire.iso(webhook.updatedAt),
  url: `${baseUrl}/v2/Services/${webhook.serviceSid}/Webhooks/${webhook.sid}`
})

const httpUrl = (text: string): string | undefined => {
  if (text.length > 2048) return undefined
  try {
    const url = new URL(text)
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined
  } catch {
    return undefined
  }
}

/** The settings a create or update carries, over `base`; the 400 when one is unusable. */
const settings = (
  params: Context["params"],
  base: Pick<Webhook, "friendlyName" | "eventTypes" | "status" | "version" | "url">
): Pick<Webhook, "friendlyName" | "eventTypes" | "status" | "version" | "url"> | Reply => {
  const friendlyName = Wire.text(params, "FriendlyName", 64)
  if (Wire.isRefusal(friendlyName)) return friendlyName.reply
  const types = Wire.params(params, "EventTypes")
  if (types.length > eventTypes.length || types.some((t) => !eventTypes.includes(t))) return invalid("EventTypes")
  const status = Wire.param(params, "Status") ?? base.status
  if (status !== "enabled" && status !== "disabled") return invalid("Status")
  const version = Wire.param(params, "Version") ?? base.version
  if (version !== "v1" && version !== "v2") return invalid("Version")
  const given = Wire.param(params, "WebhookUrl")
  const url = given === undefined ? base.url : httpUrl(given)
  if (url === undefined) return invalid("WebhookUrl")
  return {
    friendlyName: friendlyName ?? base.friendlyName,
    eventTypes: types.length === 0 ? base.eventTypes : [...new Set(types)],
    status,
    version,
    url
  }
}

type Settings = Pick<Webhook, "friendlyName" | "eventTypes" | "status" | "version" | "url">

const isSettings = (u: Settings | Reply): u is Settings => "eventTypes" in u

/**
 * `POST /v2/Services/{S}/Webhooks` → 201 (`FriendlyName`, `EventTypes` and
 * `WebhookUrl` required).
 *
 * @since 0.2.0
 * @category endpoints
 */
export const create = withService(({ account, baseUrl, now, params }, service) => {
  for (const name of ["FriendlyName", "EventTypes", "WebhookUrl"]) {
    if (Wire.param(params, name) === undefined) return invalid(name, "required")
  }
  if (service.webhooks.size >= maxWebhooks) return invalid("Webhooks", `a service holds at most ${maxWebhooks}`)
  const parsed = settings(params, { friendlyName: "", eventTypes: [], status: "enabled", version: "v2", url: "" })
  if (!isSettings(parsed)) return parsed
  const webhook: Webhook = { sid: Wire.sid("YW"), serviceSid: service.sid, createdAt: now, updatedAt: now, ...parsed }
  service.webhooks.set(webhook.sid, webhook)
  return Wire.created(body(account, webhook, baseUrl))
})

const withWebhook = (f: (context: Context, service: VerifyService, webhook: Webhook) => Reply) =>
  withService((context, service) => {
    const webhook = service.webhooks.get(context.path.webhook ?? "")
    return webhook === undefined
      ? Wire.notFound(`/v2/Services/${service.sid}/Webhooks/${context.path.webhook ?? ""}`)
      : f(context, service, webhook)
  })

/**
 * `GET /v2/Services/{S}/Webhooks/{Sid}`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const fetch = withWebhook(({ account, baseUrl }, _, webhook) => Wire.ok(body(account, webhook, baseUrl)))

/**
 * `POST /v2/Services/{S}/Webhooks/{Sid}`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const update = withWebhook(({ account, baseUrl, now, params }, _, webhook) => {
  const parsed = settings(params, webhook)
  if (!isSettings(parsed)) return parsed
  Object.assign(webhook, parsed, { updatedAt: now })
  return Wire.ok(body(account, webhook, baseUrl))
})

/**
 * `DELETE /v2/Services/{S}/Webhooks/{Sid}` → 204.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const remove = withWebhook((_, service, webhook) => {
  service.webhooks.delete(webhook.sid)
  return Wire.deleted
})

/**
 * `GET /v2/Services/{S}/Webhooks`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const list = withService(({ account, baseUrl, params }, service) =>
  Wire.page(
    params,
    [...service.webhooks.values()],
    "webhooks",
    `${baseUrl}/v2/Services/${service.sid}/Webhooks`,
    (webhook) => body(account, webhook, baseUrl)
  )
)

/**
 * The enabled webhooks of a service subscribed to an event type.
 *
 * @since 0.2.0
 * @category events
 */
export const subscribed = (service: VerifyService, type: string): ReadonlyArray<Webhook> =>
  [...service.webhooks.values()].filter((w) =>
    w.status === "enabled" && (w.eventTypes.includes("*") || w.eventTypes.includes(type))
  )
