/**
 * Phone verification (a code sent to a phone number, no Authy user needed) and
 * phone information.
 *
 * Every program takes the number either as `{ phoneNumber, countryCode }` or
 * as one E.164 number (`{ phoneNumber: "+1 775-461-5609" }`).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { ApiError, NetworkError, ValidationError } from "./AuthyError.js"
import { AuthyService } from "./AuthyService.js"
import type { MessageResponse, PhoneInfoResponse, StartVerificationResponse } from "./Responses.js"

/**
 * A phone number: national digits (`775-461-5609`) with a calling code, or
 * E.164 (`+1 775-461-5609`) with the calling code left out. Digits are
 * separated by `-`, `.` or ASCII spaces only: a newline, a tab or a no-break
 * space is refused, not sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface PhoneInput {
  readonly phoneNumber: string
  readonly countryCode?: number | string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface StartVerificationInput extends PhoneInput {
  readonly via: "sms" | "call"
  /** 4 to 10 digits; Authy's default is 4. */
  readonly codeLength?: number
  readonly locale?: string
  readonly customMessage?: string
  readonly customCode?: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CheckVerificationInput extends PhoneInput {
  readonly verificationCode: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PhoneInfoInput extends PhoneInput {
  readonly userIp?: string
}

/**
 * The phone endpoints, as held by {@link AuthyService}.
 *
 * @since 0.1.0
 * @category models
 */
export interface PhonesApi {
  readonly startVerification: (
    input: StartVerificationInput
  ) => Effect.Effect<StartVerificationResponse, ApiError | NetworkError | ValidationError>
  readonly checkVerification: (
    input: CheckVerificationInput
  ) => Effect.Effect<MessageResponse, ApiError | NetworkError | ValidationError>
  readonly info: (input: PhoneInfoInput) => Effect.Effect<PhoneInfoResponse, ApiError | NetworkError | ValidationError>
}

/**
 * Sends a verification code by SMS or call
 * (`POST /protected/json/phones/verification/start`). Codes live 10 minutes; a
 * new request inside that window sends the same code again.
 *
 * @example
 * ```ts
 * import { Phones } from "effect-authy"
 *
 * const started = Phones.startVerification({ phoneNumber: "+1 775-461-5609", via: "sms", codeLength: 6 })
 * ```
 *
 * @since 0.1.0
 * @category phone verification
 */
export const startVerification = (input: StartVerificationInput): Effect.Effect<
  StartVerificationResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.phones.startVerification(input))

/**
 * Checks a verification code (`GET /protected/json/phones/verification/check`).
 * A wrong code fails with `ApiError` `60022`; no pending verification with `60023`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Phones } from "effect-authy"
 *
 * const ok = Phones.checkVerification({ phoneNumber: "775-461-5609", countryCode: 1, verificationCode: "1234" }).pipe(
 *   Effect.as(true),
 *   Effect.catchIf((e) => e._tag === "ApiError" && e.errorCode === "60022", () => Effect.succeed(false))
 * )
 * ```
 *
 * @since 0.1.0
 * @category phone verification
 */
export const checkVerification = (input: CheckVerificationInput): Effect.Effect<
  MessageResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.phones.checkVerification(input))

/**
 * Looks up a phone number's type and provider (`GET /protected/json/phones/info`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Phones } from "effect-authy"
 *
 * const isVoip = Phones.info({ phoneNumber: "+1 775-461-5609" }).pipe(Effect.map((info) => info.type === "voip"))
 * ```
 *
 * @since 0.1.0
 * @category phone information
 */
export const info = (input: PhoneInfoInput): Effect.Effect<
  PhoneInfoResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.phones.info(input))
