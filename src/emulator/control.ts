/**
 * The in-process control handle of the whole emulator: the Authy side's
 * operations (authy/control.ts) at the top level, as before Verify existed,
 * and the Verify side's under `verify`.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { AuthyControl } from "./authy/control.js"
import type { Patch, Settings } from "./authy/settings.js"
import type { Document, InvalidState } from "./stateFile.js"
import type { VerifyControl } from "./verify/control.js"

export type {
  /**
   * @since 0.3.0
   */
  Patch as SettingsPatch,
  /**
   * @since 0.3.0
   */
  Profile,
  /**
   * @since 0.3.0
   */
  Settings
} from "./authy/settings.js"

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
  /** The application's settings (`app/details` and what the endpoints honour). */
  readonly settings: (apiKey?: string) => Effect.Effect<Settings>
  /**
   * Changes the settings given (a `profile` first resets the others to its
   * defaults); answers them all. Kept across resets.
   */
  readonly updateSettings: (patch: Patch, apiKey?: string) => Effect.Effect<Settings>
  /** The application as a state document (`GET /__emulator/state`). */
  readonly exportState: (apiKey?: string) => Effect.Effect<Document>
  /**
   * Replaces the application's world with a state document's (validated;
   * it may hold that application only).
   */
  readonly importState: (document: unknown, apiKey?: string) => Effect.Effect<void, InvalidState>
  /** The Verify side: messages, challenges, TOTP codes, webhooks, clock, reset and state of Twilio accounts. */
  readonly verify: VerifyControl & {
    /** The account as a state document. */
    readonly exportState: (accountSid?: string) => Effect.Effect<Document>
    /** Replaces the account's services with a state document's (validated; that account only). */
    readonly importState: (document: unknown, accountSid?: string) => Effect.Effect<void, InvalidState>
  }
}
