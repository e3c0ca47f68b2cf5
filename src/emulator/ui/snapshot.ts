/**
 * What the web inbox shows of one tenant, read from the same state the API
 * and the control API serve: an Authy application's messages, users,
 * approval requests and callbacks, or a Twilio account's messages, entities,
 * challenges and webhooks. Plain JSON for the page; built in one read-only
 * step, so it is a consistent picture of one instant of the tenant's clock.
 *
 * The inbox is the developer's own tool on their own machine: it shows full
 * numbers, codes and secrets' QR codes, but it is never logged.
 *
 * @since 0.3.0
 */
import * as Approvals from "../authy/approvals.js"
import * as Callbacks from "../authy/callbacks.js"
import { currentTotp } from "../authy/control.js"
import * as Settings from "../authy/settings.js"
import type { AppState, Message as AuthyMessage } from "../authy/State.js"
import { phoneKey } from "../authy/State.js"
import { tokenLifetimeMillis } from "../authy/tokens.js"
import * as Totp from "../core/totp.js"
import * as Challenges from "../verify/challenges.js"
import { challengeView } from "../verify/control.js"
import * as Factors from "../verify/factors.js"
import type { Account, Message as VerifyMessage, Verification } from "../verify/State.js"
import * as WebhookDelivery from "../verify/webhookDelivery.js"

/**
 * Where a code stands: still usable, used, expired, or closed another way
 * (a verification canceled or replaced, checks exhausted).
 *
 * @since 0.3.0
 * @category models
 */
export type CodeState = "pending" | "used" | "expired" | "closed"

/**
 * A message as the inbox lists it.
 *
 * @since 0.3.0
 * @category models
 */
export interface MessageView {
  readonly id: string
  readonly channel: string
  readonly to: string
  readonly code: string
  readonly text: string
  readonly sentAt: number
  readonly expiresAt: number | null
  readonly state: CodeState
  /** The Authy user, or the Verify service. */
  readonly about: string
}

/**
 * How many of each list a snapshot carries, newest first: the page is
 * re-read on every change, and a long test run must not make that slow.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxListed = 200

/** The newest `maxListed` of a list kept oldest first, mapped, newest first. */
const newest = <A, B>(list: ReadonlyArray<A>, f: (a: A, index: number) => B): Array<B> => {
  const from = Math.max(0, list.length - maxListed)
  const out: Array<B> = []
  for (let i = list.length - 1; i >= from; i--) out.push(f(list[i]!, i))
  return out
}

const spaced = (code: string) => code.split("").join(" ")

const authyText = (app: AppState, m: AuthyMessage) =>
  m.via === "call"
    ? `(voice call) Your ${app.settings.name} token is ${spaced(m.code)}. Again: ${spaced(m.code)}.`
    : m.via === "email"
    ? `Subject: Your ${app.settings.name} code. Your ${app.settings.name} verification code is: ${m.code}`
    : `Your ${app.settings.name} verification code is: ${m.code}`

/** Used, expired or pending, from the user's token record (SMS, call, e-mail). */
const tokenState = (app: AppState, m: AuthyMessage, now: number): CodeState => {
  const user = m.authyId === null ? undefined : app.users.get(m.authyId)
  const token = user?.tokens.find((t) => t.code === m.code && t.issuedAt === m.sentAt)
  if (token?.usedAt !== undefined) return "used"
  if (now >= m.sentAt + tokenLifetimeMillis) return "expired"
  return token === undefined ? "closed" : "pending"
}

/** A phone verification is pending while the phone's record still holds this code. */
const phoneVerificationState = (app: AppState, m: AuthyMessage, now: number): { state: CodeState; expiresAt: number | null } => {
  const pending = app.verifications.get(phoneKey(m.countryCode, m.phoneNumber))
  if (pending === undefined || pending.code !== m.code || pending.createdAt !== m.sentAt) {
    return { state: "closed", expiresAt: null }
  }
  return { state: now >= pending.expiresAt ? "expired" : "pending", expiresAt: pending.expiresAt }
}

const authyMessage = (app: AppState, now: number) => (m: AuthyMessage, index: number): MessageView => {
  const verification = m.channel === "verification" ? phoneVerificationState(app, m, now) : undefined
  return {
    id: `m${index}`,
    channel: m.channel === "verification" ? `verification (${m.via})` : m.channel,
    to: m.to,
    code: m.code,
    text: authyText(app, m),
    sentAt: m.sentAt,
    expiresAt: verification === undefined ? m.sentAt + tokenLifetimeMillis : verification.expiresAt,
    state: verification === undefined ? tokenState(app, m, now) : verification.state,
    about: m.authyId === null ? "phone verification" : `Authy user ${m.authyId}`
  }
}

const totpView = (secret: string, now: number, config: Totp.Config) => {
  const stepMillis = config.stepSeconds * 1000
  return {
    code: Totp.totp(secret, now, config.digits, config),
    validUntil: (Math.floor(now / stepMillis) + 1) * stepMillis
  }
}

/**
 * One Authy application, as the inbox shows it.
 *
 * @since 0.3.0
 * @category views
 */
export const authyView = (app: AppState, now: number) => ({
  kind: "authy" as const,
  now,
  clockOffsetSeconds: app.clockOffset / 1000,
  appId: app.appId,
  name: app.settings.name,
  totals: { messages: app.messages.length, users: app.users.size, approvals: app.approvals.size, deliveries: app.deliveries.length },
  messages: newest(app.messages, authyMessage(app, now)),
  users: newest([...app.users.values()], (user) => ({
    id: user.id,
    email: user.email,
    phone: `+${user.countryCode}${user.cellphone}`,
    confirmed: user.confirmed,
    createdAt: user.createdAt,
    current: currentTotp(user, now) ?? null,
    devices: user.devices.map((device) => {
      const config = { ...Totp.authyConfig, digits: device.digits }
      return {
        id: device.id,
        ref: `u${user.id}-d${device.id}`,
        osType: device.osType,
        digits: device.digits,
        registeredAt: device.registeredAt,
        ...totpView(device.secret, now, config)
      }
    })
  })),
  approvals: newest([...app.approvals.values()], (approval) => ({
    ...Approvals.record(approval, now),
    user_email: approval.userEmail,
    expires_at_millis: Approvals.expiresAt(approval) ?? null
  })),
  callbackTarget: Callbacks.targetBody(app.callback),
  deliveries: newest(app.deliveries, (delivery) => ({
    kind: "OneTouch callback",
    latencyMillis: delivery.latencyMillis ?? null,
    ...Callbacks.deliveryBody(delivery)
  })),
  settings: { app_id: app.appId, ...Settings.toWire(app.settings) },
  counters: app.counters
})

/**
 * The `otpauth://` URI of an Authy device (`u{user}-d{device}`), for its QR
 * code, or `undefined`.
 *
 * @since 0.3.0
 * @category views
 */
export const authyDeviceUri = (app: AppState, ref: string): string | undefined => {
  const match = /^u(\d{1,15})-d(\d{1,15})$/.exec(ref)
  if (match === null) return undefined
  const user = app.users.get(Number(match[1]))
  const device = user?.devices.find((d) => d.id === Number(match[2]))
  if (user === undefined || device === undefined) return undefined
  return Totp.otpauthUri(app.settings.name, user.email, device.secret, { ...Totp.authyConfig, digits: device.digits })
}

const verificationState = (v: Verification | undefined, now: number): CodeState => {
  if (v === undefined) return "closed"
  if (v.status === "approved") return "used"
  if (v.status === "canceled" || v.status === "max_attempts_reached") return "closed"
  return now >= v.expiresAt ? "expired" : "pending"
}

const verifyMessage = (account: Account, now: number) => (m: VerifyMessage, index: number): MessageView => {
  const service = account.services.get(m.serviceSid)
  const verification = service?.verifications.get(m.verificationSid)
  const name = service?.friendlyName ?? m.serviceSid
  return {
    id: `m${index}`,
    channel: m.channel,
    to: m.to,
    code: m.code,
    text: m.channel === "call"
      ? `(voice call) Your ${name} verification code is ${spaced(m.code)}.`
      : `Your ${name} verification code is: ${m.code}`,
    sentAt: m.sentAt,
    expiresAt: verification?.expiresAt ?? null,
    state: verificationState(verification, now),
    about: `${name} (${m.serviceSid})`
  }
}

/**
 * One Twilio account, as the inbox shows it.
 *
 * @since 0.3.0
 * @category views
 */
export const verifyView = (account: Account, now: number) => {
  const services = [...account.services.values()]
  return {
    kind: "twilio" as const,
    now,
    clockOffsetSeconds: account.clockOffset / 1000,
    accountSid: account.credentials.accountSid,
    services: services.map((s) => ({ sid: s.sid, friendlyName: s.friendlyName, webhooks: s.webhooks.size })),
    totals: { messages: account.messages.length, deliveries: account.deliveries.length },
    messages: newest(account.messages, verifyMessage(account, now)),
    entities: services.flatMap((service) =>
      newest([...service.entities.values()], (entity) => ({
        sid: entity.sid,
        identity: entity.identity,
        service: service.friendlyName,
        serviceSid: service.sid,
        factors: [...entity.factors.values()].map((factor) => ({
          sid: factor.sid,
          type: factor.type,
          friendlyName: factor.friendlyName,
          status: factor.status,
          ...(factor.type === "totp"
            ? totpView(factor.secret, now, factor.config)
            : { platform: factor.config.notificationPlatform })
        }))
      }))
    ),
    challenges: newest(Challenges.all(account, undefined), ({ challenge, entity }) => ({
      ...challengeView(challenge, now),
      identity: entity.identity,
      service: account.services.get(challenge.serviceSid)?.friendlyName ?? challenge.serviceSid,
      createdAt: challenge.createdAt,
      answeredAt: challenge.answer?.at ?? null
    })),
    deliveries: newest(account.deliveries, (delivery) => ({
      kind: "Verify webhook",
      latencyMillis: delivery.latencyMillis ?? null,
      ...WebhookDelivery.deliveryBody(delivery)
    }))
  }
}

/**
 * The `otpauth://` URI of a Verify TOTP factor, for its QR code, or
 * `undefined`.
 *
 * @since 0.3.0
 * @category views
 */
export const verifyFactorUri = (account: Account, sid: string): string | undefined => {
  for (const service of account.services.values()) {
    for (const entity of service.entities.values()) {
      const factor = entity.factors.get(sid)
      if (factor?.type === "totp") {
        return Factors.otpauthUri(service.totp.issuer ?? service.friendlyName, factor.friendlyName, factor.secret, factor.config)
      }
    }
  }
  return undefined
}
