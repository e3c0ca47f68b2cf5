/**
 * From an incoming request to an answer: reads the parameters (query, form
 * and JSON merged) and the API key (header, then query, then body, as the real
 * server accepted) once, before routing, so that the fault middleware too
 * knows the application; then finds the application, runs one handler on it
 * atomically, and writes the reply.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Context, Effect, Either } from "effect"
import * as Params from "./params.js"
import { type AppState, EmulatorState } from "./State.js"
import * as Stats from "./stats.js"
import * as Wire from "./wire.js"

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
 * Writes a reply as Authy does: JSON, `application/json; charset=utf-8`.
 *
 * @since 0.1.0
 * @category responses
 */
export const respond = (reply: Wire.Reply): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(reply.body, { status: reply.status, contentType: "application/json; charset=utf-8" })

/** The first value of a header; an empty header counts as absent. */
const firstHeader = (value: string | ReadonlyArray<string> | undefined): string | undefined => {
  const first = typeof value === "string" ? value : value?.[0]
  return first === undefined || first.trim() === "" ? undefined : first
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

/**
 * A request refused before any handler ran, with the reply to send.
 *
 * @since 0.1.0
 * @category errors
 */
export class Refused {
  /** @since 0.1.0 */
  readonly _tag = "Refused"
  constructor(readonly reply: Wire.Reply) {}
}

/**
 * The merged parameters of a request; refused with 400 when the body is
 * malformed, unreadable or past the parser's limits.
 *
 * @since 0.1.0
 * @category parameters
 */
export const paramsOf = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Params.Params, Refused> =>
  request.text.pipe(
    Effect.mapError(() => new Refused(Wire.badRequest("unreadable body"))),
    Effect.flatMap((body) => {
      const search = new URL(request.url, "http://emulator.invalid").searchParams
      const parsed = Params.fromRequest(search, body, firstHeader(request.headers["content-type"]))
      return parsed instanceof Params.MalformedBody
        ? Effect.fail(new Refused(Wire.badRequest(parsed.reason)))
        : Effect.succeed(parsed)
    })
  )

/**
 * What the emulator reads of every request before routing it: its
 * parameters (or why they were refused) and its API key, if any (from the
 * header alone when the parameters were refused).
 *
 * @since 0.1.0
 * @category models
 */
export interface Input {
  readonly params: Either.Either<Params.Params, Refused>
  readonly apiKey: string | undefined
}

/**
 * The {@link Input} of the request being served, provided by {@link withInput}.
 *
 * @since 0.1.0
 * @category parameters
 */
export class RequestInput extends Context.Tag("effect-authy/emulator/RequestInput")<RequestInput, Input>() {}

/**
 * Reads the request's {@link Input} once and provides it to `app`.
 *
 * @since 0.1.0
 * @category parameters
 */
export const withInput = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  Exclude<R, RequestInput> | HttpServerRequest.HttpServerRequest
> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* Effect.either(paramsOf(request))
    const apiKey = apiKeyOf(request, Either.getOrUndefined(params))
    return yield* Effect.provideService(app, RequestInput, { params, apiKey })
  })

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
) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const input = yield* RequestInput
    const params = yield* input.params
    const key = input.apiKey
    if (key === undefined) return respond(Wire.invalidApiKey)
    const path = yield* HttpRouter.params
    const state = yield* EmulatorState
    const baseUrl = `http://${firstHeader(request.headers.host) ?? "127.0.0.1"}`
    const reply = yield* state.use(key, (app, now) => {
      if (options.countApiCall) {
        app.counters.apiCalls += 1
        Stats.record(app, now, "apiCalls")
      }
      return f({ app, now, params, path, baseUrl })
    })
    return respond(reply)
  }).pipe(
    Effect.catchTags({
      Refused: (refused) => Effect.succeed(respond(refused.reply)),
      UnknownApiKey: () => Effect.succeed(respond(Wire.invalidApiKey))
    })
  )

/**
 * A route handler for actions beyond one application's data (the clock, a
 * reset): checks the API key like {@link handler}, then runs `f`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const authenticated = <E, R>(
  f: (input: { readonly apiKey: string; readonly params: Params.Params }) => Effect.Effect<Wire.Reply, E, R>
) =>
  Effect.gen(function*() {
    const { apiKey, params } = yield* RequestInput
    if (Either.isLeft(params)) return respond(params.left.reply)
    const state = yield* EmulatorState
    if (apiKey === undefined || !state.apiKeys.includes(apiKey)) return respond(Wire.invalidApiKey)
    return respond(yield* f({ apiKey, params: params.right }))
  })
