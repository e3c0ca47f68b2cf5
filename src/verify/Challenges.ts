/**
 * Challenges: a push approval request to the user's device (Authy
 * OneTouch's successor), or a TOTP code check. `awaitChallenge` waits for the
 * user's answer as `OneTouch.awaitApproval` does — the same polling loop.
 *
 * @since 0.2.0
 */
import { Effect, Stream } from "effect"
import type { Duration, Schedule } from "effect"
import * as Polling from "../internal/core/polling.js"
import * as InternalChallenges from "../internal/verify/challenges.js"
import type { AwaitChallengeOptions, ChallengeInput, ListChallengesOptions, PollOutcome, VerifyError } from "./Models.js"
import type { Challenge } from "./Responses.js"
import { VerifyService } from "./VerifyService.js"

/**
 * Creates a challenge (`POST …/Entities/{Identity}/Challenges`,
 * side-effecting: a push reaches the user's phone, a TOTP code uses an
 * attempt). For TOTP, pass the user's `code`: the answer is already
 * `approved`, or `pending` for a wrong code (at most 5: 429 `60308`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Challenges } from "effect-authy/verify"
 *
 * // TOTP login: the code from the user's authenticator app.
 * const totpOk = Challenges.create("ff483d1f-f591-898a", { factorSid: "YF" + "0".repeat(32), code: "123456" }).pipe(
 *   Effect.map((c) => c.status === "approved")
 * )
 *
 * // Push: shown on the user's device until approved, denied or expired.
 * const push = Challenges.create("ff483d1f-f591-898a", {
 *   factorSid: "YF" + "1".repeat(32),
 *   message: "Log in to Example?",
 *   fields: [{ label: "Location", value: "Bogotá" }],
 *   expiresIn: "5 minutes"
 * })
 * ```
 *
 * @since 0.2.0
 * @category challenges
 */
export const create = (identity: string, input: ChallengeInput): Effect.Effect<Challenge, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.challenges.create(identity, input))

/**
 * Reads a challenge (`GET …/Challenges/{Sid}`, read-only): the poll target.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Challenges } from "effect-authy/verify"
 *
 * const status = Challenges.fetch("ff483d1f-f591-898a", "YC" + "0".repeat(32)).pipe(Effect.map((c) => c.status))
 * ```
 *
 * @since 0.2.0
 * @category challenges
 */
export const fetch = (identity: string, challengeSid: string): Effect.Effect<Challenge, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.challenges.fetch(identity, challengeSid))

/**
 * An entity's challenges (`GET …/Challenges`, read-only), page after page,
 * filtered by factor and status.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Challenges } from "effect-authy/verify"
 *
 * const pending = Challenges.list("ff483d1f-f591-898a", { status: "pending" }).pipe(Stream.runCollect)
 * ```
 *
 * @since 0.2.0
 * @category challenges
 */
export const list = (identity: string, options?: ListChallengesOptions): Stream.Stream<Challenge, VerifyError, VerifyService> =>
  Stream.unwrap(Effect.map(VerifyService, (verify) => verify.challenges.list(identity, options)))

/**
 * The default polling schedule of {@link awaitChallenge}, the one of
 * `OneTouch.awaitApproval`: at once, then 1 s, 1.5 s, 2.25 s, 3.375 s apart,
 * then every 5 s.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import { Challenges } from "effect-authy/verify"
 *
 * const atMost40Polls = Challenges.defaultSchedule.pipe(Schedule.intersect(Schedule.recurs(40)))
 * ```
 *
 * @since 0.2.0
 * @category schedules
 */
export const defaultSchedule: Schedule.Schedule<Duration.Duration> = InternalChallenges.defaultSchedule

/**
 * Polls a challenge until it is no longer `pending` and returns it
 * (`approved`, `denied` or `expired`). The first poll goes out at once, the
 * next as the `schedule` says, never past the challenge's `expirationDate`
 * (the first poll after it is the last). Transient failures (network errors,
 * 408, 429, 5xx) are polled through; any other failure surfaces at once.
 * When the schedule or `timeout` ends first, the last `pending` challenge is
 * returned. Each poll is sent once: the schedule is the retry policy.
 *
 * Twilio sends no webhook when a challenge expires: waiting (or listening
 * with `VerifyWebhook` and polling as a fallback) is how expiry is seen.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Challenges } from "effect-authy/verify"
 *
 * const approved = Challenges.awaitChallenge("ff483d1f-f591-898a", "YC" + "0".repeat(32), {
 *   schedule: Schedule.spaced("2 seconds"),
 *   timeout: "2 minutes"
 * }).pipe(Effect.map((c) => c.status === "approved"))
 * ```
 *
 * @since 0.2.0
 * @category challenges
 */
export const awaitChallenge = (
  identity: string,
  challengeSid: string,
  options?: AwaitChallengeOptions
): Effect.Effect<Challenge, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.challenges.awaitChallenge(identity, challengeSid, options))

/**
 * A challenge's answers as a stream: the first, then one each time the
 * status changes, ending after the final one. Polls like
 * {@link awaitChallenge}.
 *
 * @example
 * ```ts
 * import { Console, Stream } from "effect"
 * import { Challenges } from "effect-authy/verify"
 *
 * const log = Challenges.statusChanges("ff483d1f-f591-898a", "YC" + "0".repeat(32)).pipe(
 *   Stream.runForEach((c) => Console.log(`challenge is ${c.status}`))
 * )
 * ```
 *
 * @since 0.2.0
 * @category challenges
 */
export const statusChanges = (
  identity: string,
  challengeSid: string,
  options?: { readonly schedule?: Schedule.Schedule<unknown, PollOutcome> }
): Stream.Stream<Challenge, VerifyError, VerifyService> =>
  Stream.unwrap(
    Effect.map(VerifyService, (verify) =>
      Polling.statusChanges(
        InternalChallenges.polledChallenge,
        verify.challenges.fetch(identity, challengeSid),
        options?.schedule ?? InternalChallenges.defaultSchedule
      ))
  )
