/**
 * The Authy client as an Effect service: every endpoint, bound to one API key,
 * one base URL and the application's `HttpClient`.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { Config, Context, Effect, Layer } from "effect"
import type { Duration, Redacted } from "effect"
import type { Scope } from "effect"
import type { ConfigError } from "effect/ConfigError"
import type { AppApi } from "./App.js"
import { ValidationError } from "./AuthyError.js"
import * as InternalApp from "./internal/authy/app.js"
import * as AuthyDialect from "./internal/authy/dialect.js"
import * as Http from "./internal/core/http.js"
import * as InternalOneTouch from "./internal/authy/oneTouch.js"
import * as InternalPhones from "./internal/authy/phones.js"
import * as InternalTokens from "./internal/authy/tokens.js"
import * as InternalUsers from "./internal/authy/users.js"
import * as CoreOptions from "./internal/core/options.js"
import type { OneTouchApi } from "./OneTouch.js"
import type { PhonesApi } from "./Phones.js"
import * as RetryPolicy from "./RetryPolicy.js"
import type { TokensApi } from "./Tokens.js"
import type { UsersApi } from "./Users.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The application's API key. It travels only in the `X-Authy-API-Key` header. */
  readonly apiKey: Redacted.Redacted<string>
  /**
   * The API's base URL (default `https://api.authy.com`). Must be https,
   * except for a loopback host such as the emulator's `http://127.0.0.1:4010`.
   */
  readonly apiUrl?: string
  /** How long one attempt may take, answer body included (default 10 seconds). */
  readonly timeout?: Duration.DurationInput
  /** How long a whole call may take, retries and their delays included (default 30 seconds). */
  readonly totalTimeout?: Duration.DurationInput
  /**
   * When failed requests are sent again (default {@link RetryPolicy.defaults});
   * {@link RetryPolicy.disabled} turns retries off. One call can use another
   * policy with {@link RetryPolicy.withPolicy}.
   */
  readonly retry?: RetryPolicy.RetryPolicy
  /** A client-side rate limit on requests to Authy (off by default). */
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput }
  /** At most this many requests to Authy in flight at once (off by default). */
  readonly maxConcurrency?: number
  /** Replaces the `User-Agent` (default `effect-authy/<version> (Node <version>)`). */
  readonly userAgent?: string
  /**
   * Adapts the `HttpClient` the service uses, e.g. to add headers or
   * instrumentation. Applied before the service's own settings.
   */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

/**
 * What the {@link AuthyService} holds: every endpoint, grouped as on the wire.
 * Each method returns an Effect with no requirements.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly users: UsersApi
  readonly tokens: TokensApi
  readonly oneTouch: OneTouchApi
  readonly phones: PhonesApi
  readonly app: AppApi
}

/**
 * The Authy client.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer, Redacted } from "effect"
 * import { AuthyService, Users } from "effect-authy"
 *
 * const AuthyLive = AuthyService.layer({ apiKey: Redacted.make("my-key") }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 *
 * const program = Users.status(1635).pipe(Effect.provide(AuthyLive))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class AuthyService extends Context.Tag("effect-authy/AuthyService")<AuthyService, Service>() {
  /**
   * @since 0.1.0
   */
  static readonly make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
    make(options)
  /**
   * @since 0.1.0
   */
  static readonly layer = (options: Options): Layer.Layer<AuthyService, never, HttpClient.HttpClient> => layer(options)
  /**
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options?: ConfigOptions
  ): Layer.Layer<AuthyService, ConfigError, HttpClient.HttpClient> => layerConfig(options)
}

type Options_ = Options
type Service_ = Service
type ConfigOptions_ = ConfigOptions

/**
 * The types that go with the {@link AuthyService} tag.
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace AuthyService {
  /**
   * @since 0.1.0
   */
  export type Options = Options_
  /**
   * @since 0.1.0
   */
  export type Service = Service_
  /**
   * @since 0.1.0
   */
  export type ConfigOptions = ConfigOptions_
}

/**
 * Builds the service from the application's `HttpClient`.
 *
 * Options are checked here, once. An unusable one (`timeout: "abc"` through a
 * cast, a `NaN` limit, a key that is not `Redacted`) does not make building
 * fail or die: every call of the service fails with a `ValidationError`
 * naming the option, before anything is sent, as for a non-https `apiUrl`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const resolved = CoreOptions.resolve(options, "Authy", () => CoreOptions.redactedSecretError(options.apiKey, "apiKey", "Authy"))
    const http = resolved instanceof ValidationError
      ? Http.refusing(resolved)
      : Http.make(resolved.transformClient ? resolved.transformClient(client) : client, {
        dialect: AuthyDialect.make(options.apiKey),
        apiUrl: options.apiUrl ?? AuthyDialect.defaultApiUrl,
        timeout: resolved.timeout,
        totalTimeout: resolved.totalTimeout,
        userAgent: resolved.userAgent,
        retry: resolved.retry,
        limit: yield* CoreOptions.makeLimit(resolved)
      })
    const keyUsable = CoreOptions.redactedSecretError(options.apiKey, "apiKey", "Authy") === undefined
    return {
      users: InternalUsers.make(http),
      tokens: InternalTokens.make(http),
      // A key that is not usable validates no callback signature.
      oneTouch: InternalOneTouch.make(http, keyUsable ? options.apiKey : undefined),
      phones: InternalPhones.make(http),
      app: InternalApp.make(http)
    }
  })

/**
 * The `X-Authy-API-Key` header is added to the platform's redacted header
 * names wherever this layer is provided, so that logged or traced requests
 * never show the key.
 */
const redactKeyHeader = Http.redactHeader(AuthyDialect.keyHeader)

/**
 * The service as a layer. The `HttpClient` is left for the application to
 * provide (`NodeHttpClient.layerUndici`, `FetchHttpClient.layer`, a test stub).
 * Building it never fails: an unusable option makes every call fail with a
 * `ValidationError` naming it (see {@link make}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<AuthyService, never, HttpClient.HttpClient> =>
  Layer.merge(Layer.scoped(AuthyService, make(options)), redactKeyHeader)

/**
 * The options of {@link layerConfig}: all but the key and URL, which come from `Config`.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigOptions = Omit<Options, "apiKey" | "apiUrl">

/**
 * The service as a layer configured from `Config`: `AUTHY_API_KEY` (redacted,
 * required) and `AUTHY_API_URL` (default `https://api.authy.com`).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { AuthyService } from "effect-authy"
 *
 * const AuthyLive = AuthyService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: ConfigOptions
): Layer.Layer<AuthyService, ConfigError, HttpClient.HttpClient> =>
  Config.all({
    apiKey: Config.redacted("AUTHY_API_KEY"),
    apiUrl: Config.string("AUTHY_API_URL").pipe(Config.withDefault(AuthyDialect.defaultApiUrl))
  }).pipe(
    Effect.map((fromConfig) => layer({ ...options, ...fromConfig })),
    Layer.unwrapEffect
  )
