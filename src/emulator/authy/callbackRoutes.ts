/**
 * The control API of OneTouch callbacks (see callbacks.ts), scoped to the
 * application of the API key like the rest of `/__emulator`:
 *
 * - `GET /__emulator/callback` → `{"callback":{"url":...,"method":"POST"}|null,"success":true}`
 * - `POST /__emulator/callback` `{"url":"...","method":"POST"|"GET"}` sets it
 *   (method default POST; an empty or absent `url` clears it); 400 60004 for
 *   an invalid URL or method
 * - `DELETE /__emulator/callback` clears it
 * - `GET /__emulator/callbacks[?uuid=...]` → `{"deliveries":[...],"success":true}`, oldest first
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import { Either } from "effect"
import * as Callbacks from "./callbacks.js"
import * as Params from "../core/params.js"
import { type Context, handler } from "./request.js"
import type { AppState } from "./State.js"
import * as Wire from "./wire.js"

const control = (f: (context: Context) => Wire.Reply) => handler(f, { countApiCall: false })

const current = (app: AppState) => Wire.ok({ callback: Callbacks.targetBody(app.callback) })

const clear = (app: AppState) => {
  app.callback = undefined
  return current(app)
}

const set = control(({ app, params }) => {
  const url = Params.string(params, "url") ?? ""
  if (url.trim() === "") return clear(app)
  const parsed = Callbacks.parseTarget({ url, method: Params.string(params, "method") })
  if (Either.isLeft(parsed)) {
    return Wire.error(400, "60004", `Invalid parameter: ${parsed.left.field} - ${parsed.left.reason}`)
  }
  app.callback = parsed.right
  return current(app)
})

const deliveries = control(({ app, params }) => {
  const uuid = Params.string(params, "uuid")
  const list = app.deliveries.filter((d) => uuid === undefined || d.uuid === uuid)
  return Wire.ok({ deliveries: list.map(Callbacks.deliveryBody) })
})

/**
 * The callback routes, mounted beside the other control routes.
 *
 * @since 0.1.0
 * @category routers
 */
export const router = HttpRouter.empty.pipe(
  HttpRouter.get("/__emulator/callback", control(({ app }) => current(app))),
  HttpRouter.post("/__emulator/callback", set),
  HttpRouter.del("/__emulator/callback", control(({ app }) => clear(app))),
  HttpRouter.get("/__emulator/callbacks", deliveries)
)
