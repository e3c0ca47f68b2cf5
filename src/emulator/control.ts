/**
 * The in-process control handle of the whole emulator: the Authy side's
 * operations (authy/control.ts) at the top level, as before Verify existed,
 * and the Verify side's under `verify`.
 *
 * @since 0.1.0
 */
import type { AuthyControl } from "./authy/control.js"
import type { VerifyControl } from "./verify/control.js"

export type {
  /**
   * @since 0.1.0
   */
  CallbackOptions,
  /**
   * @since 0.1.0
   */
  CallbackTarget,
  /**
   * @since 0.1.0
   */
  Counters,
  /**
   * @since 0.1.0
   */
  Delivery,
  /**
   * @since 0.1.0
   */
  Message,
  /**
   * @since 0.1.0
   */
  MessageFilter
} from "./authy/control.js"

/**
 * The control handle. `apiKey` arguments default to the first key; the
 * fault operations act on the first key's application, `faultsFor(apiKey)`
 * on another's, `faultsFor(accountSid)` on a Twilio account's.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorControl extends AuthyControl {
  /** The Verify side: messages, challenges, TOTP codes, webhooks, clock and reset of Twilio accounts. */
  readonly verify: VerifyControl
}
