/**
 * Verifications and their checks (verify-api.md §3–4).
 *
 * @internal
 */
import { Effect, Schema } from "effect"
import { ValidationError } from "../../AuthyError.js"
import type { CheckInput, StartVerificationInput, VerificationsApi } from "../../verify/Models.js"
import { Verification, VerificationCheck } from "../../verify/Responses.js"
import { annotate } from "../core/span.js"
import { type Context, program, seg } from "./common.js"
import * as Validate from "./validate.js"

const decode = Schema.decodeUnknownEither(Verification)
const decodeCheck = Schema.decodeUnknownEither(VerificationCheck)

const channels = ["sms", "call", "email", "whatsapp", "sna"] as const

const startParams = (input: StartVerificationInput) =>
  Effect.flatMap(
    Validate.options(
      input,
      ["to", "channel", "locale", "customCode", "customFriendlyName", "sendDigits", "appHash", "templateSid", "amount", "payee"],
      "input"
    ),
    (i) =>
      Effect.flatMap(Validate.oneOf(i.channel, "channel", channels), (channel) =>
        Effect.all({
          To: Validate.recipient(i.to, channel),
          Channel: Effect.succeed(channel),
          Locale: Validate.optional(i.locale, (v) => Validate.text(v, "locale", 2, 16)),
          CustomCode: Validate.optional(i.customCode, (v) => Validate.code(v, "customCode")),
          CustomFriendlyName: Validate.optional(i.customFriendlyName, (v) => Validate.text(v, "customFriendlyName", 1, 30)),
          SendDigits: Validate.optional(i.sendDigits, (v) =>
            Validate.test("sendDigits", () => /^[\dwW#*]{1,32}$/.test(v), "sendDigits must be digits, w, # or *").pipe(Effect.as(v))),
          AppHash: Validate.optional(i.appHash, (v) => Validate.text(v, "appHash", 1, 64)),
          TemplateSid: Validate.optional(i.templateSid, (v) => Validate.sid(v, "HJ", "templateSid")),
          Amount: Validate.optional(i.amount, (v) => Validate.text(v, "amount", 1, 64)),
          Payee: Validate.optional(i.payee, (v) => Validate.text(v, "payee", 1, 255))
        })))

const checkParams = (input: CheckInput) =>
  Effect.flatMap(Validate.options(input as Partial<CheckInput & { to: string; verificationSid: string }>, ["to", "verificationSid", "code", "amount", "payee"], "input"), (i) =>
    i.to === undefined && i.verificationSid === undefined
      ? Effect.fail(new ValidationError({ field: "to", message: "to or verificationSid is required" }))
      : i.to !== undefined && i.verificationSid !== undefined
      ? Effect.fail(new ValidationError({ field: "to", message: "give to or verificationSid, not both" }))
      : Effect.all({
        Code: Validate.code(i.code),
        To: Validate.optional(i.to, (v) => Validate.anyRecipient(v)),
        VerificationSid: Validate.optional(i.verificationSid, (v) => Validate.sid(v, "VE", "verificationSid")),
        Amount: Validate.optional(i.amount, (v) => Validate.text(v, "amount", 1, 64)),
        Payee: Validate.optional(i.payee, (v) => Validate.text(v, "payee", 1, 255))
      }))

/** @internal */
export const make = (ctx: Context): VerificationsApi => {
  const base = `/v2/Services/${seg(ctx.serviceSid)}`

  /** `Status=canceled|approved`: the same update twice leaves the verification as it was. */
  const update = (name: string, status: "canceled" | "approved") =>
    program(name, (verificationSid: string) =>
      Effect.flatMap(Validate.sid(verificationSid, "VE", "verificationSid"), (sid) =>
        ctx.verify.execute({
          method: "POST",
          path: `${base}/Verifications/${seg(sid)}`,
          route: "/v2/Services/{ServiceSid}/Verifications/{Sid}",
          safety: "idempotent",
          params: { Status: status },
          decode
        })))

  return {
    // Sends a message: retried only if it provably never reached Twilio, or
    // Twilio says it was not processed (20429).
    start: program("Verify.verifications.start", (input: StartVerificationInput) =>
      Effect.flatMap(startParams(input), (params) =>
        Effect.zipRight(
          annotate({ "verify.channel": params.Channel }),
          ctx.verify.execute({
            method: "POST",
            path: `${base}/Verifications`,
            route: "/v2/Services/{ServiceSid}/Verifications",
            safety: "side-effecting",
            params,
            decode
          })
        ))),

    fetch: program("Verify.verifications.fetch", (verificationSid: string) =>
      Effect.flatMap(Validate.sid(verificationSid, "VE", "verificationSid"), (sid) =>
        ctx.verify.execute({
          method: "GET",
          path: `${base}/Verifications/${seg(sid)}`,
          route: "/v2/Services/{ServiceSid}/Verifications/{Sid}",
          safety: "read-only",
          decode
        }))),

    cancel: update("Verify.verifications.cancel", "canceled"),
    approve: update("Verify.verifications.approve", "approved"),

    // Consumes one of the verification's 5 check attempts: side-effecting.
    check: program("Verify.verifications.check", (input: CheckInput) =>
      Effect.flatMap(checkParams(input), (params) =>
        ctx.verify.execute({
          method: "POST",
          path: `${base}/VerificationCheck`,
          route: "/v2/Services/{ServiceSid}/VerificationCheck",
          safety: "side-effecting",
          params,
          decode: decodeCheck
        })))
  }
}
