/**
 * Entities and TOTP factors (verify-api.md §5).
 *
 * @internal
 */
import { Effect, Schema } from "effect"
import type { EntitiesApi, FactorsApi, PageOptions, TotpFactorInput } from "../../verify/Models.js"
import { Entity, Factor, NewFactor } from "../../verify/Responses.js"
import { type Context, decodeNothing, paged, program, seg, streamProgram } from "./common.js"
import * as Validate from "./validate.js"

const decodeEntity = Schema.decodeUnknownEither(Entity)
const decodeFactor = Schema.decodeUnknownEither(Factor)
const decodeNewFactor = Schema.decodeUnknownEither(NewFactor)

const totpParams = (input: TotpFactorInput) =>
  Effect.flatMap(
    Validate.options(input, ["friendlyName", "secret", "timeStep", "codeLength", "skew", "alg", "metadata"], "input"),
    (i) =>
      Effect.all({
        FriendlyName: Validate.text(i.friendlyName, "friendlyName", 1, 64),
        FactorType: Effect.succeed("totp"),
        "Binding.Secret": Validate.optional(i.secret, (v) => Validate.base32(v)),
        "Config.TimeStep": Validate.optional(i.timeStep, (v) => Validate.integer(v, "timeStep", 20, 60)),
        "Config.CodeLength": Validate.optional(i.codeLength, (v) => Validate.integer(v, "codeLength", 3, 8)),
        "Config.Skew": Validate.optional(i.skew, (v) => Validate.integer(v, "skew", 0, 2)),
        "Config.Alg": Validate.optional(i.alg, (v) => Validate.oneOf(v, "alg", ["sha1", "sha256", "sha512"] as const)),
        Metadata: Validate.optional(i.metadata, (v) => Validate.jsonStringMap(v, "metadata"))
      })
  )

/** @internal */
export const makeEntities = (ctx: Context): EntitiesApi => {
  const base = `/v2/Services/${seg(ctx.serviceSid)}/Entities`
  return {
    fetch: program("Verify.entities.fetch", (identity: string) =>
      Effect.flatMap(Validate.identity(identity), (id) =>
        ctx.verify.execute({
          method: "GET",
          path: `${base}/${seg(id)}`,
          route: "/v2/Services/{ServiceSid}/Entities/{Identity}",
          safety: "read-only",
          decode: decodeEntity
        }))),
    // Deleting twice leaves the same state (the second answers 404 20404).
    remove: program("Verify.entities.remove", (identity: string) =>
      Effect.flatMap(Validate.identity(identity), (id) =>
        ctx.verify.execute({
          method: "DELETE",
          path: `${base}/${seg(id)}`,
          route: "/v2/Services/{ServiceSid}/Entities/{Identity}",
          safety: "idempotent",
          noContent: true,
          decode: decodeNothing
        })))
  }
}

/** @internal */
export const makeFactors = (ctx: Context): FactorsApi => {
  const factors = (identity: string) => `/v2/Services/${seg(ctx.serviceSid)}/Entities/${seg(identity)}/Factors`
  const route = "/v2/Services/{ServiceSid}/Entities/{Identity}/Factors"
  const ids = (identity: string, factorSid: string) =>
    Effect.zip(Validate.identity(identity), Validate.sid(factorSid, "YF", "factorSid"))

  return {
    // Each call creates another factor (and its secret): side-effecting.
    createTotp: program("Verify.factors.createTotp", (identity: string, input: TotpFactorInput) =>
      Effect.flatMap(Effect.zip(Validate.identity(identity), totpParams(input)), ([id, params]) =>
        ctx.verify.execute({
          method: "POST",
          path: factors(id),
          route,
          safety: "side-effecting",
          params,
          decode: decodeNewFactor
        }))),

    // Consumes one of the factor's verification attempts (60310 after 5).
    verifyTotp: program("Verify.factors.verifyTotp", (identity: string, factorSid: string, code: string) =>
      Effect.flatMap(Effect.zip(ids(identity, factorSid), Validate.totpCode(code)), ([[id, sid], authPayload]) =>
        ctx.verify.execute({
          method: "POST",
          path: `${factors(id)}/${seg(sid)}`,
          route: `${route}/{Sid}`,
          safety: "side-effecting",
          params: { AuthPayload: authPayload },
          decode: decodeFactor
        }))),

    fetch: program("Verify.factors.fetch", (identity: string, factorSid: string) =>
      Effect.flatMap(ids(identity, factorSid), ([id, sid]) =>
        ctx.verify.execute({
          method: "GET",
          path: `${factors(id)}/${seg(sid)}`,
          route: `${route}/{Sid}`,
          safety: "read-only",
          decode: decodeFactor
        }))),

    list: (identity: string, options?: PageOptions) =>
      streamProgram(
        Effect.flatMap(Effect.zip(Validate.identity(identity), Validate.options(options, ["pageSize"])), ([id, o]) =>
          Effect.map(Validate.pageSize(o.pageSize), (pageSize) =>
            paged(ctx.verify, { path: factors(id), route, params: { PageSize: pageSize } }, "factors", Factor)))
      ),

    remove: program("Verify.factors.remove", (identity: string, factorSid: string) =>
      Effect.flatMap(ids(identity, factorSid), ([id, sid]) =>
        ctx.verify.execute({
          method: "DELETE",
          path: `${factors(id)}/${seg(sid)}`,
          route: `${route}/{Sid}`,
          safety: "idempotent",
          noContent: true,
          decode: decodeNothing
        })))
  }
}
