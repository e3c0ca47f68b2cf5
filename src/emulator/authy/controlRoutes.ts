/**
 * The Authy side of the control API under `/__emulator`: JSON, authenticated
 * like the Authy API (header, `api_key` query or body field), every route
 * scoped to the application of the key, the clock included. Every answer
 * carries `"success"`, like Authy's. Not counted in `api_calls`.
 *
 * The routes both dialects serve (messages, clock, reset) are exported as
 * handlers and mounted once, by credentials, in ../app.ts; the callback
 * target (callbackRoutes.ts) and the faults (core/faultRoutes.ts) are
 * mounted beside.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect } from "effect"
import * as Approvals from "./approvals.js"
import { advanceSeconds, authenticated, clockBody as coreClockBody } from "../core/control.js"
import { respond } from "../core/dialect.js"
import * as Params from "../core/params.js"
import * as Qr from "../core/qr.js"
import { urlOf } from "../core/request.js"
import { currentTotp, selectMessages, snapshot } from "./control.js"
import * as QrCodes from "./qrCodes.js"
import { type Context, handler } from "./request.js"
import { advanceClock as advanceAppClock, EmulatorState, type Message, type Service as EmulatorStateService } from "./State.js"
import * as Users from "./users.js"
import * as Wire from "./wire.js"

const control = (f: (context: Context) => Wire.Reply) => handler(f, { countApiCall: false })

const iso = (millis: number) => new Date(millis).toISOString()

const messageBody = (m: Message) => ({
  authy_id: m.authyId,
  channel: m.channel,
  via: m.via,
  code: m.code,
  to: m.to,
  country_code: m.countryCode,
  phone_number: m.phoneNumber,
  sent_at: iso(m.sentAt)
})

const optionalNumber = (params: Params.Params, key: string): number | undefined => {
  const value = Params.integer(params, key)
  return value === undefined || Number.isNaN(value) ? undefined : value
}

/**
 * `GET /__emulator/messages?authy_id=…` for an application.
 *
 * @since 0.2.0
 * @category handlers
 */
export const messages = control(({ app, params }) => {
  const authyId = optionalNumber(params, "authy_id")
  const countryCode = optionalNumber(params, "country_code")
  const phoneNumber = Params.string(params, "phone_number")
  const channel = Params.string(params, "channel")
  const list = selectMessages(app, {
    ...(authyId === undefined ? {} : { authyId }),
    ...(countryCode === undefined ? {} : { countryCode }),
    ...(phoneNumber === undefined ? {} : { phoneNumber })
  }).filter((m) => channel === undefined || m.channel === channel)
  return Wire.ok({ messages: list.map(messageBody) })
})

const registerDevice = control(({ app, now, params, path }) => {
  const user = Users.find(app, path.authy_id)
  if (user === undefined) return Wire.userNotFound
  const device = Users.registerDevice(app, now, user, Params.string(params, "os_type") ?? "android")
  return Wire.ok({
    device: { id: device.id, os_type: device.osType, registration_date: Math.floor(device.registeredAt / 1000) },
    secret: device.secret,
    totp: currentTotp(user, now) ?? null
  })
})

const userTotp = control(({ app, now, path }) => {
  const user = Users.find(app, path.authy_id)
  if (user === undefined) return Wire.userNotFound
  const code = currentTotp(user, now)
  return code === undefined
    ? Wire.error(404, "60051", `User ${user.id} has no Authy app`)
    : Wire.ok({ authy_id: user.id, totp: code })
})

/**
 * Approves or denies the approval request `path.uuid` as the user's phone
 * would (its callback fires): the step behind
 * `POST /__emulator/approval_requests/{uuid}/approve` (or `deny`) and the
 * web inbox's buttons, so that the two can never disagree.
 *
 * @since 0.3.0
 * @category steps
 */
export const decideStep = (status: "approved" | "denied") => ({ app, now, path }: Context): Wire.Reply => {
  const uuid = path.uuid ?? ""
  const result = Approvals.decide(app, now, uuid, status)
  if (result === "NotFound") return Wire.approvalNotFound(uuid)
  if (result === "NotPending") {
    return Wire.error(409, "60079", `Approval request is not pending: ${uuid}`)
  }
  return Wire.ok({ approval_request: Approvals.record(result, now) })
}

const decide = (status: "approved" | "denied") => control(decideStep(status))

const approvalRequest = control(({ app, now, path }) => {
  const uuid = path.uuid ?? ""
  const approval = app.approvals.get(uuid)
  return approval === undefined
    ? Wire.approvalNotFound(uuid)
    : Wire.ok({ approval_request: Approvals.record(approval, now) })
})

const counters = control(({ app }) => {
  const c = snapshot(app.counters)
  return Wire.ok({
    messages: c.messages,
    emails: c.emails,
    ignored: c.ignored,
    pushes: c.pushes,
    tokens_consumed: c.tokensConsumed,
    api_calls: c.apiCalls
  })
})

const clockBody = (now: number, offset: number) => Wire.ok(coreClockBody(now, offset))

/**
 * `GET /__emulator/clock`: the clock of the key's application.
 *
 * @since 0.2.0
 * @category handlers
 */
export const clock = control(({ app, now }) => clockBody(now, app.clockOffset))

/**
 * `POST /__emulator/clock/advance`: moves the clock of the key's application
 * only; 400 past the bound (core/tenants.ts).
 *
 * @since 0.2.0
 * @category handlers
 */
export const advanceClock = control((context) => advanceClockStep(context))

/**
 * Moves the application's clock by `params.seconds`: the step behind
 * `POST /__emulator/clock/advance` and the web inbox's "advance by…".
 *
 * @since 0.3.0
 * @category steps
 */
export const advanceClockStep = ({ app, now, params }: Context): Wire.Reply => {
  const millis = advanceSeconds(Wire.dialect, params)
  if (typeof millis !== "number") return millis
  const refused = advanceAppClock(app, millis)
  return refused === undefined ? clockBody(now + millis, app.clockOffset) : Wire.dialect.invalidParameter("seconds", refused)
}

/**
 * `POST /__emulator/reset`: empties the application of the key (its clock
 * keeps its time); other applications are left alone.
 *
 * @since 0.2.0
 * @category handlers
 */
export const reset = authenticated(({ tenant }) => Effect.flatMap(EmulatorState, (state) => resetStep(state, tenant)))

/**
 * Empties the application of `apiKey`: the step behind
 * `POST /__emulator/reset` and the web inbox's reset.
 *
 * @since 0.3.0
 * @category steps
 */
export const resetStep = (state: EmulatorStateService, apiKey: string): Effect.Effect<Wire.Reply> =>
  state.resetApp(apiKey).pipe(
    Effect.as(Wire.ok({ message: "Application reset." })),
    Effect.catchTag("UnknownApiKey", () => Effect.succeed(Wire.invalidApiKey))
  )

const qrFile = /^(\d{24})\.(png|svg)$/

/**
 * `GET /__emulator/qr/{token}.png?size=…` (or `.svg`): the QR image of a
 * generic authenticator's `otpauth://` URI, found by its token in whichever
 * application handed it out. No key: the token is the capability, as image
 * URLs are fetched by browsers. 404 60000 for anything else.
 */
const qrImage = Effect.gen(function*() {
  const path = yield* HttpRouter.params
  const request = yield* HttpServerRequest.HttpServerRequest
  const match = qrFile.exec(path.file ?? "")
  const notFound = respond(Wire.notFound("GET", "/__emulator/qr"))
  if (match === null) return notFound
  const sizeText = urlOf(request).searchParams.get("size") ?? String(Qr.sizes.default)
  const size = /^\d{1,4}$/.test(sizeText) ? Number(sizeText) : Number.NaN
  if (!(size >= Qr.sizes.min && size <= Qr.sizes.max)) return respond(Wire.dialect.invalidParameter("size", "must be 1 to 2000"))
  const state = yield* EmulatorState
  const uris = yield* Effect.forEach(state.apiKeys, (key) => state.use(key, (app) => QrCodes.uriOf(app, match[1]!)))
  const uri = uris.find((u) => u !== undefined)
  if (uri === undefined) return notFound
  const format = match[2] as Qr.Format
  const image = yield* Qr.render(uri, format, size)
  return HttpServerResponse.uint8Array(image, { contentType: Qr.contentType(format) })
}).pipe(Effect.catchTag("UnknownApiKey", () => Effect.succeed(respond(Wire.invalidApiKey))))

/**
 * The control routes only the Authy side serves.
 *
 * @since 0.1.0
 * @category routers
 */
export const router = HttpRouter.empty.pipe(
  HttpRouter.post("/__emulator/users/:authy_id/devices", registerDevice),
  HttpRouter.get("/__emulator/users/:authy_id/totp", userTotp),
  HttpRouter.post("/__emulator/approval_requests/:uuid/approve", decide("approved")),
  HttpRouter.post("/__emulator/approval_requests/:uuid/deny", decide("denied")),
  HttpRouter.get("/__emulator/approval_requests/:uuid", approvalRequest),
  HttpRouter.get("/__emulator/counters", counters),
  HttpRouter.get("/__emulator/qr/:file", qrImage)
)
