/**
 * One-time codes by SMS, call, e-mail or WhatsApp: start a verification,
 * check the code the user typed, read, cancel or approve it. A wrong code is
 * not an error: the check answers `valid: false`.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { CheckInput, StartVerificationInput, VerifyError } from "./Models.js"
import type { Verification, VerificationCheck } from "./Responses.js"
import { VerifyService } from "./VerifyService.js"

/**
 * Sends a code (`POST /v2/Services/{ServiceSid}/Verifications`). Starting
 * again for the same `to` within 10 minutes sends the same code again (at
 * most 5 sends: then 429 `60203`). Side-effecting: retried only when the
 * request provably never reached Twilio, or Twilio answered 20429.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Verifications } from "effect-authy/verify"
 *
 * const sent = Verifications.start({ to: "+15017122661", channel: "sms", locale: "en" }).pipe(
 *   Effect.map((v) => v.sid)
 * )
 * ```
 *
 * @since 0.2.0
 * @category verifications
 */
export const start = (input: StartVerificationInput): Effect.Effect<Verification, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.verifications.start(input))

/**
 * Reads a verification (`GET …/Verifications/{Sid}`, read-only). Once
 * approved, canceled or expired it is gone: 404 `20404`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Verifications } from "effect-authy/verify"
 *
 * const status = Verifications.fetch("VE" + "0".repeat(32)).pipe(Effect.map((v) => v.status))
 * ```
 *
 * @since 0.2.0
 * @category verifications
 */
export const fetch = (verificationSid: string): Effect.Effect<Verification, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.verifications.fetch(verificationSid))

/**
 * Cancels a verification (`Status=canceled`, idempotent).
 *
 * @example
 * ```ts
 * import { Verifications } from "effect-authy/verify"
 *
 * const canceled = Verifications.cancel("VE" + "0".repeat(32))
 * ```
 *
 * @since 0.2.0
 * @category verifications
 */
export const cancel = (verificationSid: string): Effect.Effect<Verification, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.verifications.cancel(verificationSid))

/**
 * Approves a verification without a code check (`Status=approved`,
 * idempotent), e.g. after checking a custom code yourself.
 *
 * @example
 * ```ts
 * import { Verifications } from "effect-authy/verify"
 *
 * const approved = Verifications.approve("VE" + "0".repeat(32))
 * ```
 *
 * @since 0.2.0
 * @category verifications
 */
export const approve = (verificationSid: string): Effect.Effect<Verification, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.verifications.approve(verificationSid))

/**
 * Checks a code (`POST …/VerificationCheck`) against the pending
 * verification of `to`, or the one named by `verificationSid`. The right code
 * answers `status: "approved"`, `valid: true`; a wrong one `valid: false`
 * (a success, not an error). Side-effecting: each check uses one of 5
 * attempts (then 429 `60202`); a finished verification answers 404 `20404`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Verifications } from "effect-authy/verify"
 *
 * const loggedIn = Verifications.check({ to: "+15017122661", code: "123456" }).pipe(
 *   Effect.map((check) => check.valid),
 *   // The verification expired, was approved already, or never existed.
 *   Effect.catchTag("ApiError", (e) => (e.errorCode === "20404" ? Effect.succeed(false) : Effect.fail(e)))
 * )
 * ```
 *
 * @since 0.2.0
 * @category verifications
 */
export const check = (input: CheckInput): Effect.Effect<VerificationCheck, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.verifications.check(input))
