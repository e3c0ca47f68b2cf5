/**
 * The emulator as one HTTP server: the core's control routes and each
 * dialect's router (Authy's `/protected/json/…` and `/onetouch/json/…`,
 * Twilio's `/v2/…` for Verify and Lookup), each request read by the front of
 * its dialect, then the faults of its tenant applied, then routed. Unknown
 * paths and failures are answered in the request's dialect.
 *
 * Everything before the routes is decided synchronously, in plain
 * functions: the `Host` check, the front's reading of the parameters and the
 * tenant (the server has read the body already), the fault to apply. Under
 * the emulator's own server the request's scope is read before its fiber
 * starts and is in its context from the start ({@link servicesOf}); the app
 * reads it there, or reads and provides it itself under another server. The
 * router stays the only routing: these steps read paths only to choose the
 * inbox, the front and the fault, as before.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Context, Deferred, Effect, type Scope } from "effect"
import * as CallbackRoutes from "./authy/callbackRoutes.js"
import * as AuthyControlRoutes from "./authy/controlRoutes.js"
import * as AuthyRequest from "./authy/request.js"
import * as AuthyRoutes from "./authy/routes.js"
import * as SettingsRoutes from "./authy/settingsRoutes.js"
import { EmulatorState as EmulatorStateTag, type EmulatorState } from "./authy/State.js"
import * as AuthyWire from "./authy/wire.js"
import * as FaultRoutes from "./core/faultRoutes.js"
import * as Faults from "./core/faults.js"
import { byDialect } from "./core/control.js"
import { respond } from "./core/dialect.js"
import { firstHeader, pathOf, RequestScope, type Scope as RequestScopeValue, urlOf } from "./core/request.js"
import * as CoreServer from "./core/server.js"
import * as StateRoutes from "./stateRoutes.js"
import * as VerifyControlRoutes from "./verify/controlRoutes.js"
import * as VerifyRequest from "./verify/request.js"
import * as VerifyRoutes from "./verify/routes.js"
import { VerifyState as VerifyStateTag, type VerifyState } from "./verify/State.js"
import * as VerifyWire from "./verify/wire.js"
import * as Guard from "./ui/guard.js"
import * as Ui from "./ui/routes.js"

/**
 * The control routes both dialects serve: the credentials say whose tenant
 * (an application's API key, an account's Basic credentials) they act on.
 */
const sharedControl = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/__emulator/messages",
    byDialect({ authy: AuthyControlRoutes.messages, twilio: VerifyControlRoutes.messages })
  ),
  HttpRouter.get("/__emulator/clock", byDialect({ authy: AuthyControlRoutes.clock, twilio: VerifyControlRoutes.clock })),
  HttpRouter.post(
    "/__emulator/clock/advance",
    byDialect({ authy: AuthyControlRoutes.advanceClock, twilio: VerifyControlRoutes.advanceClock })
  ),
  HttpRouter.post("/__emulator/reset", byDialect({ authy: AuthyControlRoutes.reset, twilio: VerifyControlRoutes.reset })),
  HttpRouter.get("/__emulator/state", StateRoutes.get),
  HttpRouter.put("/__emulator/state", StateRoutes.put),
  HttpRouter.post("/__emulator/state", StateRoutes.put)
)

/** An application's settings (Authy only: a Twilio account has none). */
const settingsRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/__emulator/app", SettingsRoutes.get),
  HttpRouter.put("/__emulator/app", SettingsRoutes.put),
  HttpRouter.post("/__emulator/app", SettingsRoutes.put)
)

/**
 * Every route the emulator serves.
 *
 * @since 0.1.0
 * @category routers
 */
export const router = HttpRouter.concat(AuthyRoutes.router, AuthyControlRoutes.router).pipe(
  HttpRouter.concat(VerifyRoutes.router),
  HttpRouter.concat(VerifyControlRoutes.router),
  HttpRouter.concat(sharedControl),
  HttpRouter.concat(settingsRoutes),
  HttpRouter.concat(FaultRoutes.router),
  HttpRouter.concat(CallbackRoutes.router)
)

/**
 * The largest request body read, 1 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodyBytes: number = CoreServer.maxBodyBytes

/**
 * Where to listen.
 *
 * @since 0.1.0
 * @category models
 */
export type ListenOptions = CoreServer.ListenOptions

/** The dialect of a request, from its path and headers: Twilio's when its front claims it. */
const dialectOf = (request: HttpServerRequest.HttpServerRequest) =>
  VerifyRequest.claims(request) ? VerifyWire.dialect : AuthyWire.dialect

/**
 * The request target's path as the inbox and the fault-change check have
 * always read it: the target up to its query, as sent (only a target that is
 * not origin-form is parsed).
 */
const targetPathOf = (request: HttpServerRequest.HttpServerRequest): string => {
  const target = request.url
  if (!target.startsWith("/")) return urlOf(request).pathname
  const query = target.indexOf("?")
  return query === -1 ? target : target.slice(0, query)
}

/** What the APIs need besides the request. */
type Services = EmulatorState | VerifyState | Faults.EmulatorFaults

/**
 * Faults live outside the tenants' state, so changing them over the control
 * API tells the state's watchers (the inbox's live view) with an empty step
 * of the tenant.
 */
const toldOfFaultChanges = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
  { dialect, tenant }: RequestScopeValue
) =>
  tenant === undefined ? app : Effect.tap(app, (): Effect.Effect<void, never, EmulatorState | VerifyState> =>
    dialect.name === "twilio"
      ? Effect.ignore(Effect.flatMap(VerifyStateTag, (s) => s.use(tenant, () => undefined)))
      : Effect.ignore(Effect.flatMap(EmulatorStateTag, (s) => s.use(tenant, () => undefined))))

const changesFaults = (request: HttpServerRequest.HttpServerRequest) =>
  request.method !== "GET" && targetPathOf(request).startsWith("/__emulator/faults")

/** The routes with the fault of the request's tenant (if any) around them. */
const faulted = (
  context: Context.Context<Services | HttpServerRequest.HttpServerRequest>,
  request: HttpServerRequest.HttpServerRequest,
  scope: RequestScopeValue
) => {
  const taken = Faults.take(Context.get(context, Faults.EmulatorFaults), scope, request.method, pathOf(request))
  const app = taken === undefined ? router : Faults.apply(taken, router, request, scope.dialect)
  return changesFaults(request) ? toldOfFaultChanges(app, scope) : app
}

/**
 * The scope of a request as the front of its dialect reads it, at once when
 * the server has read its body; `undefined` when the body is still to be
 * read.
 */
const readScope = (
  context: Context.Context<Services | HttpServerRequest.HttpServerRequest>,
  request: HttpServerRequest.HttpServerRequest
): RequestScopeValue | undefined =>
  VerifyRequest.claims(request)
    ? VerifyRequest.readScope(request, Context.get(context, VerifyStateTag))
    : AuthyRequest.readScope(request, Context.get(context, EmulatorStateTag))

/**
 * The services a request to the emulator's server starts with: its scope,
 * when its body has been read (see `CoreServer.ServicesOf`). Only the APIs
 * use it; the inbox's requests start without.
 *
 * @since 0.3.0
 * @category apps
 */
export const servicesOf: CoreServer.ServicesOf<Services> = (request, context) => {
  if (Ui.isUiPath(targetPathOf(request))) return context
  const scope = readScope(context, request)
  return scope === undefined ? context : Context.add(context, RequestScope, scope)
}

/**
 * The APIs: each request read once by the front of its dialect, then the
 * faults of its tenant applied around the routes. The scope is taken from the
 * context when {@link servicesOf} put it there; else it is read now and
 * provided.
 */
const apis = (
  context: Context.Context<Services | HttpServerRequest.HttpServerRequest>,
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, Services | HttpServerRequest.HttpServerRequest> => {
  const given = Context.getOption(context, RequestScope)
  // The scope is in the context (just checked): the routes' need of it is met.
  if (given._tag === "Some") {
    return faulted(context, request, given.value) as Effect.Effect<
      HttpServerResponse.HttpServerResponse,
      unknown,
      Services | HttpServerRequest.HttpServerRequest
    >
  }
  const provided = (scope: RequestScopeValue) =>
    Effect.provide(faulted(context, request, scope), Context.add(context, RequestScope, scope))
  const read = readScope(context, request)
  if (read !== undefined) return provided(read)
  const front: Effect.Effect<RequestScopeValue, never, Services | HttpServerRequest.HttpServerRequest> =
    VerifyRequest.claims(request) ? VerifyRequest.scope : AuthyRequest.scope
  return Effect.flatMap(front, provided)
}

/**
 * What the app serves besides the APIs, and to whom.
 *
 * @since 0.3.0
 * @category models
 */
export interface AppOptions {
  /** Serve the web inbox at `/` (default `true`); `false` answers its paths like any unknown one. */
  readonly ui?: boolean
  /**
   * The host the emulator was told to bind (default `127.0.0.1`): besides a
   * loopback name, the only `Host` it answers to (any, for the APIs only,
   * when it is a wildcard such as `0.0.0.0`).
   */
  readonly host?: string
}

/**
 * The emulator as an `HttpApp`, needing only the states and the faults. A
 * request whose `Host` names neither a loopback address nor the configured
 * host is refused with 403 (DNS rebinding), in its dialect; `/` and
 * `/__inbox/…` are the web inbox (unless `ui: false`); everything else is
 * capped in size, read once by its dialect's front, then the faults of its
 * tenant applied around the routes.
 *
 * @since 0.3.0
 * @category apps
 */
export const makeHttpApp = (options: AppOptions = {}, closing: Effect.Effect<void> = Effect.never): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  EmulatorState | VerifyState | Faults.EmulatorFaults | HttpServerRequest.HttpServerRequest
> => {
  const configured = options.host ?? "127.0.0.1"
  const ui = options.ui ?? true
  const inboxApp = Ui.app(closing)
  // The few Host values an API client sends, once judged allowed, are not parsed again: the hot path.
  const apiHosts = new Set<string>()
  const allowed = (host: string | undefined, inbox: boolean) => {
    if (!inbox && host !== undefined && apiHosts.has(host)) return true
    const ok = Guard.allowedHost(host, configured, !inbox)
    if (ok && !inbox && host !== undefined && apiHosts.size < 64) apiHosts.add(host)
    return ok
  }
  return CoreServer.protect(
    dialectOf,
    Effect.contextWithEffect((context: Context.Context<Services | HttpServerRequest.HttpServerRequest>) => {
      const request = Context.get(context, HttpServerRequest.HttpServerRequest)
      const host = firstHeader(request.headers.host)
      const inbox = ui && Ui.isUiPath(targetPathOf(request))
      if (!allowed(host, inbox)) {
        return Effect.succeed(respond(dialectOf(request).error(403, undefined, "Host not allowed: use localhost or 127.0.0.1")))
      }
      return inbox ? inboxApp : apis(context, request)
    })
  )
}

/**
 * The emulator as an `HttpApp` with the default options (inbox on, bound
 * to `127.0.0.1`): see {@link makeHttpApp}.
 *
 * @since 0.1.0
 * @category apps
 */
export const httpApp: Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  EmulatorState | VerifyState | Faults.EmulatorFaults | HttpServerRequest.HttpServerRequest
> = makeHttpApp()

/**
 * Where to listen and what to serve.
 *
 * @since 0.3.0
 * @category models
 */
export interface ServeOptions extends ListenOptions, AppOptions {}

/**
 * Starts the server for the life of the scope and answers its base URL
 * (`http://127.0.0.1:51234`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (
  options: ServeOptions = {}
): Effect.Effect<string, ServeError, Scope.Scope | EmulatorState | VerifyState | Faults.EmulatorFaults> =>
  Effect.gen(function*() {
    const closing = yield* Deferred.make<void>()
    const url = yield* CoreServer.serve(makeHttpApp(options, Deferred.await(closing)), options, servicesOf)
    // Added after the server's own finalizer, so run before it: the inbox's
    // event streams end first, and the server closes without waiting on them.
    yield* Effect.addFinalizer(() => Deferred.succeed(closing, undefined))
    return url
  })
