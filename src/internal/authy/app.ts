/**
 * Application details and statistics (authy-api.md §2.9–2.10).
 *
 * @internal
 */
import { Effect } from "effect"
import type { AppApi } from "../../App.js"
import { AppDetailsResponse, AppStatsResponse } from "../../Responses.js"
import type { Executor } from "../core/http.js"
import { decoder } from "../core/decode.js"
import { traced } from "../core/span.js"
import * as Validate from "../core/validate.js"

const decodeDetails = decoder(AppDetailsResponse)
const decodeStats = decoder(AppStatsResponse)

/** @internal */
export const make = (http: Executor): AppApi => ({
  details: traced("Authy.app.details", Effect.fnUntraced(function*(options) {
    const ip = yield* Validate.userIpOption(options)
    return yield* http.execute({
      method: "GET",
      path: "/protected/json/app/details",
      route: "/protected/json/app/details",
      safety: "read-only",
      params: { user_ip: ip },
      decode: decodeDetails
    })
  })),

  stats: traced("Authy.app.stats", Effect.fnUntraced(function*(options) {
    const ip = yield* Validate.userIpOption(options)
    return yield* http.execute({
      method: "GET",
      path: "/protected/json/app/stats",
      route: "/protected/json/app/stats",
      safety: "read-only",
      params: { user_ip: ip },
      decode: decodeStats
    })
  }))
})
