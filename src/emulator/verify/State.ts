/**
 * The Verify side's state: one in-memory Twilio account per account SID,
 * each a tenant of the core's store (core/tenants.ts) with its own clock.
 * An account holds its Verify services (with their verifications, entities,
 * factors, challenges and webhooks), the messages "sent" and the webhooks
 * delivered. Every change runs in one synchronous step of
 * {@link Service.use}, atomic without locks.
 *
 * @since 0.2.0
 */
import { Context, Effect, Layer, type Scope } from "effect"
import * as Tenants from "../core/tenants.js"
import type * as Totp from "../core/totp.js"

/**
 * The credentials of an account: its SID and auth token, and optionally API
 * keys (`SK…` and their secrets) that authenticate as the same account.
 *
 * @since 0.2.0
 * @category models
 */
export interface Credentials {
  readonly accountSid: string
  readonly authToken: string
  readonly apiKeys?: ReadonlyArray<{ readonly sid: string; readonly secret: string }>
}

/**
 * The default account of the emulator: `AC` and 32 zeros, `test-auth-token`.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultAccount: Credentials = { accountSid: `AC${"0".repeat(32)}`, authToken: "test-auth-token" }

/**
 * Channels a verification is sent on.
 *
 * @since 0.2.0
 * @category models
 */
export type Channel = "sms" | "call" | "email" | "whatsapp" | "sna"

/**
 * A code the emulator "sent" for a verification: what the phone or inbox got.
 *
 * @since 0.2.0
 * @category models
 */
export interface Message {
  readonly channel: Channel
  readonly to: string
  readonly code: string
  readonly serviceSid: string
  readonly verificationSid: string
  readonly sentAt: number
}

/**
 * A verification (verify-api.md §3): live while `pending` and unexpired.
 *
 * @since 0.2.0
 * @category models
 */
export interface Verification {
  readonly sid: string
  readonly serviceSid: string
  readonly to: string
  channel: Channel
  readonly code: string
  status: "pending" | "approved" | "canceled" | "max_attempts_reached"
  readonly createdAt: number
  updatedAt: number
  readonly expiresAt: number
  readonly sends: Array<{ readonly time: number; readonly channel: Channel; readonly attemptSid: string }>
  checks: number
}

/**
 * A Verify service and everything under it.
 *
 * @since 0.2.0
 * @category models
 */
export interface VerifyService {
  readonly sid: string
  friendlyName: string
  codeLength: number
  lookupEnabled: boolean
  skipSmsToLandlines: boolean
  dtmfInputRequired: boolean
  ttsName: string | null
  psd2Enabled: boolean
  doNotShareWarningEnabled: boolean
  customCodeEnabled: boolean
  totp: { issuer: string | null; timeStep: number; codeLength: number; skew: number }
  readonly createdAt: number
  updatedAt: number
  readonly verifications: Map<string, Verification>
  /** `To` → the SID of its live verification. */
  readonly liveByTo: Map<string, string>
  /** Identity → entity. */
  readonly entities: Map<string, Entity>
  readonly webhooks: Map<string, Webhook>
}

/**
 * An entity: one of your users, by your own identity.
 *
 * @since 0.2.0
 * @category models
 */
export interface Entity {
  readonly sid: string
  readonly identity: string
  readonly serviceSid: string
  readonly createdAt: number
  readonly factors: Map<string, Factor>
  readonly challenges: Map<string, Challenge>
}

/**
 * A TOTP factor's settings.
 *
 * @since 0.2.0
 * @category models
 */
export interface TotpConfig extends Totp.Config {
  readonly skew: number
}

/**
 * A factor: a TOTP secret, or a push device's key.
 *
 * @since 0.2.0
 * @category models
 */
export type Factor = {
  readonly sid: string
  friendlyName: string
  status: "unverified" | "verified"
  readonly createdAt: number
  updatedAt: number
  readonly metadata: Readonly<Record<string, string>> | null
  /** Wrong codes given to verify the factor, for the 60310 cap. */
  verifyAttempts: number
} & (
  | {
    readonly type: "totp"
    readonly secret: string
    config: TotpConfig
    /** TOTP counters already accepted: a code is single-use. */
    readonly usedCounters: Set<number>
  }
  | {
    readonly type: "push"
    readonly binding: { readonly alg: string; readonly publicKey: string }
    config: {
      readonly appId: string
      readonly notificationPlatform: string
      notificationToken: string | null
      sdkVersion: string | null
    }
  }
)

/**
 * A challenge: a TOTP code to check, or a push the user answers.
 *
 * @since 0.2.0
 * @category models
 */
export interface Challenge {
  readonly sid: string
  readonly serviceSid: string
  readonly entitySid: string
  readonly identity: string
  readonly factorSid: string
  readonly factorType: "totp" | "push"
  readonly createdAt: number
  updatedAt: number
  readonly expiresAt: number
  /** Set when approved or denied; expiry is computed from the clock. */
  answer: { readonly status: "approved" | "denied"; readonly at: number } | undefined
  readonly details: { readonly message: string; readonly fields: ReadonlyArray<{ label: string; value: string }> } | null
  readonly hiddenDetails: Readonly<Record<string, string>> | null
  metadata: Readonly<Record<string, string>> | null
  /** Wrong TOTP codes given, for the 60308 cap. */
  attempts: number
}

/**
 * A service webhook: where factor and challenge events go.
 *
 * @since 0.2.0
 * @category models
 */
export interface Webhook {
  readonly sid: string
  readonly serviceSid: string
  friendlyName: string
  eventTypes: ReadonlyArray<string>
  status: "enabled" | "disabled"
  version: "v1" | "v2"
  url: string
  readonly createdAt: number
  updatedAt: number
}

/**
 * An event for the service's webhooks (queued in a step, sent after it).
 *
 * @since 0.2.0
 * @category models
 */
export interface Event {
  readonly type: "factor.created" | "factor.verified" | "factor.deleted" | "challenge.approved" | "challenge.denied"
  readonly serviceSid: string
  /** The webhook form parameters, but `uuid` and `type`. */
  readonly fields: Readonly<Record<string, string>>
}

/**
 * A webhook the emulator sent, and what came of it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Delivery {
  readonly uuid: string
  readonly type: Event["type"]
  readonly webhookSid: string
  readonly url: string
  /** `X-Twilio-Signature`. */
  readonly signature: string
  /** The form parameters sent. */
  readonly params: Readonly<Record<string, string>>
  readonly sentAt: number
  readonly responseStatus?: number
  readonly error?: string
  /** How long the receiver took to answer (or the attempt to fail), in real milliseconds. */
  readonly latencyMillis?: number
}

/**
 * One Twilio account: everything its credentials reach.
 *
 * @since 0.2.0
 * @category models
 */
export interface Account {
  readonly credentials: Credentials
  readonly services: Map<string, VerifyService>
  readonly messages: Array<Message>
  readonly deliveries: Array<Delivery>
  /** Events queued by the current step; the store hands them to its listeners. */
  readonly events: Array<Event>
  clockOffset: number
}

const emptyAccount = (credentials: Credentials): Account => ({
  credentials,
  services: new Map(),
  messages: [],
  deliveries: [],
  events: [],
  clockOffset: 0
})

/**
 * The account SID is not one the emulator serves.
 *
 * @since 0.2.0
 * @category errors
 */
export class UnknownAccount {
  /** @since 0.2.0 */
  readonly _tag = "UnknownAccount"
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** The accounts served, in the order given; the first is the default. */
  readonly accounts: ReadonlyArray<Credentials>
  /** Runs `f` on an account at its current time, atomically. */
  readonly use: <A>(accountSid: string, f: (account: Account, now: number) => A) => Effect.Effect<A, UnknownAccount>
  /** Empties one account (its credentials and clock stay). */
  readonly resetAccount: (accountSid: string) => Effect.Effect<void, UnknownAccount>
  /** Empties every account and puts every clock back to real time. */
  readonly resetAll: Effect.Effect<void>
  /** Calls `listener` for every event, for the life of the scope. */
  readonly onEvent: (listener: Tenants.Listener<Account, Event>) => Effect.Effect<void, never, Scope.Scope>
  /**
   * Runs a read-only `f` on an account without telling the watchers (the
   * web inbox reads through it, so that reading wakes nobody).
   *
   * @since 0.3.0
   */
  readonly peek: <A>(accountSid: string, f: (account: Account, now: number) => A) => Effect.Effect<A, UnknownAccount>
  /**
   * Calls `watcher` with an account's SID after anything may have changed
   * it, for the life of the scope (the web inbox's live updates).
   *
   * @since 0.3.0
   */
  readonly onChange: (watcher: Tenants.Watcher) => Effect.Effect<void, never, Scope.Scope>
}

/**
 * The Verify state as a service.
 *
 * @since 0.2.0
 * @category tags
 */
export class VerifyState extends Context.Tag("effect-authy/emulator/VerifyState")<VerifyState, Service>() {}

/**
 * Builds an empty state serving `accounts` (at least one; SIDs distinct).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (accounts: ReadonlyArray<Credentials>): Effect.Effect<Service> =>
  Effect.sync(() => {
    const bySid = new Map(accounts.map((a) => [a.accountSid, a]))
    const store = Tenants.make<Account, Event>([...bySid.keys()], {
      empty: (sid) => emptyAccount(bySid.get(sid)!),
      keep: () => {},
      keepOnResetAll: () => {},
      drain: (account) => account.events.splice(0)
    })
    const unknown = () => Effect.fail(new UnknownAccount())
    return {
      accounts: [...bySid.values()],
      use: (sid, f) => Effect.catchTag(store.use(sid, f), "UnknownTenant", unknown),
      resetAccount: (sid) => Effect.catchTag(store.reset(sid), "UnknownTenant", unknown),
      resetAll: store.resetAll,
      onEvent: store.listen,
      peek: (sid, f) => Effect.catchTag(store.peek(sid, f), "UnknownTenant", unknown),
      onChange: store.watch
    }
  })

/**
 * The state as a layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (accounts: ReadonlyArray<Credentials>): Layer.Layer<VerifyState> =>
  Layer.effect(VerifyState, make(accounts))
