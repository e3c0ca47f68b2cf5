/**
 * The Authy side of the in-process control handle: what a phone, a user and
 * a wall clock would do to the emulator's applications, for tests. The HTTP
 * control API (controlRoutes.ts) offers the same over the wire.
 *
 * @since 0.1.0
 */
import { Duration, Effect } from "effect"
import * as Approvals from "./approvals.js"
import * as Callbacks from "./callbacks.js"
import type * as Faults from "../core/faults.js"
import {
  advanceClock as advanceAppClock,
  type AppState,
  type CallbackTarget,
  type Counters as MutableCounters,
  type Delivery,
  type Message,
  type Service,
  type User
} from "./State.js"
import * as Totp from "../core/totp.js"
import * as Users from "./users.js"

/**
 * A code the emulator sent. Re-exported from the state model.
 *
 * @since 0.1.0
 * @category models
 */
export type {
  /** @since 0.1.0 */
  Message
}

/**
 * A OneTouch callback target and a delivery of one. Re-exported from the
 * state model.
 *
 * @since 0.1.0
 * @category models
 */
export type {
  /** @since 0.1.0 */
  CallbackTarget,
  /** @since 0.1.0 */
  Delivery
}

/**
 * Where an application's OneTouch callbacks go: `url` (empty to stop
 * sending them), `method` (`POST`, the default, or `GET`), `apiKey` (the
 * application; default the first key).
 *
 * @since 0.1.0
 * @category models
 */
export interface CallbackOptions {
  readonly url: string
  readonly method?: "POST" | "GET"
  readonly apiKey?: string
}

/**
 * A snapshot of an application's running totals.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly messages: { readonly sms: number; readonly call: number; readonly verification: number }
  /** E-mail tokens sent. */
  readonly emails: number
  readonly ignored: number
  readonly pushes: number
  readonly tokensConsumed: number
  readonly apiCalls: number
}

/**
 * Which messages to list; every filter is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageFilter {
  readonly authyId?: number
  readonly apiKey?: string
  readonly phoneNumber?: string
  readonly countryCode?: number
}

/**
 * The Authy control handle. `apiKey` arguments default to the first key.
 * The fault operations (`injectFault`, `faults`, `clearFaults`...) come from
 * core/faults.ts and act on the first key's application; `faultsFor(apiKey)`
 * gives them for another.
 *
 * @since 0.2.0
 * @category models
 */
export interface AuthyControl extends Faults.FaultControl {
  /**
   * The fault operations of a tenant: an application's API key (or an
   * account's SID); each dies if the emulator does not serve it.
   */
  readonly faultsFor: (apiKey: string) => Faults.FaultControl
  /** Messages sent (SMS, calls, phone verifications), oldest first. */
  readonly messages: (filter?: MessageFilter) => Effect.Effect<ReadonlyArray<Message>>
  /** The newest SMS/call code sent to a user; dies if there is none. */
  readonly lastCode: (authyId: number, apiKey?: string) => Effect.Effect<string>
  /** Installs the Authy app for a user; dies if the user does not exist. */
  readonly registerDevice: (
    authyId: number,
    options?: { readonly osType?: string; readonly apiKey?: string }
  ) => Effect.Effect<{ readonly deviceId: number; readonly secret: string }>
  /** The current code of the user's newest app; dies if there is none. */
  readonly totp: (authyId: number, apiKey?: string) => Effect.Effect<string>
  /** Approves a pending approval request (of any application); dies if it is not pending. */
  readonly approve: (uuid: string) => Effect.Effect<void>
  /** Denies a pending approval request (of any application); dies if it is not pending. */
  readonly deny: (uuid: string) => Effect.Effect<void>
  /**
   * Moves the application's clock forward; dies past the bound
   * (`maxClockOffsetMillis` of core/tenants.ts ahead of real time).
   */
  readonly advanceClock: (duration: Duration.DurationInput, apiKey?: string) => Effect.Effect<void>
  /** The first key's application clock, Unix milliseconds. */
  readonly now: Effect.Effect<number>
  readonly counters: (apiKey?: string) => Effect.Effect<Counters>
  /** Empties every application and puts every clock back to real time (faults are kept). */
  readonly reset: Effect.Effect<void>
  /**
   * Sets where the application's OneTouch callbacks go (kept across resets);
   * dies on an invalid URL.
   */
  readonly setCallback: (options: CallbackOptions) => Effect.Effect<void>
  /** The OneTouch callbacks sent to the application, oldest first, with their outcome. */
  readonly callbacks: (apiKey?: string) => Effect.Effect<ReadonlyArray<Delivery>>
}

/**
 * Filters an application's outbox.
 *
 * @since 0.1.0
 * @category messages
 */
export const selectMessages = (app: AppState, filter: MessageFilter): ReadonlyArray<Message> =>
  app.messages.filter((m) =>
    (filter.authyId === undefined || m.authyId === filter.authyId) &&
    (filter.phoneNumber === undefined || m.phoneNumber === filter.phoneNumber.replace(/\D/g, "")) &&
    (filter.countryCode === undefined || m.countryCode === filter.countryCode)
  )

/**
 * A copy of the counters, safe to hold on to.
 *
 * @since 0.1.0
 * @category counters
 */
export const snapshot = (counters: MutableCounters): Counters => ({
  ...counters,
  messages: { ...counters.messages }
})

/**
 * The newest device's current code, or `undefined` when the user has no app.
 *
 * @since 0.1.0
 * @category devices
 */
export const currentTotp = (user: User, now: number): string | undefined => {
  const device = user.devices[user.devices.length - 1]
  return device === undefined ? undefined : Totp.totp(device.secret, now, device.digits)
}

/**
 * One tenant's fault operations, each dying when the emulator does not serve
 * `tenant` (an API key or an account SID).
 *
 * @since 0.2.0
 * @category faults
 */
export const faultsFor = (faults: Faults.Service, tenant: string): Faults.FaultControl => {
  const app = Effect.suspend(() => {
    const found = faults.forApp(tenant)
    return found === undefined ? Effect.dieMessage("The emulator does not serve that API key or account") : Effect.succeed(found)
  })
  return {
    injectFault: (spec) => Effect.flatMap(app, (f) => f.injectFault(spec)),
    faults: Effect.flatMap(app, (f) => f.faults),
    fault: (id) => Effect.flatMap(app, (f) => f.fault(id)),
    removeFault: (id) => Effect.flatMap(app, (f) => f.removeFault(id)),
    clearFaults: Effect.flatMap(app, (f) => f.clearFaults),
    setRandomFaults: (options) => Effect.flatMap(app, (f) => f.setRandomFaults(options)),
    randomFaults: Effect.flatMap(app, (f) => f.randomFaults)
  }
}

/**
 * Builds the handle over a state.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (state: Service, faults: Faults.Service): AuthyControl => {
  const keyOf = (apiKey: string | undefined) => apiKey ?? state.apiKeys[0]!
  const use = <A>(apiKey: string | undefined, f: (app: AppState, now: number) => A) =>
    state.use(keyOf(apiKey), f).pipe(
      Effect.catchTag("UnknownApiKey", () => Effect.dieMessage("The emulator does not serve that API key"))
    )
  const user = (app: AppState, authyId: number) => {
    const found = app.users.get(authyId)
    if (found === undefined) throw new Error(`No user ${authyId} in the emulator`)
    return found
  }
  const decide = (uuid: string, status: "approved" | "denied") =>
    Effect.forEach(state.apiKeys, (key) => use(key, (app, now) => Approvals.decide(app, now, uuid, status))).pipe(
      Effect.flatMap((results) => {
        if (results.some((r) => typeof r === "object")) return Effect.void
        return Effect.dieMessage(
          results.includes("NotPending")
            ? `Approval request ${uuid} is not pending`
            : `No approval request ${uuid} in the emulator`
        )
      })
    )

  const first = faultsFor(faults, keyOf(undefined))

  return {
    ...first,
    faultsFor: (apiKey) => faultsFor(faults, apiKey),
    messages: (filter = {}) => use(filter.apiKey, (app) => selectMessages(app, filter)),
    lastCode: (authyId, apiKey) =>
      use(apiKey, (app) => {
        const last = app.messages.filter((m) => m.authyId === authyId && m.channel !== "verification").at(-1)
        if (last === undefined) throw new Error(`No SMS or call was sent to user ${authyId}`)
        return last.code
      }),
    registerDevice: (authyId, options = {}) =>
      use(options.apiKey, (app, now) => {
        const device = Users.registerDevice(app, now, user(app, authyId), options.osType ?? "android")
        return { deviceId: device.id, secret: device.secret }
      }),
    totp: (authyId, apiKey) =>
      use(apiKey, (app, now) => {
        const code = currentTotp(user(app, authyId), now)
        if (code === undefined) throw new Error(`User ${authyId} has no Authy app`)
        return code
      }),
    approve: (uuid) => decide(uuid, "approved"),
    deny: (uuid) => decide(uuid, "denied"),
    advanceClock: (duration, apiKey) =>
      use(apiKey, (app) => {
        const refused = advanceAppClock(app, Duration.toMillis(Duration.decode(duration)))
        if (refused !== undefined) throw new Error(`Cannot advance the emulator clock: ${refused}`)
      }),
    now: use(undefined, (_, now) => now),
    counters: (apiKey) => use(apiKey, (app) => snapshot(app.counters)),
    reset: state.resetAll,
    setCallback: ({ apiKey, ...target }) => use(apiKey, (app) => Callbacks.configure(app, target)),
    callbacks: (apiKey) => use(apiKey, (app) => [...app.deliveries])
  }
}
