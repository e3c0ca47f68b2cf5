/**
 * Factors: TOTP enrolment (a secret shown once, as an `otpauth://` URI),
 * its verification with a first code, and listing, reading and deleting an
 * entity's factors. Push factors are created by the Verify Push SDK on the
 * device, not here.
 *
 * @since 0.2.0
 */
import { Effect, Stream } from "effect"
import type { PageOptions, TotpFactorInput, VerifyError } from "./Models.js"
import type { Factor, NewFactor } from "./Responses.js"
import { VerifyService } from "./VerifyService.js"

/**
 * Creates a TOTP factor for an entity (`POST …/Entities/{Identity}/Factors`,
 * side-effecting), creating the entity if needed. The answer's `binding`
 * carries the secret and the `otpauth://` URI to show as a QR code: Twilio
 * never shows them again. The factor stays `unverified` until
 * {@link verifyTotp}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Factors } from "effect-authy/verify"
 *
 * const enrol = Factors.createTotp("ff483d1f-f591-898a", { friendlyName: "Ada's phone" }).pipe(
 *   Effect.map((factor) => ({ sid: factor.sid, qrCodeUri: factor.binding?.uri }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category totp
 */
export const createTotp = (identity: string, input: TotpFactorInput): Effect.Effect<NewFactor, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.factors.createTotp(identity, input))

/**
 * Verifies a new TOTP factor with a code from the user's app
 * (`POST …/Factors/{Sid}` with `AuthPayload`, side-effecting). A wrong code
 * answers the factor still `unverified` (not an error); at most 5 attempts
 * (429 `60310`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Factors } from "effect-authy/verify"
 *
 * const enrolled = Factors.verifyTotp("ff483d1f-f591-898a", "YF" + "0".repeat(32), "123456").pipe(
 *   Effect.map((factor) => factor.status === "verified")
 * )
 * ```
 *
 * @since 0.2.0
 * @category totp
 */
export const verifyTotp = (
  identity: string,
  factorSid: string,
  code: string
): Effect.Effect<Factor, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.factors.verifyTotp(identity, factorSid, code))

/**
 * Reads a factor (`GET …/Factors/{Sid}`, read-only).
 *
 * @example
 * ```ts
 * import { Factors } from "effect-authy/verify"
 *
 * const factor = Factors.fetch("ff483d1f-f591-898a", "YF" + "0".repeat(32))
 * ```
 *
 * @since 0.2.0
 * @category factors
 */
export const fetch = (identity: string, factorSid: string): Effect.Effect<Factor, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.factors.fetch(identity, factorSid))

/**
 * An entity's factors (`GET …/Factors`, read-only), page after page.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Factors } from "effect-authy/verify"
 *
 * const verified = Factors.list("ff483d1f-f591-898a").pipe(
 *   Stream.filter((factor) => factor.status === "verified"),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.2.0
 * @category factors
 */
export const list = (identity: string, options?: PageOptions): Stream.Stream<Factor, VerifyError, VerifyService> =>
  Stream.unwrap(Effect.map(VerifyService, (verify) => verify.factors.list(identity, options)))

/**
 * Deletes a factor (`DELETE …/Factors/{Sid}`, idempotent).
 *
 * @example
 * ```ts
 * import { Factors } from "effect-authy/verify"
 *
 * const removed = Factors.remove("ff483d1f-f591-898a", "YF" + "0".repeat(32))
 * ```
 *
 * @since 0.2.0
 * @category factors
 */
export const remove = (identity: string, factorSid: string): Effect.Effect<void, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.factors.remove(identity, factorSid))
