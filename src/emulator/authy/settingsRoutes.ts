/**
 * An application's settings over the control API: `GET /__emulator/app`
 * answers them (with the app id), `PUT /__emulator/app` (or `POST`) changes
 * those given — JSON or form, `{"sms_enabled":false}` — and answers them all.
 * A `profile` first puts every setting back to that profile's defaults.
 *
 * @since 0.3.0
 */
import * as Settings from "./settings.js"
import { handler } from "./request.js"
import * as Wire from "./wire.js"
import type { AppState } from "./State.js"
import type * as Params from "../core/params.js"

const body = (app: AppState) => Wire.ok({ app: { app_id: app.appId, ...Settings.toWire(app.settings) } })

/**
 * `GET /__emulator/app`.
 *
 * @since 0.3.0
 * @category handlers
 */
export const get = handler(({ app }) => body(app), { countApiCall: false })

/**
 * `PUT /__emulator/app`.
 *
 * @since 0.3.0
 * @category handlers
 */
export const put = handler(({ app, params }) => putStep(app, params), { countApiCall: false })

/**
 * Changes the settings `params` give and answers them all: the step behind
 * `PUT /__emulator/app` and the web inbox's settings form.
 *
 * @since 0.3.0
 * @category steps
 */
export const putStep = (app: AppState, params: Params.Params): Wire.Reply => {
  const patch = Settings.fromParams(params)
  if ("invalid" in patch) return Wire.dialect.invalidParameter(patch.invalid, patch.reason)
  app.settings = Settings.apply(app.settings, patch, app.appId)
  return body(app)
}
