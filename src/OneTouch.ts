/**
 * OneTouch push approvals: send a request to the user's Authy app, read its
 * status, or wait until the user answers.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { Duration, Schedule } from "effect"
import type { ApiError, NetworkError, ValidationError } from "./AuthyError.js"
import { AuthyService } from "./AuthyService.js"
import type { ApprovalStatusResponse, SendApprovalResponse } from "./Responses.js"
import type { AuthyId } from "./Users.js"

/**
 * A logo shown in the push, one per resolution.
 *
 * @since 0.1.0
 * @category models
 */
export interface Logo {
  readonly res: "default" | "low" | "med" | "high"
  /** An http(s) URL of the image. */
  readonly url: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ApprovalRequestInput {
  /** Shown in the push: 1 to 144 characters. */
  readonly message: string
  /** Label → value pairs shown to the user. */
  readonly details?: Readonly<Record<string, string>>
  /** Label → value pairs kept with the request, not shown. */
  readonly hiddenDetails?: Readonly<Record<string, string>>
  readonly logos?: ReadonlyArray<Logo>
  /** Seconds until the request expires; Authy's default is 86400, `0` never expires. */
  readonly secondsToExpire?: number
}

/**
 * How {@link awaitApproval} polls.
 *
 * @since 0.1.0
 * @category models
 */
export interface AwaitApprovalOptions {
  /**
   * When to poll again while the request is pending. The default polls every
   * second at first, then backs off by 1.5× up to every 5 seconds. When the
   * schedule ends first, the last (pending) answer is returned.
   */
  readonly schedule?: Schedule.Schedule<unknown, unknown>
  /**
   * How long to wait in all. When it runs out first, the last (pending)
   * answer is returned; if no answer came at all, a `NetworkError` with
   * reason `Timeout`.
   */
  readonly timeout?: Duration.DurationInput
}

/**
 * The OneTouch endpoints, as held by {@link AuthyService}.
 *
 * @since 0.1.0
 * @category models
 */
export interface OneTouchApi {
  readonly sendRequest: (
    authyId: AuthyId,
    input: ApprovalRequestInput
  ) => Effect.Effect<SendApprovalResponse, ApiError | NetworkError | ValidationError>
  readonly getApprovalStatus: (
    uuid: string
  ) => Effect.Effect<ApprovalStatusResponse, ApiError | NetworkError | ValidationError>
  readonly awaitApproval: (
    uuid: string,
    options?: AwaitApprovalOptions
  ) => Effect.Effect<ApprovalStatusResponse, ApiError | NetworkError | ValidationError>
}

/**
 * Sends a push approval request to the user's Authy app
 * (`POST /onetouch/json/users/{authy_id}/approval_requests`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouch } from "effect-authy"
 *
 * const uuid = OneTouch.sendRequest(1635, {
 *   message: "Log in to Example?",
 *   details: { From: "Bogotá", Browser: "Firefox" },
 *   secondsToExpire: 120
 * }).pipe(Effect.map((r) => r.approvalRequest.uuid))
 * ```
 *
 * @since 0.1.0
 * @category onetouch
 */
export const sendRequest = (authyId: AuthyId, input: ApprovalRequestInput): Effect.Effect<
  SendApprovalResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.oneTouch.sendRequest(authyId, input))

/**
 * Reads an approval request (`GET /onetouch/json/approval_requests/{uuid}`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { OneTouch } from "effect-authy"
 *
 * const status = OneTouch.getApprovalStatus("8d031630-d15b-0134-b0a8-0a77bbe8093e").pipe(
 *   Effect.map((r) => r.approvalRequest.status)
 * )
 * ```
 *
 * @since 0.1.0
 * @category onetouch
 */
export const getApprovalStatus = (uuid: string): Effect.Effect<
  ApprovalStatusResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.oneTouch.getApprovalStatus(uuid))

/**
 * Polls an approval request until it is no longer `pending` and returns that
 * answer (`approved`, `denied` or `expired`). Transient failures while polling
 * are retried at the next tick. Interrupting the fiber stops the polling.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { OneTouch } from "effect-authy"
 *
 * const approved = OneTouch.awaitApproval("8d031630-d15b-0134-b0a8-0a77bbe8093e", {
 *   schedule: Schedule.spaced("2 seconds"),
 *   timeout: "2 minutes"
 * }).pipe(Effect.map((r) => r.approvalRequest.status === "approved"))
 * ```
 *
 * @since 0.1.0
 * @category onetouch
 */
export const awaitApproval = (uuid: string, options?: AwaitApprovalOptions): Effect.Effect<
  ApprovalStatusResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.oneTouch.awaitApproval(uuid, options))
