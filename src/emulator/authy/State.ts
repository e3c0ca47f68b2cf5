/**
 * The Authy side's state: one in-memory application per API key, each a
 * tenant of the core's store (core/tenants.ts) with its own clock, so that no
 * application's control calls change another's world.
 *
 * Every change happens inside one synchronous function run by
 * {@link Service.use}, so a request's reads and writes are atomic without
 * locks: JavaScript runs it to the end before serving anything else.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, type Scope } from "effect"
import * as Random from "../core/random.js"
import * as Tenants from "../core/tenants.js"
import * as Settings from "./settings.js"

/**
 * The channels a code can be sent on: `sms`/`call` for Authy tokens,
 * `verification` for phone verification codes (sent by SMS or call).
 *
 * @since 0.1.0
 * @category models
 */
export type Channel = "sms" | "call" | "verification" | "email"

/**
 * An Authy app installed on a user's phone, or a generic authenticator
 * (Google Authenticator and the like) given its secret by `users/{id}/secret`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Device {
  readonly id: number
  readonly osType: string
  /** The TOTP secret, base32. */
  readonly secret: string
  /** The length of its codes: 7 for the Authy app, 6 for a generic authenticator. */
  readonly digits: number
  readonly registeredAt: number
  /** TOTP counters already accepted: a code is single-use. */
  readonly usedCounters: Set<number>
}

/**
 * An SMS or call token sent to a user.
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuedToken {
  readonly code: string
  readonly channel: "sms" | "call" | "email"
  readonly issuedAt: number
  usedAt: number | undefined
}

/**
 * An Authy user of one application.
 *
 * @since 0.1.0
 * @category models
 */
export interface User {
  readonly id: number
  /** The 24-hex id OneTouch records carry as `user_id`. */
  readonly objectId: string
  /** Changed by `users/{id}/update`. */
  email: string
  /** Digits only. */
  readonly cellphone: string
  readonly countryCode: number
  /** The id the application's mobile SDK registered the user under (`registrations/status`). */
  readonly customUserId: string | undefined
  readonly createdAt: number
  /** Has used a valid token at least once. */
  confirmed: boolean
  readonly devices: Array<Device>
  readonly tokens: Array<IssuedToken>
}

/**
 * A code the emulator "sent": what a phone would have received.
 *
 * @since 0.1.0
 * @category models
 */
export interface Message {
  /** The user, or `null` for a phone verification (which has no user). */
  readonly authyId: number | null
  readonly channel: Channel
  /** How it went: `sms` or `call`, or `email` for an e-mail token. */
  readonly via: "sms" | "call" | "email"
  readonly code: string
  /** E.164 (`+573053425699`), or the address of an e-mail token. */
  readonly to: string
  readonly countryCode: number
  /** Digits only. */
  readonly phoneNumber: string
  readonly sentAt: number
}

/**
 * A OneTouch approval request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Approval {
  readonly uuid: string
  readonly objectId: string
  readonly authyId: number
  readonly userObjectId: string
  readonly userEmail: string
  readonly message: string
  readonly details: Readonly<Record<string, string>>
  readonly hiddenDetails: Readonly<Record<string, string>>
  readonly logos: ReadonlyArray<{ readonly res: string; readonly url: string }>
  /** `0` never expires. */
  readonly secondsToExpire: number
  readonly createdAt: number
  /** Set by approve/deny; expiry is computed from the clock. */
  decision: { readonly status: "approved" | "denied"; readonly at: number } | undefined
}

/**
 * Where an application's OneTouch callbacks go (authy-api.md §2.16): POST
 * with a JSON body, or GET with the parameters as the query.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallbackTarget {
  /** Absolute `http(s)` URL; for GET, without a query string. */
  readonly url: string
  readonly method: "POST" | "GET"
}

/**
 * One OneTouch callback the emulator sent, and what came of it: the HTTP
 * status the application answered, or why there was no answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delivery {
  /** The approval request's uuid. */
  readonly uuid: string
  readonly status: "approved" | "denied"
  /** The callback URL, without the GET query. */
  readonly url: string
  readonly method: "POST" | "GET"
  /** `X-Authy-Signature-Nonce`: Unix seconds of the emulator clock. */
  readonly nonce: string
  /** `X-Authy-Signature`. */
  readonly signature: string
  /** What was signed and sent: the JSON body (POST) or, canonicalised, the query (GET). */
  readonly payload: Readonly<Record<string, unknown>>
  /** Emulator clock, Unix milliseconds. */
  readonly sentAt: number
  readonly responseStatus?: number
  readonly error?: string
  /** How long the application took to answer (or the attempt to fail), in real milliseconds. */
  readonly latencyMillis?: number
}

/**
 * A pending phone verification.
 *
 * @since 0.1.0
 * @category models
 */
export interface PhoneVerification {
  readonly uuid: string
  readonly countryCode: number
  readonly phoneNumber: string
  readonly code: string
  readonly createdAt: number
  readonly expiresAt: number
}

/**
 * What happened in one month, for `app/stats`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MonthCounts {
  users: number
  sms: number
  calls: number
  auths: number
  apiCalls: number
}

/**
 * Running totals tests use to prove what was (not) sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly messages: { sms: number; call: number; verification: number }
  /** E-mail tokens sent (`email/{authy_id}`). */
  emails: number
  /** SMS/call requests answered `ignored` (the user has the app). */
  ignored: number
  /** OneTouch approval requests created. */
  pushes: number
  /** SMS/call/app tokens accepted by `verify`. */
  tokensConsumed: number
  /** Authenticated Authy API requests (the control API is not counted). */
  apiCalls: number
}

/**
 * One application: everything reachable with one API key.
 *
 * @since 0.1.0
 * @category models
 */
export interface AppState {
  readonly apiKey: string
  readonly appId: number
  readonly objectId: string
  /** What `app/details` reports and the endpoints honour. Configuration: resets keep it. */
  settings: Settings.Settings
  readonly createdAt: number
  nextUserId: number
  nextDeviceId: number
  readonly users: Map<number, User>
  /** `"<country code>-<digits>"` → user id: users are matched by phone. */
  readonly userIdsByPhone: Map<string, number>
  readonly messages: Array<Message>
  readonly approvals: Map<string, Approval>
  /** `"<country code>-<digits>"` → the pending verification of that phone. */
  readonly verifications: Map<string, PhoneVerification>
  /** `"YYYY-MM"` → counts. */
  readonly months: Map<string, MonthCounts>
  readonly counters: Counters
  /** Where OneTouch callbacks go. Configuration, not data: resets keep it. */
  callback: CallbackTarget | undefined
  /**
   * How far the application's clock is ahead of the real clock, in
   * milliseconds (see {@link advanceClock}). Kept by a reset of the
   * application, so that its time never runs backwards.
   */
  clockOffset: number
  /** OneTouch callbacks sent, oldest first. */
  readonly deliveries: Array<Delivery>
  /** Approval requests answered since the {@link Service.onAnswered} listeners were last told. */
  readonly answered: Array<Approval>
  /**
   * The QR images `users/{id}/secret` handed out: an unguessable decimal
   * token (the image URL is fetched without a key) → the user and device.
   */
  readonly qrCodes: Map<string, { readonly authyId: number; readonly deviceId: number; readonly label: string }>
}

/**
 * The key of a phone in the maps above.
 *
 * @since 0.1.0
 * @category models
 */
export const phoneKey = (countryCode: number, digits: string): string => `${countryCode}-${digits}`

/**
 * A fresh, empty application.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyApp = (
  apiKey: string,
  appId: number,
  now: number,
  profile: Settings.Profile = "default"
): AppState => ({
  apiKey,
  appId,
  objectId: Random.objectId(),
  settings: Settings.defaults(profile, appId),
  createdAt: now,
  nextUserId: 1,
  nextDeviceId: 1,
  users: new Map(),
  userIdsByPhone: new Map(),
  messages: [],
  approvals: new Map(),
  verifications: new Map(),
  months: new Map(),
  counters: { messages: { sms: 0, call: 0, verification: 0 }, emails: 0, ignored: 0, pushes: 0, tokensConsumed: 0, apiCalls: 0 },
  callback: undefined,
  clockOffset: 0,
  deliveries: [],
  answered: [],
  qrCodes: new Map()
})

/**
 * How far an application's clock may run ahead of real time: 100 years of
 * 365 days (the core's bound for every tenant).
 *
 * @since 0.1.0
 * @category clock
 */
export const maxClockOffsetMillis: number = Tenants.maxClockOffsetMillis

/**
 * Moves the application's clock forward by `millis`; answers why not (and
 * changes nothing) when `millis` is not a finite, non-negative number or
 * would put the clock more than {@link maxClockOffsetMillis} ahead.
 *
 * @since 0.1.0
 * @category clock
 */
export const advanceClock: (app: AppState, millis: number) => string | undefined = Tenants.advanceClock

/**
 * The API key is not one the emulator serves.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownApiKey {
  /** @since 0.1.0 */
  readonly _tag = "UnknownApiKey"
}

/**
 * Told of every approval request answered (approved or denied), right after
 * the atomic step that answered it, with that step's emulator time.
 *
 * @since 0.1.0
 * @category models
 */
export type AnsweredListener = (app: AppState, approval: Approval, now: number) => void

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The keys accepted, in the order given; the first is the default. */
  readonly apiKeys: ReadonlyArray<string>
  /** Runs `f` on the application of `apiKey` at the application's current time, atomically. */
  readonly use: <A>(apiKey: string, f: (app: AppState, now: number) => A) => Effect.Effect<A, UnknownApiKey>
  /** Empties one application (its id, key and settings stay). */
  readonly resetApp: (apiKey: string) => Effect.Effect<void, UnknownApiKey>
  /**
   * Replaces one application's world with `next` (built by the state file's
   * import at the application's time); its clock offset stays.
   */
  readonly replaceApp: (apiKey: string, next: (now: number) => AppState) => Effect.Effect<void, UnknownApiKey>
  /** Empties every application and puts every clock back to real time. */
  readonly resetAll: Effect.Effect<void>
  /** Calls `listener` for every approval request answered, for the life of the scope. */
  readonly onAnswered: (listener: AnsweredListener) => Effect.Effect<void, never, Scope.Scope>
  /**
   * Runs a read-only `f` on an application without telling the watchers
   * (the web inbox reads through it, so that reading wakes nobody).
   *
   * @since 0.3.0
   */
  readonly peek: <A>(apiKey: string, f: (app: AppState, now: number) => A) => Effect.Effect<A, UnknownApiKey>
  /**
   * Calls `watcher` with an application's API key after anything may have
   * changed it, for the life of the scope (the web inbox's live updates).
   *
   * @since 0.3.0
   */
  readonly onChange: (watcher: Tenants.Watcher) => Effect.Effect<void, never, Scope.Scope>
}

/**
 * The emulator state as a service, so the HTTP routes, the control API and
 * tests share one store.
 *
 * @since 0.1.0
 * @category tags
 */
export class EmulatorState extends Context.Tag("effect-authy/emulator/EmulatorState")<EmulatorState, Service>() {}

/**
 * How every application starts: its profile (default `default`) and changes
 * to that profile's settings.
 *
 * @since 0.3.0
 * @category models
 */
export interface StartOptions {
  readonly profile?: Settings.Profile
  readonly settings?: Settings.Patch
}

/**
 * Builds an empty state serving `apiKeys` (at least one), on the core's
 * tenant store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (apiKeys: ReadonlyArray<string>, options: StartOptions = {}): Effect.Effect<Service> =>
  Effect.sync(() => {
    if (apiKeys.length === 0) throw new Error("The emulator needs at least one API key")
    const empty = (apiKey: string, appId: number, now: number) => {
      const app = emptyApp(apiKey, appId, now, options.profile)
      app.settings = Settings.apply(app.settings, options.settings ?? {}, appId)
      return app
    }
    // The callback target and the settings are configuration, like the key: resets keep them.
    const keep = (previous: AppState, next: AppState) => {
      next.callback = previous.callback
      next.settings = previous.settings
    }
    const store = Tenants.make<AppState, Approval>(apiKeys, {
      empty,
      keep,
      keepOnResetAll: keep,
      drain: (app) => app.answered.splice(0)
    })
    const unknownKey = () => Effect.fail(new UnknownApiKey())
    return {
      apiKeys: store.ids,
      use: (apiKey, f) => Effect.catchTag(store.use(apiKey, f), "UnknownTenant", unknownKey),
      resetApp: (apiKey) => Effect.catchTag(store.reset(apiKey), "UnknownTenant", unknownKey),
      replaceApp: (apiKey, next) => Effect.catchTag(store.replace(apiKey, next), "UnknownTenant", unknownKey),
      resetAll: store.resetAll,
      onAnswered: store.listen,
      peek: (apiKey, f) => Effect.catchTag(store.peek(apiKey, f), "UnknownTenant", unknownKey),
      onChange: store.watch
    }
  })

/**
 * The state as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (apiKeys: ReadonlyArray<string>, options: StartOptions = {}): Layer.Layer<EmulatorState> =>
  Layer.effect(EmulatorState, make(apiKeys, options))
