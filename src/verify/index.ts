/**
 * effect-authy/verify: Twilio Verify v2 and Lookup v2 as typed Effect
 * programs, on the same core as the Authy client (one executor, one error
 * family, one polling loop, one webhook verifier and nonce store).
 *
 * @since 0.2.0
 */

/**
 * @since 0.2.0
 */
export {
  /** @since 0.2.0 */
  ApiError,
  /** @since 0.2.0 */
  NetworkError,
  /** @since 0.2.0 */
  ServiceName,
  /** @since 0.2.0 */
  ValidationError
} from "../AuthyError.js"

/**
 * @since 0.2.0
 */
export * as Challenges from "./Challenges.js"

/**
 * @since 0.2.0
 */
export * as Entities from "./Entities.js"

/**
 * @since 0.2.0
 */
export * as Factors from "./Factors.js"

/**
 * @since 0.2.0
 */
export * as Lookup from "./Lookup.js"

/**
 * @since 0.2.0
 */
export * as Models from "./Models.js"

/**
 * @since 0.2.0
 */
export * as Responses from "./Responses.js"

/**
 * @since 0.2.0
 */
export * as RetryPolicy from "../RetryPolicy.js"

/**
 * @since 0.2.0
 */
export * as Services from "./Services.js"

/**
 * @since 0.2.0
 */
export * as Verifications from "./Verifications.js"

/**
 * @since 0.2.0
 */
export {
  /** @since 0.2.0 */
  VerifyService
} from "./VerifyService.js"

/**
 * @since 0.2.0
 */
export * as VerifyWebhook from "./VerifyWebhook.js"

/**
 * @since 0.2.0
 */
export * as Webhooks from "./Webhooks.js"
