/**
 * The emulator as an HTTP server: the Authy routes and the control API in one
 * `HttpRouter`, Authy-shaped answers for unknown paths and for anything that
 * goes wrong, served by `@effect/platform-node`.
 *
 * @since 0.1.0
 */
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpRouter from "@effect/platform/HttpRouter"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Cause, Effect, Option, type Scope } from "effect"
import { createServer } from "node:http"
import * as CallbackRoutes from "./callbackRoutes.js"
import * as ControlRoutes from "./controlRoutes.js"
import * as FaultRoutes from "./faultRoutes.js"
import * as Faults from "./faults.js"
import { respond, withInput } from "./request.js"
import * as Routes from "./routes.js"
import type { EmulatorState } from "./State.js"
import * as Wire from "./wire.js"

/**
 * Every route the emulator serves. Later additions to the control API (the
 * callback target, faults) are concatenated here.
 *
 * @since 0.1.0
 * @category routers
 */
export const router = HttpRouter.concat(Routes.router, ControlRoutes.router).pipe(
  HttpRouter.concat(FaultRoutes.router),
  HttpRouter.concat(CallbackRoutes.router)
)

/**
 * The largest request body read, 1 MiB: far above any Authy request, small
 * enough that a flood of big bodies cannot exhaust memory.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodyBytes = 1024 * 1024

/**
 * A body declared larger than {@link maxBodyBytes} is refused with an Authy
 * 413 before it is read; an undeclared (chunked) one is cut off at the cap by
 * the platform, which then closes the connection.
 */
const limitBody = <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Number(request.headers["content-length"] ?? 0) > maxBodyBytes
      ? Effect.succeed(respond(Wire.error(413, "60002", "Invalid request: the body is larger than 1 MiB")))
      : HttpIncomingMessage.withMaxBodySize(app, Option.some(maxBodyBytes)))

const isRouteNotFound = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "RouteNotFound"

/**
 * Never lets a failure reach the platform's default 500: an unknown path is
 * 404 and anything else 500, both with an Authy error body (the path only,
 * never the query, which may hold the API key).
 */
const recover = (cause: Cause.Cause<unknown>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure) && isRouteNotFound(failure.value)) {
      const path = new URL(request.url, "http://emulator.invalid").pathname
      return Effect.succeed(respond(Wire.notFound(request.method, path)))
    }
    return Effect.as(
      Effect.logError("Emulator request failed", cause),
      respond(Wire.error(500, "60000", "An error occurred"))
    )
  })

/**
 * The emulator as an `HttpApp`, needing only the state and the faults. Each
 * request is capped in size, its parameters and key read once, then the
 * faults of its application applied around the routes.
 *
 * @since 0.1.0
 * @category apps
 */
export const httpApp: Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  EmulatorState | Faults.EmulatorFaults | HttpServerRequest.HttpServerRequest
> = Effect.catchAllCause(limitBody(withInput(Faults.middleware(router))), recover)

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
 * Starts the server for the life of the scope and answers its base URL
 * (`http://127.0.0.1:51234`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (
  options: ListenOptions = {}
): Effect.Effect<string, ServeError, Scope.Scope | EmulatorState | Faults.EmulatorFaults> =>
  Effect.gen(function*() {
    const host = options.host ?? "127.0.0.1"
    const server = yield* NodeHttpServer.make(() => createServer(), { port: options.port ?? 0, host })
    yield* server.serve(httpApp)
    const port = server.address._tag === "TcpAddress" ? server.address.port : options.port ?? 0
    return `http://${formatHost(host)}:${port}`
  })
