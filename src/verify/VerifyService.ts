/**
 * The Twilio Verify v2 client as an Effect service: every program, bound to
 * one account, one Verify Service and the application's `HttpClient`. The
 * same executor as `AuthyService` (timeouts, retries by safety class,
 * limits, redaction, spans) speaks Twilio's wire: HTTP Basic credentials,
 * form-encoded bodies, Twilio's error body.
 *
 * @since 0.2.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { Config, Context, Effect, Layer } from "effect"
import type { Duration, Redacted, Scope } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { ValidationError } from "../AuthyError.js"
import * as Http from "../internal/core/http.js"
import * as CoreOptions from "../internal/core/options.js"
import type { Context as ProgramContext } from "../internal/verify/common.js"
import * as InternalChallenges from "../internal/verify/challenges.js"
import * as TwilioDialect from "../internal/verify/dialect.js"
import * as InternalFactors from "../internal/verify/factors.js"
import * as InternalLookup from "../internal/verify/lookup.js"
import * as InternalServices from "../internal/verify/services.js"
import * as InternalVerifications from "../internal/verify/verifications.js"
import * as InternalWebhooks from "../internal/verify/webhooks.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type {
  ChallengesApi,
  EntitiesApi,
  FactorsApi,
  LookupApi,
  ServicesApi,
  VerificationsApi,
  WebhooksApi
} from "./Models.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The account (`AC…`). */
  readonly accountSid: string
  /**
   * The account's auth token. It signs the requests unless `apiKey` is given,
   * travels only in the `Authorization` header, and is the key of the
   * webhook signatures (`X-Twilio-Signature`) that `VerifyWebhook` checks.
   */
  readonly authToken?: Redacted.Redacted<string>
  /**
   * An API key (`SK…` and its secret), which Twilio recommends for
   * production: requests are signed with it instead of the auth token. Webhook
   * signatures are still made with the auth token, so give both to verify
   * webhooks.
   */
  readonly apiKey?: { readonly sid: string; readonly secret: Redacted.Redacted<string> }
  /** The Verify Service (`VA…`) every program acts on. */
  readonly serviceSid: string
  /** Verify's base URL (default `https://verify.twilio.com`): https, or http on loopback (the emulator). */
  readonly baseUrl?: string
  /** Lookup's base URL (default `https://lookups.twilio.com`). */
  readonly lookupUrl?: string
  /** How long one attempt may take, answer body included (default 10 seconds). */
  readonly timeout?: Duration.DurationInput
  /** How long a whole call may take, retries and their delays included (default 30 seconds). */
  readonly totalTimeout?: Duration.DurationInput
  /** When failed requests are sent again (default `RetryPolicy.defaults`). */
  readonly retry?: RetryPolicy.RetryPolicy
  /** A client-side rate limit on requests to Twilio, Verify and Lookup together (off by default). */
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput }
  /** At most this many requests to Twilio in flight at once (off by default). */
  readonly maxConcurrency?: number
  /** Replaces the `User-Agent` (default `effect-authy/<version> (Node <version>)`). */
  readonly userAgent?: string
  /** Adapts the `HttpClient` the service uses; applied before the service's own settings. */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

/**
 * What the {@link VerifyService} holds: every program, grouped as on the
 * wire. Each method returns an Effect (or a Stream) with no requirements.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  readonly services: ServicesApi
  readonly verifications: VerificationsApi
  readonly entities: EntitiesApi
  readonly factors: FactorsApi
  readonly challenges: ChallengesApi
  readonly webhooks: WebhooksApi
  readonly lookup: LookupApi
}

/**
 * The Twilio Verify client.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer, Redacted } from "effect"
 * import { Verifications, VerifyService } from "effect-authy/verify"
 *
 * const VerifyLive = VerifyService.layer({
 *   accountSid: "AC00000000000000000000000000000000",
 *   authToken: Redacted.make("token"),
 *   serviceSid: "VA00000000000000000000000000000000"
 * }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 *
 * const program = Verifications.start({ to: "+15017122661", channel: "sms" }).pipe(Effect.provide(VerifyLive))
 * ```
 *
 * @since 0.2.0
 * @category tags
 */
export class VerifyService extends Context.Tag("effect-authy/verify/VerifyService")<VerifyService, Service>() {
  /**
   * @since 0.2.0
   */
  static readonly make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
    make(options)
  /**
   * @since 0.2.0
   */
  static readonly layer = (options: Options): Layer.Layer<VerifyService, never, HttpClient.HttpClient> => layer(options)
  /**
   * @since 0.2.0
   */
  static readonly layerConfig = (
    options?: ConfigOptions
  ): Layer.Layer<VerifyService, ConfigError, HttpClient.HttpClient> => layerConfig(options)
}

/** The credentials, checked: which of them sign requests, and the SIDs' shapes. */
const credentialsError = (options: Options): ValidationError | undefined => {
  const refuse = (field: string, message: string) => new ValidationError({ field, message, service: "Verify" })
  const sid = (value: unknown, prefix: string, field: string) =>
    typeof value === "string" && new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value)
      ? undefined
      : refuse(field, `${field} must be a ${prefix} SID (${prefix} and 32 hex digits)`)
  if (options.authToken === undefined && options.apiKey === undefined) {
    return refuse("authToken", "authToken or apiKey is required")
  }
  return sid(options.accountSid, "AC", "accountSid") ??
    sid(options.serviceSid, "VA", "serviceSid") ??
    (options.authToken === undefined ? undefined : CoreOptions.redactedSecretError(options.authToken, "authToken", "Verify")) ??
    (options.apiKey === undefined
      ? undefined
      : sid(options.apiKey.sid, "SK", "apiKey.sid") ??
        CoreOptions.redactedSecretError(options.apiKey.secret, "apiKey.secret", "Verify"))
}

/**
 * Builds the service from the application's `HttpClient`. As with
 * `AuthyService.make`, options are checked once: an unusable one (a SID of
 * the wrong shape, a token that is not `Redacted`, an http URL to a remote
 * host) makes every call fail with a `ValidationError` naming it, before
 * anything is sent.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const resolved = CoreOptions.resolve(options, "Verify", () => credentialsError(options))
    const executors = resolved instanceof ValidationError
      ? { verify: Http.refusing(resolved), lookup: Http.refusing(resolved) }
      : yield* Effect.map(CoreOptions.makeLimit(resolved), (limit) => {
        const transport = resolved.transformClient ? resolved.transformClient(client) : client
        const credentials: TwilioDialect.Credentials = options.apiKey !== undefined
          ? { username: options.apiKey.sid, password: options.apiKey.secret }
          : { username: options.accountSid, password: options.authToken! }
        const settings = (service: "Verify" | "Lookup", apiUrl: string) => ({
          dialect: TwilioDialect.make(service, credentials),
          apiUrl,
          timeout: resolved.timeout,
          totalTimeout: resolved.totalTimeout,
          userAgent: resolved.userAgent,
          retry: resolved.retry,
          limit
        })
        return {
          verify: Http.make(transport, settings("Verify", options.baseUrl ?? TwilioDialect.defaultVerifyUrl), "baseUrl"),
          lookup: Http.make(transport, settings("Lookup", options.lookupUrl ?? TwilioDialect.defaultLookupUrl), "lookupUrl")
        }
      })
    const context: ProgramContext = { ...executors, serviceSid: String(options.serviceSid) }
    return {
      services: InternalServices.make(context),
      verifications: InternalVerifications.make(context),
      entities: InternalFactors.makeEntities(context),
      factors: InternalFactors.makeFactors(context),
      challenges: InternalChallenges.make(context),
      // A token that is unusable validates no webhook signature.
      webhooks: InternalWebhooks.make(
        context,
        resolved instanceof ValidationError || options.authToken === undefined ? undefined : options.authToken
      ),
      lookup: InternalLookup.make(context)
    }
  })

/**
 * The service as a layer; the `HttpClient` is left for the application to
 * provide. `Authorization` is among the platform's redacted header names
 * wherever the layer is provided (it is by default; this keeps it so).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<VerifyService, never, HttpClient.HttpClient> =>
  Layer.merge(Layer.scoped(VerifyService, make(options)), Http.redactHeader("authorization"))

/**
 * The options of {@link layerConfig}: a `Config` for each of the account's
 * settings (defaults: `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN` redacted,
 * `TWILIO_VERIFY_SERVICE_SID`, `TWILIO_VERIFY_URL` and `TWILIO_LOOKUP_URL`
 * with Twilio's URLs as defaults), and the other options as values.
 *
 * @since 0.2.0
 * @category models
 */
export interface ConfigOptions extends Omit<Options, "accountSid" | "authToken" | "serviceSid" | "baseUrl" | "lookupUrl"> {
  readonly accountSid?: Config.Config<string>
  readonly authToken?: Config.Config<Redacted.Redacted<string>>
  readonly serviceSid?: Config.Config<string>
  readonly baseUrl?: Config.Config<string>
  readonly lookupUrl?: Config.Config<string>
}

/**
 * The service as a layer configured from `Config`.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { VerifyService } from "effect-authy/verify"
 *
 * // TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_VERIFY_SERVICE_SID
 * const VerifyLive = VerifyService.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<VerifyService, ConfigError, HttpClient.HttpClient> => {
  const { accountSid, authToken, baseUrl, lookupUrl, serviceSid, ...rest } = options
  return Config.all({
    accountSid: accountSid ?? Config.string("TWILIO_ACCOUNT_SID"),
    authToken: authToken ?? Config.redacted("TWILIO_AUTH_TOKEN"),
    serviceSid: serviceSid ?? Config.string("TWILIO_VERIFY_SERVICE_SID"),
    baseUrl: baseUrl ?? Config.string("TWILIO_VERIFY_URL").pipe(Config.withDefault(TwilioDialect.defaultVerifyUrl)),
    lookupUrl: lookupUrl ?? Config.string("TWILIO_LOOKUP_URL").pipe(Config.withDefault(TwilioDialect.defaultLookupUrl))
  }).pipe(
    Effect.map((fromConfig) => layer({ ...rest, ...fromConfig })),
    Layer.unwrapEffect
  )
}

type Options_ = Options
type Service_ = Service
type ConfigOptions_ = ConfigOptions

/**
 * The types that go with the {@link VerifyService} tag.
 *
 * @since 0.2.0
 * @category models
 */
export declare namespace VerifyService {
  /**
   * @since 0.2.0
   */
  export type Options = Options_
  /**
   * @since 0.2.0
   */
  export type Service = Service_
  /**
   * @since 0.2.0
   */
  export type ConfigOptions = ConfigOptions_
}
