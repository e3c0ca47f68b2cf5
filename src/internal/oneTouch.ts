/**
 * OneTouch approval requests (authy-api.md §2.14–2.15).
 *
 * @internal
 */
import { Effect, Option, Schedule, Schema } from "effect"
import { type ApiError, NetworkError, ValidationError } from "../AuthyError.js"
import type { ApprovalRequestInput, Logo, OneTouchApi } from "../OneTouch.js"
import { ApprovalStatusResponse, SendApprovalResponse } from "../Responses.js"
import type { AuthyHttp } from "./http.js"
import * as Validate from "./validate.js"

const decodeSend = Schema.decodeUnknown(SendApprovalResponse)
const decodeStatus = Schema.decodeUnknown(ApprovalStatusResponse)

const logoResolutions = ["default", "low", "med", "high"] as const

const logos = (value: unknown) => {
  if (!Array.isArray(value)) return Effect.fail(new ValidationError({ field: "logos", message: "logos must be an array of { res, url }" }))
  return Effect.forEach(value, (logo: Partial<Logo>, i) =>
    Effect.flatMap(Validate.options(logo, `logos[${i}]`), (l) =>
      Effect.all({
        res: Validate.oneOf(l.res, `logos[${i}].res`, logoResolutions),
        url: Validate.httpUrl(l.url, `logos[${i}].url`)
      })))
}

const approvalParams = (input: ApprovalRequestInput) =>
  Effect.flatMap(Validate.options(input, "input"), (i) =>
    Effect.all({
      message: Validate.text(i.message, "message", 1, 144),
      details: Validate.optional(i.details, (v) => Validate.stringMap(v, "details")),
      hidden_details: Validate.optional(i.hiddenDetails, (v) => Validate.stringMap(v, "hiddenDetails")),
      logos: Validate.optional(i.logos, logos),
      seconds_to_expire: Validate.optional(i.secondsToExpire, (v) => Validate.integer(v, "secondsToExpire", 0))
    }))

/**
 * Polls every second at first, backing off by 1.5× to every 5 seconds: a
 * person usually answers within seconds, and a slow one should not cost a
 * request a second.
 *
 * @internal
 */
export const defaultApprovalSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("1 second", 1.5).pipe(
  Schedule.union(Schedule.spaced("5 seconds"))
)

/** Failures worth polling through: the next tick may well succeed. */
const isTransient = (error: ApiError | NetworkError | ValidationError): boolean =>
  error._tag === "NetworkError" || (error._tag === "ApiError" && (error.status === 429 || error.status >= 500))

/** @internal */
export const make = (http: AuthyHttp): OneTouchApi => {
  const getApprovalStatus = Effect.fn("Authy.oneTouch.getApprovalStatus")(function*(uuid: string) {
    const id = yield* Validate.uuid(uuid)
    yield* Effect.annotateCurrentSpan("authy.approval_uuid", id)
    return yield* http.execute({
      method: "GET",
      path: `/onetouch/json/approval_requests/${encodeURIComponent(id)}`,
      route: "/onetouch/json/approval_requests/{uuid}",
      safety: "read-only",
      decode: decodeStatus
    })
  })

  return {
    sendRequest: Effect.fn("Authy.oneTouch.sendRequest")(function*(authyId, input) {
      const id = yield* Validate.authyId(authyId)
      yield* Effect.annotateCurrentSpan("authy.authy_id", id)
      const params = yield* approvalParams(input)
      return yield* http.execute({
        method: "POST",
        path: `/onetouch/json/users/${encodeURIComponent(id)}/approval_requests`,
        route: "/onetouch/json/users/{authy_id}/approval_requests",
        safety: "side-effecting",
        params,
        decode: decodeSend
      })
    }),

    getApprovalStatus,

    awaitApproval: Effect.fn("Authy.oneTouch.awaitApproval")(function*(uuid, options) {
      yield* Validate.uuid(uuid)
      const checked = yield* Validate.options(options)
      let last = Option.none<ApprovalStatusResponse>()
      const poll = getApprovalStatus(uuid).pipe(
        Effect.tap((answer) => Effect.sync(() => (last = Option.some(answer)))),
        Effect.filterOrFail((answer) => answer.approvalRequest.status !== "pending", () => new StillPending()),
        Effect.retry({
          schedule: checked.schedule ?? defaultApprovalSchedule,
          while: (error) => error._tag === "StillPending" || isTransient(error)
        })
      )
      const untilDone = Effect.catchTag(poll, "StillPending", () => lastOrTimeout(last))
      if (checked.timeout === undefined) return yield* untilDone
      return yield* untilDone.pipe(
        Effect.timeoutTo({
          duration: checked.timeout,
          onSuccess: Effect.succeed,
          onTimeout: () => lastOrTimeout(last)
        }),
        Effect.flatten
      )
    })
  }
}

/** "Still pending", as a failure that drives the polling loop; it never escapes it. */
class StillPending {
  readonly _tag = "StillPending"
}

const lastOrTimeout = (last: Option.Option<ApprovalStatusResponse>) =>
  Option.match(last, {
    onNone: () =>
      Effect.fail(new NetworkError({ reason: "Timeout", message: "No answer about the approval request in time" })),
    onSome: Effect.succeed
  })
