/**
 * The emulator as a service: a running server's URL, the API keys it serves,
 * and a control handle over its state.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Context, Effect, Either, Layer, Redacted } from "effect"
import { AuthyService, type Options as AuthyOptions } from "../AuthyService.js"
import * as Server from "./app.js"
import * as Callbacks from "./authy/callbacks.js"
import * as Settings from "./authy/settings.js"
import * as AuthyControl from "./authy/control.js"
import * as State from "./authy/State.js"
import type * as Control from "./control.js"
import * as Faults from "./core/faults.js"
import * as Remote from "./remote.js"
import * as StateFile from "./stateFile.js"
import * as VerifyControl from "./verify/control.js"
import * as VerifyState from "./verify/State.js"
import * as WebhookDelivery from "./verify/webhookDelivery.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The base URL, e.g. `http://127.0.0.1:51234`. */
  readonly url: string
  /** The API keys served; the first is the default of every control call. */
  readonly apiKeys: ReadonlyArray<string>
  /** The Twilio accounts served (Verify and Lookup); the first is the default of every `control.verify` call. */
  readonly accounts: ReadonlyArray<VerifyState.Credentials>
  /** In-process handle over the same state as the control API. */
  readonly control: Control.EmulatorControl
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default `["test-key"]`. */
  readonly apiKeys?: ReadonlyArray<string>
  /** Default 0: a free port. */
  readonly port?: number
  /** Default `127.0.0.1`. */
  readonly host?: string
  /**
   * Where every application's OneTouch callbacks go at start (default:
   * nowhere); the control API and `control.setCallback` change it per key.
   */
  readonly callback?: Callbacks.TargetInput
  /**
   * Fail this share of API requests (Authy, Verify, Lookup) at random (off
   * by default): every application and account starts with this random
   * mode, and may change its own; see core/faults.ts.
   */
  readonly randomFaults?: Faults.RandomFaults
  /**
   * The Twilio accounts whose Basic credentials the Verify and Lookup routes
   * accept (default: one, `AC` + 32 zeros with `test-auth-token`). Each may
   * carry API keys (`SK…` + secret) that authenticate as it.
   */
  readonly accounts?: ReadonlyArray<VerifyState.Credentials>
  /**
   * How every application starts: `default` (every add-on on) or `sandbox`
   * (Authy's retired sandbox: token `0000000`, `landline`, the sandbox app's
   * details).
   */
  readonly profile?: Settings.Profile
  /** Changes to the profile's settings for every application at start. */
  readonly settings?: Settings.Patch
  /**
   * A state document (the JSON of a state file, see stateFile.ts) loaded at
   * start: its applications' API keys and its accounts with an `auth_token`
   * are served besides `apiKeys` and `accounts`. The layer dies with the
   * path of the bad field when it is invalid.
   */
  readonly state?: unknown
  /**
   * Serve the web inbox at `/` (default `true`); `false` (`--no-ui`) answers
   * its paths like any unknown one.
   */
  readonly ui?: boolean
}

const sidPattern = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`)

/**
 * Why the accounts cannot be served (SIDs `AC` + 32 hex, distinct, not one
 * of the Authy API keys; tokens and secrets not empty; API keys `SK` + 32
 * hex), or `undefined`.
 *
 * @since 0.2.0
 * @category validation
 */
export const checkAccounts = (
  accounts: ReadonlyArray<VerifyState.Credentials>,
  apiKeys: ReadonlyArray<string>
): string | undefined => {
  const sids = accounts.map((a) => a.accountSid)
  if (sids.length === 0) return "at least one account is needed"
  if (new Set(sids).size !== sids.length) return "account SIDs must be distinct"
  for (const account of accounts) {
    if (!sidPattern("AC").test(account.accountSid)) return `account SID ${account.accountSid} is not AC + 32 hex digits`
    if (account.authToken.trim() === "") return "an auth token must not be empty"
    if (apiKeys.includes(account.accountSid)) return "an account SID must not also be an Authy API key"
    for (const key of account.apiKeys ?? []) {
      if (!sidPattern("SK").test(key.sid) || key.secret.trim() === "") return `API key ${key.sid}: SK + 32 hex digits and a secret`
    }
  }
  return undefined
}

/**
 * A running emulator: Authy, Twilio Verify v2 and Lookup v2 on one port.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Emulator } from "effect-authy/emulator"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Emulator
 *   console.log(emulator.url)
 * }).pipe(Effect.provide(Emulator.layer()))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("effect-authy/Emulator")<Emulator, Service>() {
  /**
   * @since 0.1.0
   */
  static readonly layer = (options?: Options): Layer.Layer<Emulator, ServeError> => layer(options)
  /**
   * The control handle of an emulator in another process (see remote.ts).
   *
   * @since 0.3.0
   */
  static readonly remote = (options: Remote.RemoteOptions): Remote.RemoteControl => Remote.remote(options)
  /**
   * @since 0.1.0
   */
  static readonly layerAuthy = (
    options?: Options & Omit<AuthyOptions, "apiKey" | "apiUrl">
  ): Layer.Layer<Emulator | AuthyService, ServeError, HttpClient.HttpClient> => layerAuthy(options)
}

/**
 * The default API key of the in-process emulator.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiKey = "test-key"

/**
 * Starts the emulator over an existing state (for tests that want the
 * `EmulatorState` too).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromState = (
  options: Omit<Options, "apiKeys"> = {}
): Layer.Layer<Emulator, ServeError, State.EmulatorState> =>
  Layer.scoped(
    Emulator,
    Effect.gen(function*() {
      const state = yield* State.EmulatorState
      const accounts = options.accounts ?? [VerifyState.defaultAccount]
      const refused = checkAccounts(accounts, state.apiKeys)
      if (refused !== undefined) return yield* Effect.dieMessage(`Invalid emulator accounts: ${refused}`)
      const document = options.state === undefined ? undefined : yield* validState(options.state)
      const verify = yield* VerifyState.make(accounts)
      yield* Callbacks.start(options.callback)
      yield* WebhookDelivery.start.pipe(Effect.provideService(VerifyState.VerifyState, verify))
      const tenants = [...state.apiKeys, ...verify.accounts.map((a) => a.accountSid)]
      const faults = yield* Faults.make(tenants, options.randomFaults)
      const url = yield* Server.serve(options).pipe(
        Effect.provideService(Faults.EmulatorFaults, faults),
        Effect.provideService(VerifyState.VerifyState, verify)
      )
      if (document !== undefined) {
        yield* StateFile.load(document, state, verify).pipe(
          Effect.catchAll((e) => Effect.dieMessage(e._tag === "InvalidState" ? e.message : "The state names a tenant the emulator does not serve"))
        )
      }
      const authy = AuthyControl.make(state, faults)
      const control: Control.EmulatorControl = {
        ...authy,
        ...stateControl(state),
        reset: Effect.zipRight(authy.reset, verify.resetAll),
        verify: { ...VerifyControl.make(verify), ...accountStateControl(verify) }
      }
      return { url, apiKeys: state.apiKeys, accounts: verify.accounts, control }
    })
  )

/** A state option as a document, or the defect naming its bad field. */
const validState = (input: unknown) => {
  const decoded = StateFile.decode(input)
  return Either.isLeft(decoded) ? Effect.dieMessage(decoded.left.message) : Effect.succeed(decoded.right)
}

const unknownTenant = () => Effect.dieMessage("The emulator does not serve that API key or account")

/** The settings and state operations of the handle, on applications. */
const stateControl = (state: State.Service) => {
  const keyOf = (apiKey: string | undefined) => apiKey ?? state.apiKeys[0]!
  const use = <A>(apiKey: string | undefined, f: (app: State.AppState) => A) =>
    Effect.catchTag(state.use(keyOf(apiKey), f), "UnknownApiKey", unknownTenant)
  return {
    settings: (apiKey?: string) => use(apiKey, (app) => app.settings),
    updateSettings: (patch: Settings.Patch, apiKey?: string) =>
      use(apiKey, (app) => (app.settings = Settings.apply(app.settings, patch, app.appId))),
    exportState: (apiKey?: string) =>
      Effect.catchTag(StateFile.exportApp(state, keyOf(apiKey)), "UnknownApiKey", unknownTenant),
    importState: (document: unknown, apiKey?: string) =>
      Effect.flatMap(StateFile.decode(document), (valid) => StateFile.importApp(state, keyOf(apiKey), valid)).pipe(
        Effect.catchTag("UnknownApiKey", unknownTenant)
      )
  }
}

/** The state operations of the handle, on accounts. */
const accountStateControl = (verify: VerifyState.Service) => {
  const sidOf = (sid: string | undefined) => sid ?? verify.accounts[0]!.accountSid
  return {
    exportState: (accountSid?: string) =>
      Effect.catchTag(StateFile.exportAccount(verify, sidOf(accountSid)), "UnknownAccount", unknownTenant),
    importState: (document: unknown, accountSid?: string) =>
      Effect.flatMap(StateFile.decode(document), (valid) => StateFile.importAccount(verify, sidOf(accountSid), valid)).pipe(
        Effect.catchTag("UnknownAccount", unknownTenant)
      )
  }
}

/**
 * The API keys and accounts to serve: the options', and those a state
 * document adds (dies naming the bad field of an invalid one).
 */
const served = (options: Options) => {
  const apiKeys = options.apiKeys ?? [defaultApiKey]
  const accounts = options.accounts ?? [VerifyState.defaultAccount]
  if (options.state === undefined) return { apiKeys, accounts }
  const decoded = Either.flatMap(StateFile.decode(options.state), (d) => StateFile.servedBy(d, apiKeys, accounts))
  if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
  return decoded.right
}

/**
 * Starts the emulator on a free loopback port for the life of the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Emulator, ServeError> =>
  Layer.unwrapEffect(Effect.sync(() => {
    const { accounts, apiKeys } = served(options)
    return layerFromState({ ...options, accounts }).pipe(
      Layer.provide(State.layer(apiKeys, {
        ...(options.profile === undefined ? {} : { profile: options.profile }),
        ...(options.settings === undefined ? {} : { settings: options.settings })
      }))
    )
  }))

/**
 * The emulator and an {@link AuthyService} pointed at it with its first key:
 * everything a test of code using the client needs, but the `HttpClient`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { Emulator } from "effect-authy/emulator"
 *
 * const AuthyTest = Emulator.layerAuthy().pipe(Layer.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAuthy = (
  options: Options & Omit<AuthyOptions, "apiKey" | "apiUrl"> = {}
): Layer.Layer<Emulator | AuthyService, ServeError, HttpClient.HttpClient> => {
  const { accounts, apiKeys, callback, host, port, profile, randomFaults, settings, state, ui, ...authy } = options
  const emulator = layer({
    ...(profile === undefined ? {} : { profile }),
    ...(settings === undefined ? {} : { settings }),
    ...(state === undefined ? {} : { state }),
    ...(accounts === undefined ? {} : { accounts }),
    ...(apiKeys === undefined ? {} : { apiKeys }),
    ...(callback === undefined ? {} : { callback }),
    ...(randomFaults === undefined ? {} : { randomFaults }),
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(ui === undefined ? {} : { ui })
  })
  const client = Layer.unwrapEffect(
    Effect.map(Emulator, (e) => AuthyService.layer({ ...authy, apiKey: Redacted.make(e.apiKeys[0]!), apiUrl: e.url }))
  )
  return Layer.provideMerge(client, emulator)
}
