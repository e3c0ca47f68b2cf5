/**
 * Verifications and their checks (verify-api.md §3–4), with the lifecycle
 * rules of a faithful emulator:
 *
 * - a code is valid 10 minutes; starting again for the same `To` inside that
 *   window sends the same code and answers the same verification (same SID),
 *   with one more `send_code_attempts` entry;
 * - a 6th send in one lifecycle is 429 60203;
 * - a wrong code is 200 `pending`, `valid: false`; the 5th wrong one leaves
 *   the verification `max_attempts_reached`, and any check after it is 429
 *   60202;
 * - once approved, canceled or expired, the verification is soft-deleted:
 *   fetch, update and check answer 404 20404.
 *
 * @since 0.2.0
 */
import type { Reply } from "../core/dialect.js"
import * as Random from "../core/random.js"
import type { Context } from "./request.js"
import { withService } from "./services.js"
import type { Account, Channel, Verification, VerifyService } from "./State.js"
import * as Wire from "./wire.js"

/**
 * How long a code stays valid.
 *
 * @since 0.2.0
 * @category constants
 */
export const lifetimeMillis = 10 * 60 * 1000

/**
 * Sends allowed in one lifecycle, and checks allowed on one verification.
 *
 * @since 0.2.0
 * @category constants
 */
export const limits = { maxSends: 5, maxChecks: 5, maxKept: 10_000, maxMessages: 10_000 } as const

const channels: ReadonlyArray<string> = ["sms", "call", "email", "whatsapp", "sna", "auto"]

const e164 = /^\+[1-9]\d{6,14}$/
const email = /^[^\s@]{1,64}@[^\s@]{1,255}$/

/**
 * Whether the verification can still be checked, fetched or updated.
 *
 * @since 0.2.0
 * @category lifecycle
 */
export const isLive = (verification: Verification, now: number): boolean =>
  (verification.status === "pending" || verification.status === "max_attempts_reached") &&
  now < verification.expiresAt

const url = (baseUrl: string, v: Verification) => `${baseUrl}/v2/Services/${v.serviceSid}/Verifications/${v.sid}`

const common = (account: Account, v: Verification) => ({
  sid: v.sid,
  service_sid: v.serviceSid,
  account_sid: account.credentials.accountSid,
  to: v.to,
  channel: v.channel,
  status: v.status,
  valid: v.status === "approved"
})

/**
 * A verification as the API shows it.
 *
 * @since 0.2.0
 * @category encoding
 */
export const body = (account: Account, v: Verification, baseUrl: string) => ({
  ...common(account, v),
  date_created: Wire.iso(v.createdAt),
  date_updated: Wire.iso(v.updatedAt),
  lookup: {},
  amount: null,
  payee: null,
  send_code_attempts: v.sends.map((s) => ({
    time: Wire.iso(s.time),
    channel: s.channel === "sms" || s.channel === "email" ? s.channel.toUpperCase() : s.channel,
    attempt_sid: s.attemptSid
  })),
  sna: null,
  url: url(baseUrl, v)
})

const checkBody = (account: Account, v: Verification) => ({
  ...common(account, v),
  amount: null,
  payee: null,
  date_created: Wire.iso(v.createdAt),
  date_updated: Wire.iso(v.updatedAt),
  sna_attempts_error_codes: []
})

const send = (account: Account, v: Verification, channel: Channel, now: number) => {
  v.sends.push({ time: now, channel, attemptSid: Wire.sid("VL") })
  v.channel = channel
  v.updatedAt = now
  account.messages.push({ channel, to: v.to, code: v.code, serviceSid: v.serviceSid, verificationSid: v.sid, sentAt: now })
  if (account.messages.length > limits.maxMessages) account.messages.shift()
}

/** Keeps a service's record of verifications bounded: the oldest go first. */
const keep = (service: VerifyService, v: Verification) => {
  service.verifications.set(v.sid, v)
  if (service.verifications.size > limits.maxKept) {
    const oldest = service.verifications.keys().next().value
    if (oldest !== undefined) service.verifications.delete(oldest)
  }
}

/** `To` and `Channel`, checked; `auto` is sent by SMS. */
const destination = (params: Context["params"]): { to: string; channel: Channel } | Reply => {
  const to = Wire.param(params, "To")?.trim()
  const requested = Wire.param(params, "Channel")?.trim().toLowerCase()
  if (requested === undefined || !channels.includes(requested)) return Wire.invalidParameter("Channel")
  const channel = (requested === "auto" ? "sms" : requested) as Channel
  if (to === undefined || !(channel === "email" ? email.test(to) : e164.test(to))) return Wire.invalidParameter("To")
  return { to, channel }
}

const isDestination = (u: { to: string; channel: Channel } | Reply): u is { to: string; channel: Channel } =>
  "channel" in u

/**
 * `POST /v2/Services/{ServiceSid}/Verifications` → 201.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const start = withService(({ account, baseUrl, now, params }, service) => {
  const target = destination(params)
  if (!isDestination(target)) return target
  const custom = Wire.param(params, "CustomCode")
  if (custom !== undefined && (!service.customCodeEnabled || !/^[0-9A-Za-z]{4,10}$/.test(custom))) {
    return Wire.invalidParameter("CustomCode")
  }
  const liveSid = service.liveByTo.get(target.to)
  const live = liveSid === undefined ? undefined : service.verifications.get(liveSid)
  if (live !== undefined && live.status === "pending" && now < live.expiresAt) {
    if (live.sends.length >= limits.maxSends) return Wire.error(429, 60203, "Max send attempts reached")
    send(account, live, target.channel, now)
    return Wire.created(body(account, live, baseUrl))
  }
  const verification: Verification = {
    sid: Wire.sid("VE"),
    serviceSid: service.sid,
    to: target.to,
    channel: target.channel,
    code: custom ?? Random.digits(service.codeLength),
    status: "pending",
    createdAt: now,
    updatedAt: now,
    expiresAt: now + lifetimeMillis,
    sends: [],
    checks: 0
  }
  keep(service, verification)
  service.liveByTo.set(target.to, verification.sid)
  send(account, verification, target.channel, now)
  return Wire.created(body(account, verification, baseUrl))
})

const finished = (v: Verification | undefined, now: number): v is undefined => v === undefined || !isLive(v, now)

const gone = (service: VerifyService, sid: string) =>
  Wire.notFound(`/v2/Services/${service.sid}/Verifications/${sid}`)

/** Ends the lifecycle: the verification is soft-deleted from then on. */
const close = (service: VerifyService, v: Verification, status: "approved" | "canceled", now: number) => {
  v.status = status
  v.updatedAt = now
  if (service.liveByTo.get(v.to) === v.sid) service.liveByTo.delete(v.to)
}

/**
 * `GET /v2/Services/{ServiceSid}/Verifications/{Sid}`.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const fetch = withService(({ account, baseUrl, now, path }, service) => {
  const v = service.verifications.get(path.sid ?? "")
  return finished(v, now) ? gone(service, path.sid ?? "") : Wire.ok(body(account, v, baseUrl))
})

/**
 * `POST /v2/Services/{ServiceSid}/Verifications/{Sid}` with `Status`
 * `canceled` or `approved` (allowed whether or not the service takes custom
 * codes: the contract leaves it open).
 *
 * @since 0.2.0
 * @category endpoints
 */
export const update = withService(({ account, baseUrl, now, params, path }, service) => {
  const status = Wire.param(params, "Status")
  if (status !== "canceled" && status !== "approved") return Wire.invalidParameter("Status")
  const v = service.verifications.get(path.sid ?? "")
  if (finished(v, now)) return gone(service, path.sid ?? "")
  close(service, v, status, now)
  return Wire.ok(body(account, v, baseUrl))
})

/**
 * `POST /v2/Services/{ServiceSid}/VerificationCheck` → 200.
 *
 * @since 0.2.0
 * @category endpoints
 */
export const check = withService(({ account, now, params }, service) => {
  const code = Wire.param(params, "Code")
  if (code === undefined || code.length < 4 || code.length > 10) return Wire.invalidParameter("Code")
  const sid = Wire.param(params, "VerificationSid")
  const to = Wire.param(params, "To")?.trim()
  if (sid === undefined && to === undefined) return Wire.invalidParameter("To", "To or VerificationSid is required")
  const v = service.verifications.get(sid ?? service.liveByTo.get(to ?? "") ?? "")
  if (finished(v, now) || (sid !== undefined && to !== undefined && v.to !== to)) {
    return Wire.notFound(`/v2/Services/${service.sid}/VerificationCheck`)
  }
  if (v.status === "max_attempts_reached" || v.checks >= limits.maxChecks) {
    return Wire.error(429, 60202, "Max check attempts reached")
  }
  v.checks += 1
  v.updatedAt = now
  if (code === v.code) close(service, v, "approved", now)
  else if (v.checks >= limits.maxChecks) v.status = "max_attempts_reached"
  return Wire.ok(checkBody(account, v))
})
