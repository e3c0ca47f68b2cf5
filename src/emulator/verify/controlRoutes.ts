/**
 * The Verify side of the control API under `/__emulator`, authenticated with
 * an account's Basic credentials and scoped to that account:
 *
 * - `GET /__emulator/messages?to=+E164` (also `service_sid`, `channel`): the
 *   codes "sent", oldest first, each `channel`, `to`, `code`, `service_sid`,
 *   `verification_sid`, `sent_at`;
 * - `GET /__emulator/challenges?identity=…` (also `status`): push and TOTP
 *   challenges, oldest first;
 * - `POST /__emulator/challenges/{sid}/approve` and `…/deny`: answers a
 *   pending challenge as its device would, firing the service's webhooks;
 * - `GET /__emulator/webhooks`: the webhooks sent and their outcome;
 * - `GET /__emulator/factors/{sid}/totp`: the current code of a TOTP factor;
 * - the clock, its advance and the reset (mounted once for both dialects in
 *   ../app.ts, as are the faults).
 *
 * Answers are Twilio-shaped: JSON, errors as Twilio's error body.
 *
 * @since 0.2.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import { Effect } from "effect"
import { advanceSeconds, authenticated, clockBody } from "../core/control.js"
import type { Reply } from "../core/dialect.js"
import * as Params from "../core/params.js"
import { advanceClock as advanceTenantClock } from "../core/tenants.js"
import * as Challenges from "./challenges.js"
import { currentCode } from "./factors.js"
import { type Context, handler } from "./request.js"
import { type Message, type Service as VerifyStateService, VerifyState } from "./State.js"
import { deliveryBody } from "./webhookDelivery.js"
import * as Wire from "./wire.js"

/**
 * A message as the control API lists it.
 *
 * @since 0.2.0
 * @category encoding
 */
export const messageBody = (m: Message) => ({
  channel: m.channel,
  to: m.to,
  code: m.code,
  service_sid: m.serviceSid,
  verification_sid: m.verificationSid,
  sent_at: Wire.iso(m.sentAt)
})

/** Control parameters are read as the Authy side reads them (JSON or form): text only. */
const text = (params: Params.Params, key: string): string | undefined => Params.string(params, key)

/**
 * `GET /__emulator/messages` for an account.
 *
 * @since 0.2.0
 * @category handlers
 */
export const messages = handler(({ account, params }: Context) => {
  const to = text(params, "to")
  const serviceSid = text(params, "service_sid")
  const channel = text(params, "channel")
  const list = account.messages.filter((m) =>
    (to === undefined || m.to === to) && (serviceSid === undefined || m.serviceSid === serviceSid) &&
    (channel === undefined || m.channel === channel)
  )
  return Wire.ok({ messages: list.map(messageBody) })
})

const challengeBody = (
  account: Context["account"],
  found: { readonly entity: Parameters<typeof Challenges.body>[1]; readonly challenge: Parameters<typeof Challenges.body>[2] },
  now: number,
  baseUrl: string
) => Challenges.body(account, found.entity, found.challenge, now, baseUrl)

const challenges = handler(({ account, baseUrl, now, params }) => {
  const identity = text(params, "identity")
  const status = text(params, "status")
  const list = Challenges.all(account, identity).filter((c) =>
    status === undefined || Challenges.statusAt(c.challenge, now) === status
  )
  return Wire.ok({ challenges: list.map((c) => challengeBody(account, c, now, baseUrl)) })
})

/**
 * Approves or denies the challenge `path.sid` as its device would (the
 * service's webhooks fire): the step behind
 * `POST /__emulator/challenges/{sid}/approve` (or `deny`) and the web
 * inbox's buttons.
 *
 * @since 0.3.0
 * @category steps
 */
export const decideStep = (status: "approved" | "denied") => ({ account, baseUrl, now, path }: Context): Reply => {
  const sid = path.sid ?? ""
  const result = Challenges.decide(account, now, sid, status)
  if (result === "NotFound") return Wire.notFound(`challenge ${sid}`)
  if (result === "NotPending") return Wire.error(409, 60315, `Challenge ${sid} is not pending`)
  return Wire.ok({ challenge: challengeBody(account, result, now, baseUrl) })
}

const decide = (status: "approved" | "denied") => handler(decideStep(status))

const webhooks = handler(({ account, params }) => {
  const type = text(params, "type")
  return Wire.ok({ deliveries: account.deliveries.filter((d) => type === undefined || d.type === type).map(deliveryBody) })
})

const totp = handler(({ account, now, path }) => {
  for (const service of account.services.values()) {
    for (const entity of service.entities.values()) {
      const factor = entity.factors.get(path.sid ?? "")
      const code = factor === undefined ? undefined : currentCode(factor, now)
      if (code !== undefined) return Wire.ok({ factor_sid: path.sid, code })
    }
  }
  return Wire.notFound(`TOTP factor ${path.sid ?? ""}`)
})

/**
 * `GET /__emulator/clock` for an account.
 *
 * @since 0.2.0
 * @category handlers
 */
export const clock = handler(({ account, now }) => Wire.ok(clockBody(now, account.clockOffset)))

/**
 * `POST /__emulator/clock/advance` for an account only.
 *
 * @since 0.2.0
 * @category handlers
 */
export const advanceClock = handler((context) => advanceClockStep(context))

/**
 * Moves the account's clock by `params.seconds`: the step behind
 * `POST /__emulator/clock/advance` and the web inbox's "advance by…".
 *
 * @since 0.3.0
 * @category steps
 */
export const advanceClockStep = ({ account, now, params }: Context): Reply => {
  const millis = advanceSeconds(Wire.dialect, params)
  if (typeof millis !== "number") return millis
  const refused = advanceTenantClock(account, millis)
  return refused === undefined
    ? Wire.ok(clockBody(now + millis, account.clockOffset))
    : Wire.dialect.invalidParameter("seconds", refused)
}

/**
 * `POST /__emulator/reset`: empties the account (its clock keeps its time).
 *
 * @since 0.2.0
 * @category handlers
 */
export const reset = authenticated(({ tenant }) => Effect.flatMap(VerifyState, (state) => resetStep(state, tenant)))

/**
 * Empties the account `accountSid`: the step behind `POST /__emulator/reset`
 * and the web inbox's reset.
 *
 * @since 0.3.0
 * @category steps
 */
export const resetStep = (state: VerifyStateService, accountSid: string): Effect.Effect<Reply> =>
  state.resetAccount(accountSid).pipe(
    Effect.as(Wire.ok({ message: "Account reset." })),
    Effect.catchTag("UnknownAccount", () => Effect.succeed(Wire.unauthorized))
  )

/**
 * The control routes only the Verify side serves.
 *
 * @since 0.2.0
 * @category routers
 */
export const router = HttpRouter.empty.pipe(
  HttpRouter.get("/__emulator/challenges", challenges),
  HttpRouter.post("/__emulator/challenges/:sid/approve", decide("approved")),
  HttpRouter.post("/__emulator/challenges/:sid/deny", decide("denied")),
  HttpRouter.get("/__emulator/webhooks", webhooks),
  HttpRouter.get("/__emulator/factors/:sid/totp", totp)
)
