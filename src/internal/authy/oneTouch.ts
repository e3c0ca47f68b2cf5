/**
 * OneTouch approval requests (authy-api.md §2.14–2.15): sending, reading and
 * polling until the user answers.
 *
 * @internal
 */
import { Effect } from "effect"
import type { Duration, Redacted, Schedule } from "effect"
import type { ApiError, NetworkError, ValidationError } from "../../AuthyError.js"
import type { ApprovalRequestInput, AwaitApprovalOptions, Logo, OneTouchApi, PollOutcome } from "../../OneTouch.js"
import { ApprovalStatusResponse, SendApprovalResponse } from "../../Responses.js"
import type { Executor, Endpoint } from "../core/http.js"
import { decoder } from "../core/decode.js"
import * as Polling from "../core/polling.js"
import { annotate, traced } from "../core/span.js"
import * as Signature from "./signature.js"
import * as Validate from "../core/validate.js"

const decodeSend = decoder(SendApprovalResponse)
const decodeStatus = decoder(ApprovalStatusResponse)

const logoResolutions = ["default", "low", "med", "high"] as const

const logos = (value: unknown) =>
  Effect.flatMap(Validate.array(value, "logos"), (items) =>
    Effect.forEach(items, (logo, i) =>
      Effect.flatMap(Validate.options(logo as Partial<Logo>, ["res", "url"], `logos[${i}]`, `logos[${i}].`), (l) =>
        Effect.all({
          res: Validate.oneOf(l.res, `logos[${i}].res`, logoResolutions),
          url: Validate.httpUrl(l.url, `logos[${i}].url`)
        }))))

/**
 * Bounds of `details` and `hiddenDetails`. Authy documents keys of at most 20
 * characters; it documents no other bound, so the rest are ours: room for any
 * real transaction summary, not for megabytes sent on every push.
 *
 * @internal
 */
export const detailsLimits: Validate.MapLimits = { maxEntries: 50, maxKeyLength: 20, maxValueLength: 500 }

const approvalParams = (input: ApprovalRequestInput) =>
  Effect.flatMap(
    Validate.options(input, ["message", "details", "hiddenDetails", "logos", "secondsToExpire"], "input"),
    (i) =>
      Effect.all({
        message: Validate.text(i.message, "message", 1, 144),
        details: Validate.optional(i.details, (v) => Validate.stringMap(v, "details", detailsLimits)),
        hidden_details: Validate.optional(i.hiddenDetails, (v) => Validate.stringMap(v, "hiddenDetails", detailsLimits)),
        logos: Validate.optional(i.logos, logos),
        seconds_to_expire: Validate.optional(i.secondsToExpire, (v) => Validate.integer(v, "secondsToExpire", 0))
      })
  )

// ---------------------------------------------------------------------------
// Polling (the mechanism is the core's: ../core/polling.ts)
// ---------------------------------------------------------------------------

/** @internal */
export const defaultApprovalSchedule: Schedule.Schedule<Duration.Duration> = Polling.defaultSchedule

/** When the request expires (epoch millis), if the answer says: `0` seconds means never. */
const expiryOf = (answer: ApprovalStatusResponse): number | undefined => {
  const { createdAt, secondsToExpire } = answer.approvalRequest
  if (createdAt === undefined || secondsToExpire === undefined || secondsToExpire <= 0) return undefined
  const created = Date.parse(createdAt)
  return Number.isNaN(created) ? undefined : created + secondsToExpire * 1000
}

/**
 * An approval request, as the polling loop sees it: settled once not
 * `pending`; expiring `seconds_to_expire` after `created_at` (whole seconds).
 *
 * @internal
 */
export const polledApproval: Polling.Polled<ApprovalStatusResponse> = {
  isSettled: (answer) => answer.approvalRequest.status !== "pending",
  expiresAt: expiryOf,
  status: (answer) => answer.approvalRequest.status,
  what: "the approval request",
  service: "Authy"
}

/** @internal */
export const statusChanges = (
  poll: Effect.Effect<ApprovalStatusResponse, ApiError | NetworkError | ValidationError>,
  schedule: Schedule.Schedule<unknown, PollOutcome> = defaultApprovalSchedule
) => Polling.statusChanges(polledApproval, poll, schedule)

// ---------------------------------------------------------------------------
// The service's group
// ---------------------------------------------------------------------------

const statusEndpoint = (id: string): Endpoint<ApprovalStatusResponse> => ({
  method: "GET",
  path: `/onetouch/json/approval_requests/${encodeURIComponent(id)}`,
  route: "/onetouch/json/approval_requests/{uuid}",
  safety: "read-only",
  decode: decodeStatus
})

/** A poll of the status: the request is made for each poll, so that nothing of it is kept in between. */
const statusPoll = (http: Executor, id: string) => () => http.execute(statusEndpoint(id))

/** @internal */
export const make = (http: Executor, apiKey: Redacted.Redacted<string> | undefined): OneTouchApi => {
  const getApprovalStatus = traced("Authy.oneTouch.getApprovalStatus", Effect.fnUntraced(function*(uuid: string) {
    const id = yield* Validate.uuid(uuid)
    yield* annotate({ "authy.approval_uuid": id })
    return yield* http.execute(statusEndpoint(id))
  }))

  return {
    sendRequest: traced("Authy.oneTouch.sendRequest", Effect.fnUntraced(function*(authyId, input) {
      const id = yield* Validate.authyId(authyId)
      yield* annotate({ "authy.authy_id": id })
      const params = yield* approvalParams(input)
      return yield* http.execute({
        method: "POST",
        path: `/onetouch/json/users/${encodeURIComponent(id)}/approval_requests`,
        route: "/onetouch/json/users/{authy_id}/approval_requests",
        safety: "side-effecting",
        params,
        decode: decodeSend
      })
    })),

    getApprovalStatus,

    // No span for the wait, and none per poll: a wait may poll for hours, so
    // a span per poll floods the trace, and thousands of waits may be pending
    // at once, each holding its span between polls (a span held for the wait
    // costs 2.5 to 5.5 KB more per pending wait, about as much as all the rest:
    // bench/micro/await-heap.ts). A failed poll is recorded on the caller's
    // span, as any other request's would be.
    awaitApproval: (uuid, options) =>
      Effect.flatMap(Validate.uuid(uuid), (id) =>
        Effect.flatMap(Polling.checkOptions(options), ({ schedule, timeout }) =>
          Polling.pollUntilSettled(polledApproval, statusPoll(http, id), schedule ?? defaultApprovalSchedule, {
            timeout: timeout as AwaitApprovalOptions["timeout"]
          }))),

    // The key stays inside the service: callers get a yes or no, never the key.
    // Without a usable key, no signature is genuine (an empty key would make
    // every forged one check out).
    validateCallbackSignature: (input) =>
      apiKey === undefined ? Effect.succeed(false) : Effect.sync(() => Signature.validateSignature({ ...input, apiKey }))
  }
}
