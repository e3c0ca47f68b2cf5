/**
 * Lookup v2 (verify-api.md §7): the `phones/info` replacement.
 *
 * @internal
 */
import { Effect, Schema } from "effect"
import type { LookupApi, LookupField, LookupOptions } from "../../verify/Models.js"
import { PhoneNumber } from "../../verify/Responses.js"
import { type Context, program, seg } from "./common.js"
import * as Validate from "./validate.js"

const decode = Schema.decodeUnknownEither(PhoneNumber)

const lookupFields: ReadonlyArray<LookupField> = [
  "validation", "caller_name", "sim_swap", "call_forwarding", "line_status", "line_type_intelligence",
  "identity_match", "reassigned_number", "sms_pumping_risk", "phone_number_quality_score", "pre_fill"
]

/** E.164, or a national number with `countryCode`: digits and the usual separators only. */
const number = (value: unknown, countryCode: string | undefined) =>
  countryCode === undefined
    ? Validate.recipient(value, "sms", "phoneNumber")
    : Validate.nationalNumber(value, "phoneNumber").pipe(Effect.map((n) => n.replace(/\D/g, "")))

/** @internal */
export const make = (ctx: Context): LookupApi => ({
  phoneNumber: program("Verify.lookup.phoneNumber", (phoneNumber: string, options?: LookupOptions) =>
    Effect.flatMap(Validate.options(options, ["fields", "countryCode"]), (o) =>
      Effect.flatMap(
        Effect.all({
          countryCode: Validate.optional(o.countryCode, (v) =>
            Validate.test("countryCode", () => /^[A-Z]{2}$/.test(v), "countryCode must be an ISO-3166 alpha-2 code (US)").pipe(Effect.as(v))),
          fields: Effect.flatMap(Validate.array(o.fields ?? ["line_type_intelligence"], "fields"), (fields) =>
            Effect.forEach(fields, (field) => Validate.oneOf(field, "fields", lookupFields)))
        }),
        ({ countryCode, fields }) =>
          Effect.flatMap(number(phoneNumber, countryCode), (n) =>
            ctx.lookup.execute({
              method: "GET",
              path: `/v2/PhoneNumbers/${seg(n)}`,
              // The number is a secret path parameter: spans and errors show this template.
              route: "/v2/PhoneNumbers/{PhoneNumber}",
              safety: "read-only",
              params: { Fields: fields.length === 0 ? undefined : fields.join(","), CountryCode: countryCode },
              decode
            }))
      )), "Lookup")
})
