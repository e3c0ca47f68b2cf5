/**
 * OneTouch approval requests (authy-api.md §2.14–2.16): created pending,
 * approved or denied through the control API (which triggers the signed
 * callback, see callbacks.ts), expired by the emulator clock after
 * `seconds_to_expire` (86400 by default, `0` never). An application without
 * OneTouch (`onetouch_enabled: false`, the sandbox's) is refused with 403,
 * as the sandbox key was.
 *
 * @since 0.1.0
 */
import { ApprovalStatusResponse, type ApprovalStatus, SendApprovalResponse } from "../../Responses.js"
import * as Params from "../core/params.js"
import * as Random from "../core/random.js"
import * as Settings from "./settings.js"
import type { AppState, Approval, User } from "./State.js"
import * as Wire from "./wire.js"

/**
 * Authy's default lifetime of an approval request.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSecondsToExpire = 86_400

/**
 * The longest lifetime accepted, ten years: Authy documents none, and a
 * longer one would put the expiry past the dates a record can print.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxSecondsToExpire = 10 * 365 * 86_400

const logoResolutions = ["default", "low", "med", "high"]

/**
 * `POST /onetouch/json/users/{authy_id}/approval_requests`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const create = (app: AppState, now: number, user: User, params: Params.Params): Wire.Reply => {
  if (!app.settings.onetouchEnabled) return Settings.refusals.onetouch
  const message = Params.string(params, "message")
  if (message === undefined || message.trim() === "") return Wire.missingParameter("message")
  const secondsToExpire = Params.integer(params, "seconds_to_expire") ?? defaultSecondsToExpire
  if (!Number.isInteger(secondsToExpire) || secondsToExpire < 0 || secondsToExpire > maxSecondsToExpire) {
    return Wire.missingParameter("seconds_to_expire")
  }
  const logos = (Params.objectArray(params, "logos") ?? []).map((logo) => ({
    res: Params.string(logo, "res") ?? "",
    url: Params.string(logo, "url") ?? ""
  }))
  if (logos.some((logo) => !logoResolutions.includes(logo.res) || logo.url === "")) {
    return Wire.missingParameter("logos")
  }
  const approval: Approval = {
    uuid: Random.uuid(),
    objectId: Random.objectId(),
    authyId: user.id,
    userObjectId: user.objectId,
    userEmail: user.email,
    message,
    details: Params.stringMap(params, "details") ?? {},
    hiddenDetails: Params.stringMap(params, "hidden_details") ?? {},
    logos,
    secondsToExpire,
    createdAt: now,
    decision: undefined
  }
  app.approvals.set(approval.uuid, approval)
  app.counters.pushes += 1
  return Wire.encoded(SendApprovalResponse, { approvalRequest: { uuid: approval.uuid } })
}

/**
 * When the request expires (Unix milliseconds), or `undefined` if never.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const expiresAt = (approval: Approval): number | undefined =>
  approval.secondsToExpire === 0 ? undefined : approval.createdAt + approval.secondsToExpire * 1000

/**
 * The status at `now`, with the time it stopped being pending (if it did).
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const statusAt = (
  approval: Approval,
  now: number
): { readonly status: ApprovalStatus; readonly processedAt: number | undefined } => {
  const expiry = expiresAt(approval)
  if (approval.decision !== undefined && (expiry === undefined || approval.decision.at < expiry)) {
    return { status: approval.decision.status, processedAt: approval.decision.at }
  }
  if (expiry !== undefined && now >= expiry) return { status: "expired", processedAt: expiry }
  return { status: "pending", processedAt: undefined }
}

const iso = (millis: number) => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

/**
 * `GET /onetouch/json/approval_requests/{uuid}`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const view = (app: AppState, now: number, uuid: string): Wire.Reply => {
  const approval = app.approvals.get(uuid)
  if (approval === undefined) return Wire.approvalNotFound(uuid)
  const { processedAt, status } = statusAt(approval, now)
  return Wire.encoded(
    ApprovalStatusResponse,
    {
      approvalRequest: {
        appName: app.settings.name,
        appSerialId: app.appId,
        authyId: approval.authyId,
        id: approval.objectId,
        userEmail: approval.userEmail,
        appId: app.objectId,
        createdAt: iso(approval.createdAt),
        notified: false,
        processedAt: processedAt === undefined ? null : iso(processedAt),
        secondsToExpire: approval.secondsToExpire,
        status,
        updatedAt: iso(processedAt ?? approval.createdAt),
        userId: approval.userObjectId,
        uuid: approval.uuid
      }
    }
  )
}

/**
 * Why a decision could not be recorded.
 *
 * @since 0.1.0
 * @category models
 */
export type DecisionFailure = "NotFound" | "NotPending"

/**
 * Records the user's answer. Only a pending request can be answered.
 *
 * The answer is also queued in `app.answered`: once this step is over, the
 * state tells its listeners, and the callback sender (callbacks.ts) calls the
 * application's callback URL, as Authy does when the user taps Approve or Deny.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const decide = (
  app: AppState,
  now: number,
  uuid: string,
  status: "approved" | "denied"
): Approval | DecisionFailure => {
  const approval = app.approvals.get(uuid)
  if (approval === undefined) return "NotFound"
  if (statusAt(approval, now).status !== "pending") return "NotPending"
  approval.decision = { status, at: now }
  app.answered.push(approval)
  return approval
}

/**
 * The full record, for the control API: what the push would show and hide.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const record = (approval: Approval, now: number) => {
  const { processedAt, status } = statusAt(approval, now)
  const expiry = expiresAt(approval)
  return {
    uuid: approval.uuid,
    authy_id: approval.authyId,
    status,
    message: approval.message,
    details: approval.details,
    hidden_details: approval.hiddenDetails,
    logos: approval.logos,
    seconds_to_expire: approval.secondsToExpire,
    created_at: iso(approval.createdAt),
    processed_at: processedAt === undefined ? null : iso(processedAt),
    expires_at: expiry === undefined ? null : iso(expiry)
  }
}
