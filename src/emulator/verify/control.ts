/**
 * The Verify side of the in-process control handle (`control.verify`): what
 * a phone, a device and a wall clock would do to an account, for tests. The
 * control API (controlRoutes.ts) offers the same over the wire. `accountSid`
 * arguments default to the first account.
 *
 * @since 0.2.0
 */
import { Duration, Effect } from "effect"
import { advanceClock as advanceTenantClock } from "../core/tenants.js"
import * as Challenges from "./challenges.js"
import { currentCode } from "./factors.js"
import type { Account, Challenge, Delivery, Message, Service } from "./State.js"

/**
 * A challenge as the handle shows it.
 *
 * @since 0.2.0
 * @category models
 */
export interface ChallengeView {
  readonly sid: string
  readonly serviceSid: string
  readonly identity: string
  readonly factorSid: string
  readonly factorType: "totp" | "push"
  readonly status: "pending" | "approved" | "denied" | "expired"
  readonly message: string | null
  readonly fields: ReadonlyArray<{ readonly label: string; readonly value: string }>
  readonly hiddenDetails: Readonly<Record<string, string>> | null
  readonly expiresAt: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface VerifyControl {
  /** The accounts served; the first is the default of every call. */
  readonly accounts: ReadonlyArray<{ readonly accountSid: string; readonly authToken: string }>
  /** Codes sent by verifications, oldest first, optionally to one `to`. */
  readonly messages: (filter?: { readonly to?: string; readonly accountSid?: string }) => Effect.Effect<ReadonlyArray<Message>>
  /** The newest code sent to `to`; dies if none was. */
  readonly lastCode: (to: string, accountSid?: string) => Effect.Effect<string>
  /** Challenges, oldest first, optionally of one identity. */
  readonly challenges: (filter?: { readonly identity?: string; readonly accountSid?: string }) => Effect.Effect<ReadonlyArray<ChallengeView>>
  /** Approves a pending challenge (its webhooks fire); dies if it is not pending. */
  readonly approveChallenge: (sid: string, accountSid?: string) => Effect.Effect<void>
  /** Denies a pending challenge (its webhooks fire); dies if it is not pending. */
  readonly denyChallenge: (sid: string, accountSid?: string) => Effect.Effect<void>
  /** The current code of a TOTP factor; dies if there is no such factor. */
  readonly totp: (factorSid: string, accountSid?: string) => Effect.Effect<string>
  /** Webhooks sent, oldest first, with their outcome. */
  readonly webhooks: (accountSid?: string) => Effect.Effect<ReadonlyArray<Delivery>>
  /** Moves the account's clock forward; dies past the core's bound. */
  readonly advanceClock: (duration: Duration.DurationInput, accountSid?: string) => Effect.Effect<void>
  /** The account's clock, Unix milliseconds. */
  readonly now: (accountSid?: string) => Effect.Effect<number>
  /** Empties one account (its clock keeps its time). */
  readonly reset: (accountSid?: string) => Effect.Effect<void>
}

/**
 * A push challenge as the control API (and the web inbox) shows it, at the
 * account's time `now`.
 *
 * @since 0.3.0
 * @category views
 */
export const challengeView = (challenge: Challenge, now: number): ChallengeView => ({
  sid: challenge.sid,
  serviceSid: challenge.serviceSid,
  identity: challenge.identity,
  factorSid: challenge.factorSid,
  factorType: challenge.factorType,
  status: Challenges.statusAt(challenge, now),
  message: challenge.details?.message ?? null,
  fields: challenge.details?.fields ?? [],
  hiddenDetails: challenge.hiddenDetails,
  expiresAt: challenge.expiresAt
})

const factorCode = (account: Account, sid: string, now: number): string | undefined => {
  for (const service of account.services.values()) {
    for (const entity of service.entities.values()) {
      const factor = entity.factors.get(sid)
      if (factor !== undefined) return currentCode(factor, now)
    }
  }
  return undefined
}

/**
 * Builds the handle over a state.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (state: Service): VerifyControl => {
  const use = <A>(accountSid: string | undefined, f: (account: Account, now: number) => A) =>
    state.use(accountSid ?? state.accounts[0]!.accountSid, f).pipe(
      Effect.catchTag("UnknownAccount", () => Effect.dieMessage("The emulator does not serve that account"))
    )
  const decide = (sid: string, status: "approved" | "denied", accountSid: string | undefined) =>
    use(accountSid, (account, now) => {
      const result = Challenges.decide(account, now, sid, status)
      if (result === "NotFound") throw new Error(`No challenge ${sid} in the emulator`)
      if (result === "NotPending") throw new Error(`Challenge ${sid} is not pending`)
    })
  return {
    accounts: state.accounts.map((a) => ({ accountSid: a.accountSid, authToken: a.authToken })),
    messages: (filter = {}) =>
      use(filter.accountSid, (account) => account.messages.filter((m) => filter.to === undefined || m.to === filter.to)),
    lastCode: (to, accountSid) =>
      use(accountSid, (account) => {
        const last = account.messages.filter((m) => m.to === to).at(-1)
        if (last === undefined) throw new Error(`No code was sent to ${to}`)
        return last.code
      }),
    challenges: (filter = {}) =>
      use(filter.accountSid, (account, now) => Challenges.all(account, filter.identity).map((c) => challengeView(c.challenge, now))),
    approveChallenge: (sid, accountSid) => decide(sid, "approved", accountSid),
    denyChallenge: (sid, accountSid) => decide(sid, "denied", accountSid),
    totp: (factorSid, accountSid) =>
      use(accountSid, (account, now) => {
        const code = factorCode(account, factorSid, now)
        if (code === undefined) throw new Error(`No TOTP factor ${factorSid} in the emulator`)
        return code
      }),
    webhooks: (accountSid) => use(accountSid, (account) => [...account.deliveries]),
    advanceClock: (duration, accountSid) =>
      use(accountSid, (account) => {
        const refused = advanceTenantClock(account, Duration.toMillis(Duration.decode(duration)))
        if (refused !== undefined) throw new Error(`Cannot advance the emulator clock: ${refused}`)
      }),
    now: (accountSid) => use(accountSid, (_, now) => now),
    reset: (accountSid) =>
      state.resetAccount(accountSid ?? state.accounts[0]!.accountSid).pipe(
        Effect.catchTag("UnknownAccount", () => Effect.dieMessage("The emulator does not serve that account"))
      )
  }
}
