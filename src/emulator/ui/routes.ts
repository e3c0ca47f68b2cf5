/**
 * The web inbox's routes: the page at `/`, its script and style under
 * `/__inbox/`, a JSON snapshot of each tenant, a Server-Sent Events stream
 * that says which tenant changed (from the state's own change watchers, no
 * polling), and the actions (approve, deny, clock, reset, settings, faults:
 * add, remove one, clear),
 * each running the very step the control API runs, answered with the control
 * API's own reply.
 *
 * Tenants are named in URLs by position (`a0` the first application, `t0`
 * the first Twilio account), never by API key.
 *
 * @since 0.3.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Stream } from "effect"
import * as AuthyControlRoutes from "../authy/controlRoutes.js"
import * as SettingsRoutes from "../authy/settingsRoutes.js"
import { EmulatorState, type Service as AuthyStateService } from "../authy/State.js"
import * as AuthyWire from "../authy/wire.js"
import { type Dialect, type Reply, respond } from "../core/dialect.js"
import * as FaultRoutes from "../core/faultRoutes.js"
import * as Faults from "../core/faults.js"
import * as Params from "../core/params.js"
import * as Qr from "../core/qr.js"
import { baseUrlOf, firstHeader, urlOf } from "../core/request.js"
import * as VerifyControlRoutes from "../verify/controlRoutes.js"
import { type Service as VerifyStateService, VerifyState } from "../verify/State.js"
import * as VerifyWire from "../verify/wire.js"
import * as Assets from "./assets.js"
import { sameOrigin } from "./guard.js"
import * as Snapshot from "./snapshot.js"

/**
 * Where the inbox's own files and JSON live; the page itself is at `/`.
 *
 * @since 0.3.0
 * @category paths
 */
export const prefix = "/__inbox"

/**
 * Whether a path is the inbox's: `/` and everything under {@link prefix}.
 *
 * @since 0.3.0
 * @category paths
 */
export const isUiPath = (path: string): boolean => path === "/" || path === prefix || path.startsWith(`${prefix}/`)

// The page runs only its own script and style, loads nothing from elsewhere,
// and may not be framed (clickjacking an Approve button).
const securityHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store"
}

const file = (body: string, contentType: string) =>
  HttpServerResponse.text(body, { contentType, headers: securityHeaders })

const json = (status: number, body: unknown) =>
  HttpServerResponse.text(JSON.stringify(body), {
    status,
    contentType: "application/json; charset=utf-8",
    headers: securityHeaders
  })

/** A reply of the control API, passed through with the inbox's headers. */
const reply = (r: Reply) =>
  HttpServerResponse.text(r.body, { status: r.status, contentType: "application/json; charset=utf-8", headers: securityHeaders })

const notFound = (method: string, path: string) => respond(AuthyWire.dialect.notFound(method, path))

/** A tenant of the page: an application or an account, by position. */
type Tenant =
  | { readonly kind: "authy"; readonly id: string; readonly key: string }
  | { readonly kind: "twilio"; readonly id: string; readonly sid: string }

const tenantOf = (authy: AuthyStateService, verify: VerifyStateService, id: string): Tenant | undefined => {
  const match = /^([at])(\d{1,4})$/.exec(id)
  if (match === null) return undefined
  const index = Number(match[2])
  if (match[1] === "a") {
    const key = authy.apiKeys[index]
    return key === undefined ? undefined : { kind: "authy", id, key }
  }
  const sid = verify.accounts[index]?.accountSid
  return sid === undefined ? undefined : { kind: "twilio", id, sid }
}

const tenantKey = (tenant: Tenant) => (tenant.kind === "authy" ? tenant.key : tenant.sid)

/** The applications and accounts served, as the page's selector lists them (no keys). */
const tenants = (authy: AuthyStateService, verify: VerifyStateService) =>
  Effect.map(
    Effect.forEach(authy.apiKeys, (key, i) =>
      Effect.map(authy.peek(key, (app) => app.settings.name), (name) => ({
        id: `a${i}`,
        kind: "authy",
        label: `Authy · ${name} (app ${i + 1}, key …${key.slice(-4)})`
      }))).pipe(Effect.orDie),
    (apps) => [
      ...apps,
      ...verify.accounts.map((a, i) => ({ id: `t${i}`, kind: "twilio", label: `Twilio · ${a.accountSid}` }))
    ]
  )

const faultsOf = (faults: Faults.Service, key: string) => {
  const app = faults.forApp(key)
  if (app === undefined) return Effect.succeed({ faults: [], random: null })
  return Effect.zipWith(app.faults, app.randomFaults, (all, random) => ({
    faults: all.map(FaultRoutes.viewBody),
    random: FaultRoutes.randomBody(random)
  }))
}

const snapshot = (tenant: Tenant) =>
  Effect.gen(function*() {
    const faults = yield* Faults.EmulatorFaults
    const view = tenant.kind === "authy"
      ? yield* Effect.flatMap(EmulatorState, (s) => s.peek(tenant.key, Snapshot.authyView))
      : yield* Effect.flatMap(VerifyState, (s) => s.peek(tenant.sid, Snapshot.verifyView))
    return { id: tenant.id, ...view, ...(yield* faultsOf(faults, tenantKey(tenant))) }
  }).pipe(Effect.orDie)

const qr = (tenant: Tenant, ref: string) =>
  Effect.gen(function*() {
    const uri = tenant.kind === "authy"
      ? yield* Effect.flatMap(EmulatorState, (s) => s.peek(tenant.key, (app) => Snapshot.authyDeviceUri(app, ref)))
      : yield* Effect.flatMap(VerifyState, (s) => s.peek(tenant.sid, (account) => Snapshot.verifyFactorUri(account, ref)))
    if (uri === undefined) return undefined
    const image = yield* Qr.render(uri, "svg", 220)
    return HttpServerResponse.uint8Array(image, { contentType: Qr.contentType("svg"), headers: securityHeaders })
  }).pipe(Effect.orDie)

/**
 * The live stream: `event: change` with the ids of the tenants that changed,
 * at most one every 50 ms however busy the emulator is, and a comment every
 * 15 s so that a dead connection is noticed. It ends when `closing` does, so
 * that an open page never keeps the emulator from shutting down.
 */
const events = (closing: Effect.Effect<void>) => Effect.gen(function*() {
  const authy = yield* EmulatorState
  const verify = yield* VerifyState
  const idOfKey = new Map(authy.apiKeys.map((key, i) => [key, `a${i}`]))
  const idOfSid = new Map(verify.accounts.map((a, i) => [a.accountSid, `t${i}`]))
  const changes = Stream.asyncScoped<string>((emit) =>
    Effect.gen(function*() {
      const pending = new Set<string>()
      let timer: ReturnType<typeof setTimeout> | undefined
      const flush = () => {
        timer = undefined
        const ids = [...pending]
        pending.clear()
        void emit.single(`event: change\ndata: ${JSON.stringify({ tenants: ids })}\n\n`)
      }
      const changed = (id: string | undefined) => {
        if (id === undefined) return
        pending.add(id)
        timer ??= setTimeout(flush, 50)
      }
      yield* authy.onChange((key) => changed(idOfKey.get(key)))
      yield* verify.onChange((sid) => changed(idOfSid.get(sid)))
      yield* Effect.addFinalizer(() => Effect.sync(() => clearTimeout(timer)))
      void emit.single("retry: 1000\nevent: ready\ndata: {}\n\n")
    }), "unbounded")
  const heartbeat = Stream.map(Stream.tick("15 seconds"), () => ": ping\n\n")
  return HttpServerResponse.stream(Stream.encodeText(Stream.interruptWhen(Stream.merge(changes, heartbeat), closing)), {
    contentType: "text/event-stream; charset=utf-8",
    // Its connection is closed when it ends: the server's shutdown never waits on an idle keep-alive.
    headers: { ...securityHeaders, "x-accel-buffering": "no", connection: "close" }
  })
})

/** The JSON body of an action, read by the control API's own parser; `{}` when empty. */
const paramsOf = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.map(Effect.orElseSucceed(request.text, () => "\u0000"), (body) =>
    body.trim() === ""
      ? Params.fromRequest(new URLSearchParams(), "{}", "application/json")
      : Params.fromRequest(new URLSearchParams(), body, firstHeader(request.headers["content-type"])))

const dialectOf = (tenant: Tenant): Dialect => (tenant.kind === "authy" ? AuthyWire.dialect : VerifyWire.dialect)

/**
 * Runs one action of the page on a tenant with the step the control API
 * runs for it; `undefined` for an action that does not exist.
 */
const act = (tenant: Tenant, action: string, params: Params.Params, baseUrl: string) =>
  Effect.gen(function*() {
    const faults = yield* Faults.EmulatorFaults
    const dialect = dialectOf(tenant)
    const tenantFaults = faults.forApp(tenantKey(tenant))
    if (action === "faults" && tenantFaults !== undefined) return yield* FaultRoutes.injectStep(tenantFaults, params, dialect)
    if (action === "faults/clear" && tenantFaults !== undefined) return yield* FaultRoutes.clearStep(tenantFaults, dialect)
    const removed = /^faults\/([^/]{1,100})\/delete$/.exec(action)
    if (removed !== null && tenantFaults !== undefined) return yield* FaultRoutes.removeStep(tenantFaults, removed[1]!, dialect)
    if (tenant.kind === "authy") {
      const state = yield* EmulatorState
      const decided = /^approvals\/([^/]{1,100})\/(approve|deny)$/.exec(action)
      const step = (f: (context: Parameters<typeof AuthyControlRoutes.advanceClockStep>[0]) => Reply, path = {}) =>
        Effect.orDie(state.use(tenant.key, (app, now) => f({ app, now, params, path, baseUrl })))
      if (decided !== null) {
        return yield* step(AuthyControlRoutes.decideStep(decided[2] === "approve" ? "approved" : "denied"), { uuid: decided[1] })
      }
      if (action === "clock/advance") return yield* step(AuthyControlRoutes.advanceClockStep)
      if (action === "settings") return yield* step(({ app }) => SettingsRoutes.putStep(app, params))
      if (action === "reset") return yield* AuthyControlRoutes.resetStep(state, tenant.key)
      return undefined
    }
    const state = yield* VerifyState
    const decided = /^challenges\/([^/]{1,100})\/(approve|deny)$/.exec(action)
    const step = (f: (context: Parameters<typeof VerifyControlRoutes.advanceClockStep>[0]) => Reply, path = {}) =>
      Effect.orDie(state.use(tenant.sid, (account, now) => f({ account, now, params, path, baseUrl })))
    if (decided !== null) {
      return yield* step(VerifyControlRoutes.decideStep(decided[2] === "approve" ? "approved" : "denied"), { sid: decided[1] })
    }
    if (action === "clock/advance") return yield* step(VerifyControlRoutes.advanceClockStep)
    if (action === "reset") return yield* VerifyControlRoutes.resetStep(state, tenant.sid)
    return undefined
  })

const forbidden = json(403, { message: "Cross-site request refused: the inbox's actions must come from its own page." })

/**
 * The inbox: every path {@link isUiPath} accepts. The caller has checked the
 * `Host` already. Event streams end when `closing` completes (the server's
 * shutdown).
 *
 * @since 0.3.0
 * @category apps
 */
export const app = (closing: Effect.Effect<void> = Effect.never): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  EmulatorState | VerifyState | Faults.EmulatorFaults | HttpServerRequest.HttpServerRequest
> => Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const authy = yield* EmulatorState
  const verify = yield* VerifyState
  const path = urlOf(request).pathname
  const method = request.method
  if (method === "GET" || method === "HEAD") {
    if (path === "/" || path === prefix || path === `${prefix}/`) return file(Assets.html, "text/html; charset=utf-8")
    if (path === `${prefix}/app.js`) return file(Assets.script, "text/javascript; charset=utf-8")
    if (path === `${prefix}/app.css`) return file(Assets.style, "text/css; charset=utf-8")
    if (path === `${prefix}/events`) return yield* events(closing)
    if (path === `${prefix}/api/tenants`) return json(200, { tenants: yield* tenants(authy, verify) })
    const api = /^\/__inbox\/api\/([at]\d{1,4})(?:\/qr\/([A-Za-z0-9-]{1,64})\.svg)?$/.exec(path)
    const tenant = api === null ? undefined : tenantOf(authy, verify, api[1]!)
    if (api !== null && tenant !== undefined) {
      if (api[2] === undefined) return json(200, yield* snapshot(tenant))
      const image = yield* qr(tenant, api[2])
      if (image !== undefined) return image
    }
    return notFound(method, path)
  }
  const action = /^\/__inbox\/api\/([at]\d{1,4})\/(.+)$/.exec(path)
  const tenant = action === null ? undefined : tenantOf(authy, verify, action[1]!)
  if (method !== "POST" || action === null || tenant === undefined) return notFound(method, path)
  if (!sameOrigin(request)) return forbidden
  const params = yield* paramsOf(request)
  if (params instanceof Params.MalformedBody) return reply(dialectOf(tenant).badRequest(params.reason))
  const result = yield* act(tenant, action[2]!, params, baseUrlOf(request))
  return result === undefined ? notFound(method, path) : reply(result)
})
