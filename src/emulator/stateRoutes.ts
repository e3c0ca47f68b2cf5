/**
 * The state file over the control API, for both dialects: `GET
 * /__emulator/state` answers the caller's document (its application, or its
 * account), `PUT /__emulator/state` replaces the caller's world with the
 * document's (and nothing else). The body is read whole (at most the
 * server's 1 MiB), not through the parameter parser, whose 1000-parameter
 * budget a world of users outgrows; the credentials come from headers then.
 * The document is answered as it is, without Authy's `"success"`, so that
 * what `GET` answers can be saved and loaded with `--state`.
 *
 * @since 0.3.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Either } from "effect"
import * as AuthyState from "./authy/State.js"
import { EmulatorState } from "./authy/State.js"
import { respond } from "./core/dialect.js"
import { RequestScope } from "./core/request.js"
import * as StateFile from "./stateFile.js"
import * as VerifyStateModule from "./verify/State.js"
import { VerifyState } from "./verify/State.js"

const document = (value: StateFile.Document) =>
  HttpServerResponse.text(JSON.stringify(value), { contentType: "application/json; charset=utf-8" })

/**
 * `GET /__emulator/state`.
 *
 * @since 0.3.0
 * @category handlers
 */
export const get = Effect.gen(function*() {
  const { dialect, tenant } = yield* RequestScope
  if (tenant === undefined) return respond(dialect.unauthorized)
  const authy = yield* EmulatorState
  const verify = yield* VerifyState
  const exported: Effect.Effect<StateFile.Document, unknown> = dialect.name === "authy"
    ? StateFile.exportApp(authy, tenant)
    : StateFile.exportAccount(verify, tenant)
  return yield* exported.pipe(
    Effect.map(document),
    Effect.catchAll(() => Effect.succeed(respond(dialect.unauthorized)))
  )
})

/**
 * `PUT /__emulator/state`: 400 naming the bad field, else the document now
 * in force.
 *
 * @since 0.3.0
 * @category handlers
 */
export const put = Effect.gen(function*() {
  const { dialect, tenant } = yield* RequestScope
  if (tenant === undefined) return respond(dialect.unauthorized)
  const request = yield* HttpServerRequest.HttpServerRequest
  const text = yield* Effect.orElseSucceed(request.text, () => "")
  const parsed = StateFile.parse(text)
  if (Either.isLeft(parsed)) return respond(dialect.invalidParameter(parsed.left.path, parsed.left.reason))
  const authy = yield* EmulatorState
  const verify = yield* VerifyState
  const replaced: Effect.Effect<
    StateFile.Document,
    StateFile.InvalidState | AuthyState.UnknownApiKey | VerifyStateModule.UnknownAccount
  > = dialect.name === "authy"
    ? Effect.zipRight(StateFile.importApp(authy, tenant, parsed.right), StateFile.exportApp(authy, tenant))
    : Effect.zipRight(StateFile.importAccount(verify, tenant, parsed.right), StateFile.exportAccount(verify, tenant))
  return yield* replaced.pipe(
    Effect.map(document),
    Effect.catchTags({
      InvalidState: (e) => Effect.succeed(respond(dialect.invalidParameter(e.path, e.reason))),
      UnknownApiKey: () => Effect.succeed(respond(dialect.unauthorized)),
      UnknownAccount: () => Effect.succeed(respond(dialect.unauthorized))
    })
  )
})
