/**
 * A faithful local Authy server, with Twilio Verify v2 and Lookup v2 on the
 * same port, in-process (a Layer) or as a CLI (`effect-authy-emulator`).
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export { checkAccounts, defaultApiKey, Emulator, layer, layerAuthy, layerFromState } from "./Emulator.js"

/**
 * @since 0.1.0
 */
export type { Options, Service } from "./Emulator.js"

/**
 * @since 0.3.0
 */
export { remote } from "./remote.js"

/**
 * @since 0.3.0
 */
export type { RemoteControl, RemoteOptions } from "./remote.js"

/**
 * @since 0.3.0
 */
export { InvalidState } from "./stateFile.js"

/**
 * @since 0.3.0
 */
export type { Document as StateDocument } from "./stateFile.js"

/**
 * @since 0.3.0
 */
export * as StateFile from "./stateFile.js"

/**
 * @since 0.1.0
 */
export type {
  CallbackOptions,
  CallbackTarget,
  Counters,
  Delivery,
  EmulatorControl,
  Message,
  MessageFilter,
  Profile,
  Settings,
  SettingsPatch
} from "./control.js"

/**
 * @since 0.1.0
 */
export type { Fault, FaultBody, FaultControl, FaultSpec, FaultView, RandomFaults, RandomKind } from "./core/faults.js"

/**
 * @since 0.1.0
 */
export { EmulatorState } from "./authy/State.js"

/**
 * @since 0.1.0
 */
export * as State from "./authy/State.js"

/**
 * @since 0.1.0
 */
export * as Server from "./app.js"

/**
 * @since 0.1.0
 */
export * as Totp from "./core/totp.js"

/**
 * @since 0.2.0
 */
export type { ChallengeView, VerifyControl } from "./verify/control.js"

/**
 * @since 0.2.0
 */
export { defaultAccount, VerifyState } from "./verify/State.js"

/**
 * @since 0.2.0
 */
export type { Credentials } from "./verify/State.js"
