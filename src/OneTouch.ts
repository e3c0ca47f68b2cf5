/**
 * OneTouch push approvals: send a request to the user's Authy app, read its
 * status, or wait until the user answers.
 *
 * @since 0.1.0
 */
import { Effect, Stream } from "effect"
import type { Duration, Schedule } from "effect"
import type { ApiError, NetworkError, ValidationError } from "./AuthyError.js"
import { AuthyService } from "./AuthyService.js"
import * as InternalOneTouch from "./internal/authy/oneTouch.js"
import * as Signature from "./internal/authy/signature.js"
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
  /**
   * Label → value pairs shown to the user: at most 50 entries, labels of 1 to
   * 20 characters (Authy's documented limit), values of at most 500.
   */
  readonly details?: Readonly<Record<string, string>>
  /** Label → value pairs kept with the request, not shown; the same bounds as `details`. */
  readonly hiddenDetails?: Readonly<Record<string, string>>
  readonly logos?: ReadonlyArray<Logo>
  /** Seconds until the request expires; Authy's default is 86400, `0` never expires. */
  readonly secondsToExpire?: number
}

/**
 * What the polling schedule of {@link awaitApproval} is fed after each poll
 * that did not settle the request: the `pending` answer, or the transient
 * failure (network error, 408, 429, 5xx, a gateway's non-JSON page) that
 * will be polled through.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import { type OneTouch, Responses } from "effect-authy"
 *
 * // Every 2 seconds, but stop at the first failed poll instead of polling through it.
 * const schedule = Schedule.spaced("2 seconds").pipe(
 *   Schedule.whileInput((outcome: OneTouch.PollOutcome) => outcome instanceof Responses.ApprovalStatusResponse)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type PollOutcome = ApprovalStatusResponse | ApiError | NetworkError

/**
 * How {@link awaitApproval} polls.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import type { OneTouch } from "effect-authy"
 *
 * const options: OneTouch.AwaitApprovalOptions = { schedule: Schedule.spaced("3 seconds"), timeout: "2 minutes" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AwaitApprovalOptions {
  /**
   * When to poll again while the request is pending (default
   * {@link defaultApprovalSchedule}). Whatever the schedule, a `Retry-After`
   * is honoured and polling never goes past the request's expiry: the first
   * poll after it is the last. When the schedule ends first, the last
   * (pending) answer is returned; if no answer came at all, the last
   * transient failure.
   */
  readonly schedule?: Schedule.Schedule<unknown, PollOutcome>
  /**
   * How long to wait in all. When it runs out first, the last (pending)
   * answer is returned; if no answer came at all, a `NetworkError` with
   * reason `Timeout`.
   */
  readonly timeout?: Duration.DurationInput
}

/**
 * How {@link approvalStatusChanges} polls.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import type { OneTouch } from "effect-authy"
 *
 * const options: OneTouch.ApprovalStatusChangesOptions = { schedule: Schedule.spaced("2 seconds") }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ApprovalStatusChangesOptions {
  /** As in {@link AwaitApprovalOptions}; default {@link defaultApprovalSchedule}. */
  readonly schedule?: Schedule.Schedule<unknown, PollOutcome>
}

/**
 * The parameters of a callback signature without the key, which the service
 * holds (see {@link OneTouchApi.validateCallbackSignature}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { AuthyService, type OneTouch } from "effect-authy"
 *
 * const genuine = (input: OneTouch.CallbackSignatureInput) => Effect.flatMap(AuthyService, (authy) => authy.oneTouch.validateCallbackSignature(input))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CallbackSignatureInput = Omit<ValidateSignatureInput, "apiKey">

/**
 * The OneTouch endpoints, as held by {@link AuthyService}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { AuthyService } from "effect-authy"
 *
 * const status = Effect.flatMap(AuthyService, (authy) =>
 *   authy.oneTouch.getApprovalStatus("8d031630-d15b-0134-b0a8-0a77bbe8093e"))
 * ```
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
  /**
   * Whether a callback's `X-Authy-Signature` was made with the service's API
   * key. The key never leaves the service; `OneTouchCallback.verify` builds
   * on this.
   */
  readonly validateCallbackSignature: (input: CallbackSignatureInput) => Effect.Effect<boolean>
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
 * The default polling schedule of {@link awaitApproval}: the first poll at
 * once, then 1 s, 1.5 s, 2.25 s, 3.375 s apart (×1.5 each time), then every
 * 5 s. A person usually answers within a few seconds, so early polls are
 * frequent; a slow one should not cost a request a second. Its output is the
 * delay used.
 *
 * It never ends by itself: polling stops when the request is answered, when
 * it expires (`created_at + seconds_to_expire`, plus a second), or when the
 * caller's `timeout` runs out. A request sent without `secondsToExpire` lives
 * for a day on Authy, so pass a `timeout` (or a short `secondsToExpire`) when
 * nobody will wait that long.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import { OneTouch } from "effect-authy"
 *
 * // The default, but giving up after 40 polls.
 * const schedule = OneTouch.defaultApprovalSchedule.pipe(Schedule.intersect(Schedule.recurs(40)))
 * const approval = OneTouch.awaitApproval("8d031630-d15b-0134-b0a8-0a77bbe8093e", { schedule })
 * ```
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultApprovalSchedule: Schedule.Schedule<Duration.Duration> = InternalOneTouch.defaultApprovalSchedule

/**
 * Polls an approval request until it is no longer `pending` and returns that
 * answer (`approved`, `denied` or `expired`), with the same shape as
 * {@link getApprovalStatus}.
 *
 * - The first poll goes out at once; the next ones as the `schedule` says
 *   (default {@link defaultApprovalSchedule}), never past the request's
 *   expiry: the first poll after it is the last, and Authy answers `expired`.
 * - Transient failures (network errors, 408, 429 — honouring `Retry-After` —,
 *   5xx, a gateway's non-JSON page) are polled through at the next tick; any
 *   other failure (a 404 `60049`, a bad key) surfaces at once.
 * - When the schedule or the `timeout` ends first, the last `pending` answer
 *   is returned, so check the status. If no answer came at all: the last
 *   transient failure (schedule) or a `NetworkError` with reason `Timeout`.
 * - Interrupting the fiber stops the polling at once, in-flight request
 *   included. A wait costs one fiber and one sleeping timer at a time, so
 *   thousands of concurrent waits are cheap.
 *
 * Each poll is sent once: the schedule is the retry policy while polling.
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

/**
 * The answers about an approval request as a stream: the first answer, then
 * one each time the status changes, ending after the final one. Polls like
 * {@link awaitApproval} (same schedule, expiry bound and handling of transient
 * failures); when the schedule ends first, the stream just ends. Stop it
 * early with `Stream.interruptAfter` or by interrupting its consumer.
 *
 * @example
 * ```ts
 * import { Console, Stream } from "effect"
 * import { OneTouch } from "effect-authy"
 *
 * const log = OneTouch.approvalStatusChanges("8d031630-d15b-0134-b0a8-0a77bbe8093e").pipe(
 *   Stream.interruptAfter("5 minutes"),
 *   Stream.runForEach((r) => Console.log(`approval request is ${r.approvalRequest.status}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category onetouch
 */
export const approvalStatusChanges = (uuid: string, options?: ApprovalStatusChangesOptions): Stream.Stream<
  ApprovalStatusResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> =>
  Stream.unwrap(
    Effect.map(AuthyService, (authy) =>
      InternalOneTouch.statusChanges(authy.oneTouch.getApprovalStatus(uuid), options?.schedule))
  )

/**
 * What a callback signature covers: the application's API key, the
 * `X-Authy-Signature-Nonce` header, the method and URL Authy called, and the
 * parameters (the parsed JSON body of a POST, the raw query of a GET).
 *
 * @example
 * ```ts
 * import type { OneTouch } from "effect-authy"
 *
 * const input: OneTouch.SignatureInput = {
 *   apiKey: "foobar123",
 *   nonce: "1427849783.886085",
 *   method: "GET",
 *   url: "https://example.com/authy/callback",
 *   params: "a=value1&b=val%7Cue%262"
 * }
 * ```
 *
 * @since 0.1.0
 * @category signatures
 */
export type SignatureInput = Signature.SignatureInput

/**
 * A {@link SignatureInput} plus the `X-Authy-Signature` header to check.
 *
 * @example
 * ```ts
 * import type { OneTouch } from "effect-authy"
 *
 * const toCheck = (input: OneTouch.SignatureInput): OneTouch.ValidateSignatureInput => ({
 *   ...input,
 *   signature: "W+RlOV+lGi1EA9jaT1X5hL1aJFAuTRwnHuQhCp2tAxI="
 * })
 * ```
 *
 * @since 0.1.0
 * @category signatures
 */
export type ValidateSignatureInput = Signature.ValidateSignatureInput

/**
 * The `X-Authy-Signature` Authy sends with a OneTouch callback
 * (authy-api.md §3): base64 HMAC-SHA256, under the API key, of
 * `nonce|METHOD|url|params`, with the URL stripped of its query and the
 * parameters flattened like Rails' `to_query`. Useful to sign test callbacks.
 *
 * @example
 * ```ts
 * import { OneTouch } from "effect-authy"
 *
 * OneTouch.computeSignature({
 *   apiKey: "foobar123",
 *   nonce: "1427849783.886085",
 *   method: "POST",
 *   url: "https://api.authy.com/dashboard/json/application/webhooks",
 *   params: { b: "val|ue&2", a: "value1" }
 * }) // "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM="
 * ```
 *
 * @since 0.1.0
 * @category signatures
 */
export const computeSignature: (input: SignatureInput) => string = Signature.computeSignature

/**
 * Whether `signature` is the one Authy would send for this callback, compared
 * in constant time; never throws. It checks the signature only: use
 * `OneTouchCallback.verify` to also refuse stale and replayed callbacks.
 *
 * @example
 * ```ts
 * import { OneTouch } from "effect-authy"
 *
 * const ok = OneTouch.validateSignature({
 *   apiKey: "foobar123",
 *   signature: "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM=",
 *   nonce: "1427849783.886085",
 *   method: "POST",
 *   url: "https://api.authy.com/dashboard/json/application/webhooks",
 *   params: { b: "val|ue&2", a: "value1" }
 * }) // true
 * ```
 *
 * @since 0.1.0
 * @category signatures
 */
export const validateSignature: (input: ValidateSignatureInput) => boolean = Signature.validateSignature
