/**
 * Service webhooks: where Twilio posts factor and challenge events
 * (`challenge.approved`, `challenge.denied`, `factor.verified`…). Receive
 * them with `VerifyWebhook`.
 *
 * @since 0.2.0
 */
import { Effect, Stream } from "effect"
import type { PageOptions, VerifyError, WebhookInput } from "./Models.js"
import type { Webhook } from "./Responses.js"
import { VerifyService } from "./VerifyService.js"

/**
 * Adds a webhook to the service (`POST …/Webhooks`, side-effecting).
 *
 * @example
 * ```ts
 * import { Webhooks } from "effect-authy/verify"
 *
 * const webhook = Webhooks.create({
 *   friendlyName: "login",
 *   eventTypes: ["challenge.approved", "challenge.denied"],
 *   webhookUrl: "https://example.com/twilio/webhook"
 * })
 * ```
 *
 * @since 0.2.0
 * @category webhooks
 */
export const create = (input: WebhookInput): Effect.Effect<Webhook, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.webhooks.create(input))

/**
 * Reads a webhook (`GET …/Webhooks/{Sid}`, read-only).
 *
 * @example
 * ```ts
 * import { Webhooks } from "effect-authy/verify"
 *
 * const webhook = Webhooks.fetch("YW" + "0".repeat(32))
 * ```
 *
 * @since 0.2.0
 * @category webhooks
 */
export const fetch = (webhookSid: string): Effect.Effect<Webhook, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.webhooks.fetch(webhookSid))

/**
 * The service's webhooks (`GET …/Webhooks`, read-only), page after page.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Webhooks } from "effect-authy/verify"
 *
 * const urls = Webhooks.list().pipe(Stream.map((w) => w.webhookUrl), Stream.runCollect)
 * ```
 *
 * @since 0.2.0
 * @category webhooks
 */
export const list = (options?: PageOptions): Stream.Stream<Webhook, VerifyError, VerifyService> =>
  Stream.unwrap(Effect.map(VerifyService, (verify) => verify.webhooks.list(options)))

/**
 * Removes a webhook (`DELETE …/Webhooks/{Sid}`, idempotent).
 *
 * @example
 * ```ts
 * import { Webhooks } from "effect-authy/verify"
 *
 * const removed = Webhooks.remove("YW" + "0".repeat(32))
 * ```
 *
 * @since 0.2.0
 * @category webhooks
 */
export const remove = (webhookSid: string): Effect.Effect<void, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.webhooks.remove(webhookSid))
