/**
 * The plumbing of the control API (`/__emulator/...`), shared by both
 * dialects: a control route acts for the tenant the request's credentials
 * name (an Authy API key, a Twilio account's Basic credentials), reads the
 * parameters the front parsed, and answers in the request's dialect. A route
 * that means the same for both APIs (messages, clock, reset, faults) is one
 * route; {@link byDialect} hands it to the dialect's own implementation.
 *
 * @since 0.2.0
 */
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Either } from "effect"
import { type Dialect, type Reply, respond } from "./dialect.js"
import * as Params from "./params.js"
import { RequestScope } from "./request.js"

/**
 * What an authenticated control route is given.
 *
 * @since 0.2.0
 * @category models
 */
export interface Caller {
  /** The tenant the credentials name: an API key or an account SID. */
  readonly tenant: string
  readonly params: Params.Params
  readonly dialect: Dialect
}

/**
 * A control route for the caller's tenant: answers the request's refusal
 * (a malformed body) or 401 in its dialect when the credentials name no
 * tenant, else what `f` answers.
 *
 * @since 0.2.0
 * @category handlers
 */
export const authenticated = <E, R>(f: (caller: Caller) => Effect.Effect<Reply, E, R>) =>
  Effect.gen(function*() {
    const { dialect, params, tenant } = yield* RequestScope
    if (Either.isLeft(params)) return respond(params.left.reply)
    if (tenant === undefined) return respond(dialect.unauthorized)
    return respond(yield* f({ tenant, params: params.right, dialect }))
  })

/**
 * One route for both dialects: the request's dialect (which its credentials
 * chose) picks the implementation.
 *
 * @since 0.2.0
 * @category handlers
 */
export const byDialect = <E1, R1, E2, R2>(handlers: {
  readonly authy: Effect.Effect<HttpServerResponse.HttpServerResponse, E1, R1>
  readonly twilio: Effect.Effect<HttpServerResponse.HttpServerResponse, E2, R2>
}): Effect.Effect<HttpServerResponse.HttpServerResponse, E1 | E2, R1 | R2 | RequestScope> =>
  Effect.flatMap(
    RequestScope,
    ({ dialect }): Effect.Effect<HttpServerResponse.HttpServerResponse, E1 | E2, R1 | R2> =>
      dialect.name === "twilio" ? handlers.twilio : handlers.authy
  )

/**
 * A clock as the control API shows it: the tenant's time and how far it runs
 * ahead of real time.
 *
 * @since 0.2.0
 * @category clock
 */
export const clockBody = (now: number, offsetMillis: number) => ({
  now: new Date(now).toISOString(),
  unix: Math.floor(now / 1000),
  offset_seconds: offsetMillis / 1000
})

/**
 * The `seconds` of a clock advance as milliseconds, or the reply refusing it.
 *
 * @since 0.2.0
 * @category clock
 */
export const advanceSeconds = (dialect: Dialect, params: Params.Params): number | Reply => {
  const text = Params.string(params, "seconds")
  if (text === undefined || text.trim() === "") return dialect.missingParameter("seconds")
  return Number(text) * 1000
}
