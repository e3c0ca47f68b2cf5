/**
 * effect-authy: the Authy two-factor API as typed Effect programs.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as App from "./App.js"

/**
 * @since 0.1.0
 */
export * from "./AuthyError.js"

/**
 * @since 0.1.0
 */
export {
  /** @since 0.1.0 */
  AuthyService
} from "./AuthyService.js"

/**
 * @since 0.1.0
 */
export * as OneTouch from "./OneTouch.js"

/**
 * @since 0.1.0
 */
export * as OneTouchCallback from "./OneTouchCallback.js"

/**
 * @since 0.1.0
 */
export * as Phones from "./Phones.js"

/**
 * @since 0.1.0
 */
export * as Responses from "./Responses.js"

/**
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * @since 0.1.0
 */
export * as Tokens from "./Tokens.js"

/**
 * @since 0.1.0
 */
export * as Users from "./Users.js"
