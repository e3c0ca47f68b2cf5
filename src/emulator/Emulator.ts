/**
 * The emulator as a service: a running server's URL, the API keys it serves,
 * and a control handle over its state.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Context, Effect, Layer, Redacted } from "effect"
import { AuthyService, type Options as AuthyOptions } from "../AuthyService.js"
import * as Server from "./app.js"
import * as Callbacks from "./authy/callbacks.js"
import * as AuthyControl from "./authy/control.js"
import * as State from "./authy/State.js"
import type * as Control from "./control.js"
import * as Faults from "./core/faults.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The base URL, e.g. `http://127.0.0.1:51234`. */
  readonly url: string
  /** The API keys served; the first is the default of every control call. */
  readonly apiKeys: ReadonlyArray<string>
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
   * Fail this share of Authy requests at random (off by default): every
   * application starts with this random mode, and may change its own; see
   * faults.ts.
   */
  readonly randomFaults?: Faults.RandomFaults
}

/**
 * A running Authy emulator.
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
      yield* Callbacks.start(options.callback)
      const faults = yield* Faults.make(state.apiKeys, options.randomFaults)
      const url = yield* Server.serve(options).pipe(Effect.provideService(Faults.EmulatorFaults, faults))
      const control: Control.EmulatorControl = AuthyControl.make(state, faults)
      return { url, apiKeys: state.apiKeys, control }
    })
  )

/**
 * Starts the emulator on a free loopback port for the life of the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Emulator, ServeError> =>
  layerFromState(options).pipe(Layer.provide(State.layer(options.apiKeys ?? [defaultApiKey])))

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
  const { apiKeys, callback, host, port, randomFaults, ...authy } = options
  const emulator = layer({
    ...(apiKeys === undefined ? {} : { apiKeys }),
    ...(callback === undefined ? {} : { callback }),
    ...(randomFaults === undefined ? {} : { randomFaults }),
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port })
  })
  const client = Layer.unwrapEffect(
    Effect.map(Emulator, (e) => AuthyService.layer({ ...authy, apiKey: Redacted.make(e.apiKeys[0]!), apiUrl: e.url }))
  )
  return Layer.provideMerge(client, emulator)
}
