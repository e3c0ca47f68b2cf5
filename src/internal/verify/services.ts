/**
 * Verify Services (verify-api.md §2).
 *
 * @internal
 */
import { Effect, Schema } from "effect"
import type { ServiceInput, ServicesApi } from "../../verify/Models.js"
import { Service } from "../../verify/Responses.js"
import { type Context, program, seg } from "./common.js"
import * as Validate from "./validate.js"

const decode = Schema.decodeUnknownEither(Service)

const serviceKeys = [
  "friendlyName", "codeLength", "lookupEnabled", "skipSmsToLandlines", "dtmfInputRequired", "ttsName", "psd2Enabled",
  "doNotShareWarningEnabled", "customCodeEnabled", "defaultTemplateSid", "totp"
] as const

const bool = (value: unknown, field: string) => Validate.optional(value, (v) => Validate.boolean(v, field))

/** The form of a service's settings; `friendlyName` is required on create only. */
const serviceParams = (input: Partial<ServiceInput> | undefined, create: boolean) =>
  Effect.flatMap(Validate.options(input, serviceKeys, "input"), (i) =>
    Effect.flatMap(Validate.options(i.totp, ["issuer", "timeStep", "codeLength", "skew"], "totp", "totp."), (totp) =>
      Effect.all({
        FriendlyName: create || i.friendlyName !== undefined ? Validate.text(i.friendlyName, "friendlyName", 1, 30) : Effect.succeed(undefined),
        CodeLength: Validate.optional(i.codeLength, (v) => Validate.integer(v, "codeLength", 4, 10)),
        LookupEnabled: bool(i.lookupEnabled, "lookupEnabled"),
        SkipSmsToLandlines: bool(i.skipSmsToLandlines, "skipSmsToLandlines"),
        DtmfInputRequired: bool(i.dtmfInputRequired, "dtmfInputRequired"),
        TtsName: Validate.optional(i.ttsName, (v) => Validate.text(v, "ttsName", 1, 255)),
        Psd2Enabled: bool(i.psd2Enabled, "psd2Enabled"),
        DoNotShareWarningEnabled: bool(i.doNotShareWarningEnabled, "doNotShareWarningEnabled"),
        CustomCodeEnabled: bool(i.customCodeEnabled, "customCodeEnabled"),
        DefaultTemplateSid: Validate.optional(i.defaultTemplateSid, (v) => Validate.sid(v, "HJ", "defaultTemplateSid")),
        "Totp.Issuer": Validate.optional(totp.issuer, (v) => Validate.text(v, "totp.issuer", 1, 255)),
        "Totp.TimeStep": Validate.optional(totp.timeStep, (v) => Validate.integer(v, "totp.timeStep", 20, 60)),
        "Totp.CodeLength": Validate.optional(totp.codeLength, (v) => Validate.integer(v, "totp.codeLength", 3, 8)),
        "Totp.Skew": Validate.optional(totp.skew, (v) => Validate.integer(v, "totp.skew", 0, 2))
      })))

const serviceSidOr = (ctx: Context, sid: string | undefined) =>
  sid === undefined ? Effect.succeed(ctx.serviceSid) : Validate.sid(sid, "VA", "serviceSid")

/** @internal */
export const make = (ctx: Context): ServicesApi => ({
  create: program("Verify.services.create", (input: ServiceInput) =>
    Effect.flatMap(serviceParams(input, true), (params) =>
      ctx.verify.execute({ method: "POST", path: "/v2/Services", route: "/v2/Services", safety: "side-effecting", params, decode }))),

  fetch: program("Verify.services.fetch", (serviceSid?: string) =>
    Effect.flatMap(serviceSidOr(ctx, serviceSid), (sid) =>
      ctx.verify.execute({
        method: "GET",
        path: `/v2/Services/${seg(sid)}`,
        route: "/v2/Services/{Sid}",
        safety: "read-only",
        decode
      }))),

  // The same settings sent again leave the service as they were: idempotent.
  update: program("Verify.services.update", (input: Partial<ServiceInput>, serviceSid?: string) =>
    Effect.flatMap(Effect.zip(serviceSidOr(ctx, serviceSid), serviceParams(input, false)), ([sid, params]) =>
      ctx.verify.execute({
        method: "POST",
        path: `/v2/Services/${seg(sid)}`,
        route: "/v2/Services/{Sid}",
        safety: "idempotent",
        params,
        decode
      })))
})
