/**
 * Service webhooks (verify-api.md §6), and the check of their signatures
 * with the account's auth token, which never leaves the service.
 *
 * @internal
 */
import { Effect, Redacted, Schema } from "effect"
import type { PageOptions, SignatureCheck, WebhookInput, WebhooksApi } from "../../verify/Models.js"
import { Webhook } from "../../verify/Responses.js"
import { type Context, decodeNothing, paged, program, seg, streamProgram } from "./common.js"
import * as Signature from "./signature.js"
import * as Validate from "./validate.js"

const decode = Schema.decodeUnknownEither(Webhook)

const eventTypes = ["*", "factor.created", "factor.verified", "factor.deleted", "challenge.approved", "challenge.denied"] as const

const webhookParams = (input: WebhookInput) =>
  Effect.flatMap(Validate.options(input, ["friendlyName", "eventTypes", "webhookUrl", "status", "version"], "input"), (i) =>
    Effect.all({
      FriendlyName: Validate.text(i.friendlyName, "friendlyName", 1, 64),
      EventTypes: Effect.flatMap(Validate.array(i.eventTypes, "eventTypes"), (types) =>
        types.length === 0
          ? Validate.oneOf(undefined, "eventTypes", eventTypes).pipe(Effect.as([] as Array<string>))
          : Effect.forEach(types, (type) => Validate.oneOf(type, "eventTypes", eventTypes))),
      WebhookUrl: Validate.httpUrl(i.webhookUrl, "webhookUrl"),
      Status: Validate.optional(i.status, (v) => Validate.oneOf(v, "status", ["enabled", "disabled"] as const)),
      Version: Validate.optional(i.version, (v) => Validate.oneOf(v, "version", ["v1", "v2"] as const))
    }))

/** @internal */
export const make = (ctx: Context, authToken: Redacted.Redacted<string> | undefined): WebhooksApi => {
  const base = `/v2/Services/${seg(ctx.serviceSid)}/Webhooks`
  const route = "/v2/Services/{ServiceSid}/Webhooks"
  return {
    // Each call adds another webhook: side-effecting.
    create: program("Verify.webhooks.create", (input: WebhookInput) =>
      Effect.flatMap(webhookParams(input), (params) =>
        ctx.verify.execute({ method: "POST", path: base, route, safety: "side-effecting", params, decode }))),

    fetch: program("Verify.webhooks.fetch", (webhookSid: string) =>
      Effect.flatMap(Validate.sid(webhookSid, "YW", "webhookSid"), (sid) =>
        ctx.verify.execute({ method: "GET", path: `${base}/${seg(sid)}`, route: `${route}/{Sid}`, safety: "read-only", decode }))),

    list: (options?: PageOptions) =>
      streamProgram(
        Effect.flatMap(Validate.options(options, ["pageSize"]), (o) =>
          Effect.map(Validate.pageSize(o.pageSize), (pageSize) =>
            paged(ctx.verify, { path: base, route, params: { PageSize: pageSize } }, "webhooks", Webhook)))
      ),

    remove: program("Verify.webhooks.remove", (webhookSid: string) =>
      Effect.flatMap(Validate.sid(webhookSid, "YW", "webhookSid"), (sid) =>
        ctx.verify.execute({
          method: "DELETE",
          path: `${base}/${seg(sid)}`,
          route: `${route}/{Sid}`,
          safety: "idempotent",
          noContent: true,
          decode: decodeNothing
        }))),

    // Without an auth token (API-key credentials only), no signature is
    // genuine: an empty key would make every forged one check out.
    validateSignature: (input: SignatureCheck) =>
      authToken === undefined
        ? Effect.succeed(false)
        : Effect.sync(() => Signature.validate(Redacted.value(authToken), input.url, input.params, input.signature))
  }
}
