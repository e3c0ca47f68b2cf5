/**
 * The Authy front: reads an Authy request's parameters (query, form and JSON
 * merged) and its API key (header, then query, then body, as the real server
 * accepted) once, before routing, so that the faults middleware too knows the
 * application; then each handler finds the application, runs on it
 * atomically, and writes the reply.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Context as EffectContext, Effect, Either } from "effect"
import { respond } from "../core/dialect.js"
import * as Params from "../core/params.js"
import { baseUrlOf, firstHeader, makeFront, Refused, RequestScope, type Scope, searchParamsOf } from "../core/request.js"
import { type AppState, EmulatorState, type Service } from "./State.js"
import * as Stats from "./stats.js"
import * as Wire from "./wire.js"

export {
  /**
   * A request refused before any handler ran (the core's).
   *
   * @since 0.1.0
   */
  Refused,
  /**
   * Writes a reply as Authy does: JSON, `application/json; charset=utf-8`.
   *
   * @since 0.1.0
   */
  respond
}

/**
 * What a handler is given.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context {
  readonly app: AppState
  /** The emulator clock, Unix milliseconds. */
  readonly now: number
  readonly params: Params.Params
  /** Path parameters of the route, e.g. `authy_id`. */
  readonly path: Readonly<Record<string, string | undefined>>
  /** `http://host:port` as the client addressed the emulator. */
  readonly baseUrl: string
}

/**
 * The API key: the `X-Authy-API-Key` header, else the `api_key` parameter
 * (query or body), when the parameters could be read.
 *
 * @since 0.1.0
 * @category api keys
 */
export const apiKeyOf = (
  request: HttpServerRequest.HttpServerRequest,
  params: Params.Params | undefined
): string | undefined =>
  firstHeader(request.headers["x-authy-api-key"]) ?? (params === undefined ? undefined : Params.string(params, "api_key"))

/** The merged parameters of a body already read, or the 400 refusing them. */
const parse = (request: HttpServerRequest.HttpServerRequest, body: string): Either.Either<Params.Params, Refused> => {
  const parsed = Params.fromRequest(searchParamsOf(request), body, firstHeader(request.headers["content-type"]))
  return parsed instanceof Params.MalformedBody ? Either.left(new Refused(Wire.badRequest(parsed.reason))) : Either.right(parsed)
}

const scopeOf = (
  request: HttpServerRequest.HttpServerRequest,
  state: Service,
  params: Either.Either<Params.Params, Refused>
): Scope => {
  const apiKey = apiKeyOf(request, Either.getOrUndefined(params))
  const tenant = apiKey !== undefined && state.apiKeys.includes(apiKey) ? apiKey : undefined
  return { dialect: Wire.dialect, tenant, params }
}

const front = makeFront(EmulatorState, {
  parse,
  unreadable: () => new Refused(Wire.badRequest("unreadable body")),
  scopeOf
})

/**
 * The merged parameters of a request; refused with 400 when the body is
 * malformed, unreadable or past the parser's limits.
 *
 * @since 0.1.0
 * @category parameters
 */
export const paramsOf: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<Params.Params, Refused> =
  front.paramsOf

/**
 * The {@link scope} of a request whose body the emulator's server has
 * already read, computed at once; `undefined` when the body has to be read
 * first.
 *
 * @since 0.3.0
 * @category parameters
 */
export const readScope: (request: HttpServerRequest.HttpServerRequest, state: Service) => Scope | undefined =
  front.readScope

/**
 * What the emulator reads of an Authy request before routing it: its
 * parameters (or why they were refused) and, as its tenant, its API key when
 * the emulator serves it (read from the header alone when the parameters
 * were refused).
 *
 * @since 0.2.0
 * @category parameters
 */
export const scope: Effect.Effect<Scope, never, EmulatorState | HttpServerRequest.HttpServerRequest> = front.scope

/**
 * The options of {@link handler}.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerOptions {
  /** Count the request in `api_calls` (Authy endpoints do; the control API does not). */
  readonly countApiCall: boolean
}

/**
 * A route handler running `f` on the application of the request's API key;
 * 401 60001 when there is no such key.
 *
 * @since 0.1.0
 * @category handlers
 */
export const handler = (
  f: (context: Context) => Wire.Reply,
  options: HandlerOptions = { countApiCall: true }
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | RequestScope | HttpRouter.RouteContext | EmulatorState
> =>
  Effect.contextWithEffect((
    context: EffectContext.Context<
      HttpServerRequest.HttpServerRequest | RequestScope | HttpRouter.RouteContext | EmulatorState
    >
  ) => {
    const input = EffectContext.get(context, RequestScope)
    if (Either.isLeft(input.params)) return Effect.succeed(respond(input.params.left.reply))
    const params = input.params.right
    const key = input.tenant
    if (key === undefined) return Effect.succeed(respond(Wire.invalidApiKey))
    const path = EffectContext.get(context, HttpRouter.RouteContext).params
    const baseUrl = baseUrlOf(EffectContext.get(context, HttpServerRequest.HttpServerRequest))
    const reply = EffectContext.get(context, EmulatorState).use(key, (app, now) => {
      if (options.countApiCall) {
        app.counters.apiCalls += 1
        Stats.record(app, now, "apiCalls")
      }
      return f({ app, now, params, path, baseUrl })
    })
    return Effect.match(reply, { onFailure: () => respond(Wire.invalidApiKey), onSuccess: respond })
  })
