/**
 * Token verification (authy-api.md §2.4).
 *
 * @internal
 */
import { Effect } from "effect"
import { VerifyTokenResponse } from "../../Responses.js"
import type { TokensApi } from "../../Tokens.js"
import type { Executor } from "../core/http.js"
import { decoder } from "../core/decode.js"
import { annotate, traced } from "../core/span.js"
import * as Validate from "../core/validate.js"

const decodeVerify = decoder(VerifyTokenResponse)

/** @internal */
export const make = (http: Executor): TokensApi => ({
  verify: traced("Authy.tokens.verify", Effect.fnUntraced(function*(authyId, token, options) {
    const id = yield* Validate.authyId(authyId)
    yield* annotate({ "authy.authy_id": id })
    const code = yield* Validate.token(token)
    const checked = yield* Validate.options(options, ["force"])
    const force = yield* Validate.optional(checked.force, (v) => Validate.boolean(v, "force"))
    return yield* http.execute({
      method: "GET",
      path: `/protected/json/verify/${encodeURIComponent(code)}/${encodeURIComponent(id)}`,
      route: "/protected/json/verify/{token}/{authy_id}",
      safety: "side-effecting",
      params: { force: force ?? true },
      decode: decodeVerify
    })
  }))
})
