/**
 * Challenges: push approval requests and TOTP checks (verify-api.md §5–6),
 * and the wait for a push challenge's answer, on the core's polling loop.
 *
 * @internal
 */
import { Clock, Duration, Effect, Option, Schema } from "effect"
import type { Schedule } from "effect"
import { ValidationError } from "../../AuthyError.js"
import type { AwaitChallengeOptions, ChallengeInput, ChallengesApi, ListChallengesOptions, PollOutcome } from "../../verify/Models.js"
import { Challenge } from "../../verify/Responses.js"
import * as Polling from "../core/polling.js"
import { annotate } from "../core/span.js"
import { type Context, paged, program, seg, stamp, streamProgram } from "./common.js"
import * as Validate from "./validate.js"

const decode = Schema.decodeUnknownEither(Challenge)

/** Twilio's bounds on a push challenge's details (verify-api.md §6). */
const maxFields = 20
const maxLabel = 36
const maxValue = 128
const maxExpiryMillis = 60 * 60 * 1000

/** `YYYY-MM-DDTHH:mm:ssZ`, as Twilio's `ExpirationDate` wants it. */
const iso8601 = (millis: number) => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

const fieldsParam = (value: unknown) =>
  Effect.flatMap(Validate.array(value, "fields"), (items) =>
    items.length > maxFields
      ? Effect.fail(new ValidationError({ field: "fields", message: `fields must have at most ${maxFields} entries` }))
      : Effect.forEach(items, (item, i) =>
        Effect.flatMap(
          Validate.options(item as { label?: string; value?: string }, ["label", "value"], `fields[${i}]`, `fields[${i}].`),
          (f) =>
            Effect.map(
              Effect.zip(Validate.text(f.label, `fields[${i}].label`, 1, maxLabel), Validate.text(f.value, `fields[${i}].value`, 1, maxValue)),
              ([label, value]) => JSON.stringify({ label, value })
            )
        )))

const expirationParam = (value: unknown) =>
  Effect.flatMap(
    Validate.test("expiresIn", () => Option.isSome(Duration.decodeUnknown(value)), "expiresIn must be a duration"),
    () => {
      const millis = Duration.toMillis(Option.getOrThrow(Duration.decodeUnknown(value)))
      return millis > 0 && millis <= maxExpiryMillis
        ? Effect.map(Clock.currentTimeMillis, (now) => iso8601(now + millis))
        : Effect.fail(new ValidationError({ field: "expiresIn", message: "expiresIn must be above zero and at most 60 minutes" }))
    }
  )

const challengeParams = (input: ChallengeInput) =>
  Effect.flatMap(
    Validate.options(input, ["factorSid", "code", "message", "fields", "hiddenDetails", "expiresIn"], "input"),
    (i) =>
      Effect.all({
        FactorSid: Validate.sid(i.factorSid, "YF", "factorSid"),
        AuthPayload: Validate.optional(i.code, (v) => Validate.totpCode(v)),
        "Details.Message": Validate.optional(i.message, (v) => Validate.text(v, "message", 1, 256)),
        "Details.Fields": Validate.optional(i.fields, fieldsParam),
        HiddenDetails: Validate.optional(i.hiddenDetails, (v) => Validate.jsonStringMap(v, "hiddenDetails")),
        ExpirationDate: Validate.optional(i.expiresIn, expirationParam)
      })
  )

/**
 * A challenge, as the polling loop sees it: settled once not `pending`,
 * expiring at its `expiration_date`.
 *
 * @internal
 */
export const polledChallenge: Polling.Polled<Challenge> = {
  isSettled: (challenge) => challenge.status !== "pending",
  expiresAt: (challenge) => {
    const at = challenge.expirationDate == null ? Number.NaN : Date.parse(challenge.expirationDate)
    return Number.isNaN(at) ? undefined : at
  },
  status: (challenge) => challenge.status,
  what: "the challenge",
  service: "Verify"
}

/**
 * The default polling schedule of `awaitChallenge`: the core's, as for
 * OneTouch approvals.
 *
 * @internal
 */
export const defaultSchedule: Schedule.Schedule<Duration.Duration> = Polling.defaultSchedule

/** @internal */
export const make = (ctx: Context): ChallengesApi => {
  const challenges = (identity: string) => `/v2/Services/${seg(ctx.serviceSid)}/Entities/${seg(identity)}/Challenges`
  const route = "/v2/Services/{ServiceSid}/Entities/{Identity}/Challenges"
  const ids = (identity: string, challengeSid: string) =>
    Effect.zip(Validate.identity(identity), Validate.sid(challengeSid, "YC", "challengeSid"))
  const fetchEndpoint = (id: string, sid: string) => ({
    method: "GET" as const,
    path: `${challenges(id)}/${seg(sid)}`,
    route: `${route}/{Sid}`,
    safety: "read-only" as const,
    decode
  })

  return {
    // A push reaches the user's phone, a TOTP code uses an attempt: side-effecting.
    create: program("Verify.challenges.create", (identity: string, input: ChallengeInput) =>
      Effect.flatMap(Effect.zip(Validate.identity(identity), challengeParams(input)), ([id, params]) =>
        Effect.zipRight(
          annotate({ "verify.factor_sid": params.FactorSid }),
          ctx.verify.execute({ method: "POST", path: challenges(id), route, safety: "side-effecting", params, decode })
        ))),

    fetch: program("Verify.challenges.fetch", (identity: string, challengeSid: string) =>
      Effect.flatMap(ids(identity, challengeSid), ([id, sid]) => ctx.verify.execute(fetchEndpoint(id, sid)))),

    list: (identity: string, options?: ListChallengesOptions) =>
      streamProgram(
        Effect.flatMap(
          Effect.zip(Validate.identity(identity), Validate.options(options, ["pageSize", "factorSid", "status", "order"])),
          ([id, o]) =>
            Effect.map(
              Effect.all({
                PageSize: Validate.pageSize(o.pageSize),
                FactorSid: Validate.optional(o.factorSid, (v) => Validate.sid(v, "YF", "factorSid")),
                Status: Validate.optional(o.status, (v) => Validate.oneOf(v, "status", ["pending", "expired", "approved", "denied"] as const)),
                Order: Validate.optional(o.order, (v) => Validate.oneOf(v, "order", ["asc", "desc"] as const))
              }),
              (params) => paged(ctx.verify, { path: challenges(id), route, params }, "challenges", Challenge)
            )
        )
      ),

    // No span for the wait, none per poll (as OneTouch.awaitApproval): a
    // failed poll is recorded on the caller's span.
    awaitChallenge: (identity: string, challengeSid: string, options?: AwaitChallengeOptions) =>
      Effect.mapError(
        Effect.flatMap(Effect.zip(ids(identity, challengeSid), Polling.checkOptions(options)), ([[id, sid], o]) =>
          Polling.pollUntilSettled(
            polledChallenge,
            () => ctx.verify.execute(fetchEndpoint(id, sid)),
            (o.schedule as Schedule.Schedule<unknown, PollOutcome> | undefined) ?? defaultSchedule,
            { timeout: o.timeout as Duration.DurationInput | undefined }
          )),
        stamp("Verify")
      )
  }
}
