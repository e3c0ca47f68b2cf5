/**
 * What every request carries through the core, whatever its API: the dialect
 * it is answered in and the tenant it belongs to (an Authy application's API
 * key, a Twilio account's SID), read once before routing so that the faults
 * middleware and the control plumbing know both.
 *
 * @since 0.2.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Context, Effect, type Either } from "effect"
import type { Dialect, Reply } from "./dialect.js"
import type * as Params from "./params.js"

/**
 * The dialect and tenant of the request being served.
 *
 * @since 0.2.0
 * @category models
 */
export interface Scope {
  readonly dialect: Dialect
  /** The tenant the credentials name, if they name one the emulator serves; faults apply only then. */
  readonly tenant: string | undefined
  /**
   * The parameters as the front read them (Authy's merged parameters, or
   * Twilio's form), or why they were refused.
   */
  readonly params: Either.Either<Params.Params, Refused>
}

/**
 * The {@link Scope} of the request being served, provided by the front of
 * its dialect.
 *
 * @since 0.2.0
 * @category tags
 */
export class RequestScope extends Context.Tag("effect-authy/emulator/RequestScope")<RequestScope, Scope>() {}

/**
 * A request refused before any handler ran, with the reply to send.
 *
 * @since 0.1.0
 * @category errors
 */
export class Refused {
  /** @since 0.1.0 */
  readonly _tag = "Refused"
  constructor(readonly reply: Reply) {}
}

/**
 * The first value of a header; an empty header counts as absent.
 *
 * @since 0.2.0
 * @category headers
 */
export const firstHeader = (value: string | ReadonlyArray<string> | undefined): string | undefined => {
  const first = typeof value === "string" ? value : value?.[0]
  return first === undefined || first.trim() === "" ? undefined : first
}

/**
 * Where a request keeps its parsed URL, so that the fronts, the faults and
 * the recovery parse it once between them.
 *
 * @since 0.3.0
 * @category paths
 */
export const parsedUrl: unique symbol = Symbol.for("effect-authy/emulator/parsedUrl")

/**
 * The URL of a request, resolved against a placeholder origin: only its path
 * and query are read. Parsed once per request (and again only for a request
 * whose URL was changed, which is a new request object).
 *
 * @since 0.2.0
 * @category paths
 */
export const urlOf = (request: HttpServerRequest.HttpServerRequest): URL => {
  const holder = request as HttpServerRequest.HttpServerRequest & { [parsedUrl]?: URL }
  return holder[parsedUrl] ??= new URL(request.url, "http://emulator.invalid")
}

/**
 * A request target the URL parser would leave as it is: origin-form, only
 * characters that need no escaping (RFC 3986 `pchar`, `/`, `?` and `%`
 * escapes), no dot segment to resolve. Such a target's path and query are
 * read by slicing the string, with no `URL` built.
 */
const plainTarget = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?$/
const dotSegment = /\/\.\.?(?:[/?]|$)/
/** `%2e` is a dot to the URL parser, in dot segments too: such a target takes the slow path. */
const escapedDot = /%2e/i

/** `//host/path` is read by the URL parser as an authority and a path: the slow path too. */
const isPlain = (target: string): boolean =>
  plainTarget.test(target) && !target.startsWith("//") && !dotSegment.test(target) && !escapedDot.test(target)

/**
 * The path of a request without its query, as {@link urlOf} would give it,
 * without parsing a `URL` for the usual plain target (every API request of
 * a real client).
 *
 * @since 0.3.0
 * @category paths
 */
export const pathOf = (request: HttpServerRequest.HttpServerRequest): string => {
  const target = request.url
  if (!isPlain(target)) return urlOf(request).pathname
  const query = target.indexOf("?")
  return query === -1 ? target : target.slice(0, query)
}

/**
 * The query parameters of a request, as {@link urlOf} would give them,
 * without parsing a `URL` for a plain target.
 *
 * @since 0.3.0
 * @category paths
 */
export const searchParamsOf = (request: HttpServerRequest.HttpServerRequest): URLSearchParams => {
  const target = request.url
  if (!isPlain(target)) return urlOf(request).searchParams
  const query = target.indexOf("?")
  return new URLSearchParams(query === -1 ? "" : target.slice(query + 1))
}

/**
 * Where a request read by the emulator's own server keeps its body.
 *
 * @since 0.3.0
 * @category bodies
 */
export const readBody: unique symbol = Symbol.for("effect-authy/emulator/readBody")

/**
 * The body of a request as the emulator's server already read it, or
 * `undefined` (another server, or a body refused or cut off): then it is
 * read through `request.text`. Saves the fronts an effect per request.
 *
 * @since 0.3.0
 * @category bodies
 */
export const bodyRead = (request: HttpServerRequest.HttpServerRequest): string | undefined =>
  (request as HttpServerRequest.HttpServerRequest & { readonly [readBody]?: string })[readBody]

/**
 * Whether a path belongs to the control API, which faults never touch.
 *
 * @since 0.2.0
 * @category paths
 */
export const isControlPath = (path: string): boolean => path === "/__emulator" || path.startsWith("/__emulator/")

/**
 * `http://host:port` as the client addressed the emulator.
 *
 * @since 0.2.0
 * @category paths
 */
export const baseUrlOf = (request: HttpServerRequest.HttpServerRequest): string =>
  `http://${firstHeader(request.headers.host) ?? "127.0.0.1"}`

/**
 * How a dialect's front reads a request before routing, in plain functions:
 * how it parses a body, and whose request it is.
 *
 * @since 0.3.0
 * @category fronts
 */
export interface FrontOptions<S> {
  /** The parameters of `body`, or the 400 refusing them. */
  readonly parse: (request: HttpServerRequest.HttpServerRequest, body: string) => Either.Either<Params.Params, Refused>
  /** The refusal of a body that could not be read. */
  readonly unreadable: () => Refused
  /** The request's scope, given its parameters as read (or why they were refused). */
  readonly scopeOf: (
    request: HttpServerRequest.HttpServerRequest,
    state: S,
    params: Either.Either<Params.Params, Refused>
  ) => Scope
}

/**
 * A dialect's front, the same for every API: the parameters of a request,
 * and its {@link Scope} — at once, with no effect, when the emulator's server
 * has read the body already (this runs on every request), else once the
 * body is read.
 *
 * @since 0.3.0
 * @category fronts
 */
export const makeFront = <I, S>(state: Context.Tag<I, S>, options: FrontOptions<S>) => {
  const { parse, scopeOf, unreadable } = options
  const paramsOf = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Params.Params, Refused> =>
    Effect.flatMap(Effect.mapError(request.text, unreadable), (body) => parse(request, body))
  const readScope = (request: HttpServerRequest.HttpServerRequest, service: S): Scope | undefined => {
    const body = bodyRead(request)
    return body === undefined ? undefined : scopeOf(request, service, parse(request, body))
  }
  const scope: Effect.Effect<Scope, never, I | HttpServerRequest.HttpServerRequest> = Effect.contextWithEffect(
    (context: Context.Context<I | HttpServerRequest.HttpServerRequest>) => {
      const request = Context.get(context, HttpServerRequest.HttpServerRequest)
      const service = Context.get(context, state)
      const read = readScope(request, service)
      return read === undefined
        ? Effect.map(Effect.either(paramsOf(request)), (params) => scopeOf(request, service, params))
        : Effect.succeed(read)
    }
  )
  return { paramsOf, readScope, scope } as const
}
