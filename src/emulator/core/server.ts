/**
 * The emulator's server, whatever the API: a body cap, the recovery that
 * never lets a failure reach the platform's default 500, and the Node server
 * itself. Every answer it writes itself is in the dialect of the request, so
 * the routers of both APIs run on one server and one port.
 *
 * @since 0.1.0
 */
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Cause, Effect, Option, type Scope } from "effect"
import { createServer } from "node:http"
import { type Dialect, respond } from "./dialect.js"
import { urlOf } from "./request.js"

/**
 * The largest request body read, 1 MiB: far above any Authy or Twilio
 * request, small enough that a flood of big bodies cannot exhaust memory.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodyBytes = 1024 * 1024

/**
 * The dialect a request is answered in, decided from its method, path and
 * headers alone (never its body), so that even a refused body is answered
 * in the right one.
 *
 * @since 0.2.0
 * @category models
 */
export type DialectOf = (request: HttpServerRequest.HttpServerRequest) => Dialect

/**
 * A body declared larger than {@link maxBodyBytes} is refused with a 413 in
 * the request's dialect before it is read; an undeclared (chunked) one is
 * cut off at the cap by the platform, which then closes the connection.
 */
const limitBody = <E, R>(dialectOf: DialectOf, app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Number(request.headers["content-length"] ?? 0) > maxBodyBytes
      ? Effect.succeed(respond(dialectOf(request).tooLarge("the body is larger than 1 MiB")))
      : HttpIncomingMessage.withMaxBodySize(app, Option.some(maxBodyBytes)))

const isRouteNotFound = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "RouteNotFound"

/**
 * Never lets a failure reach the platform's default 500: an unknown path is
 * 404 and anything else 500, both in the request's dialect (the path only,
 * never the query, which may hold a key).
 */
const recover = (dialectOf: DialectOf) => (cause: Cause.Cause<unknown>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const dialect = dialectOf(request)
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure) && isRouteNotFound(failure.value)) {
      return Effect.succeed(respond(dialect.notFound(request.method, urlOf(request).pathname)))
    }
    return Effect.as(
      Effect.logError("Emulator request failed", cause),
      respond(dialect.error(500, undefined, "An error occurred"))
    )
  })

/**
 * Wraps an app (the routers behind their fronts and the faults) with the body
 * cap and the recovery: the result never fails.
 *
 * @since 0.2.0
 * @category apps
 */
export const protect = <E, R>(
  dialectOf: DialectOf,
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest> =>
  Effect.catchAllCause(limitBody(dialectOf, app), recover(dialectOf))

/**
 * Where to listen.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListenOptions {
  /** Default 0: a free port chosen by the system. */
  readonly port?: number
  /** Default `127.0.0.1`: the emulator is for this machine only unless told otherwise. */
  readonly host?: string
}

const formatHost = (host: string) => (host.includes(":") ? `[${host}]` : host)

/**
 * Starts the server of `app` for the life of the scope and answers its base
 * URL (`http://127.0.0.1:51234`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = <R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest>,
  options: ListenOptions = {}
): Effect.Effect<string, ServeError, Scope.Scope | Exclude<R, HttpServerRequest.HttpServerRequest>> =>
  Effect.gen(function*() {
    const host = options.host ?? "127.0.0.1"
    const server = yield* NodeHttpServer.make(() => createServer(), { port: options.port ?? 0, host })
    yield* server.serve(app)
    const port = server.address._tag === "TcpAddress" ? server.address.port : options.port ?? 0
    return `http://${formatHost(host)}:${port}`
  })
