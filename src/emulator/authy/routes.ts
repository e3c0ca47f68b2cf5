/**
 * The Authy API endpoints (authy-api.md §2.1–2.15, §2.17–2.19) as an `HttpRouter`.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as Approvals from "./approvals.js"
import * as Phones from "./phones.js"
import * as QrCodes from "./qrCodes.js"
import { type Context, handler } from "./request.js"
import type { User } from "./State.js"
import * as Stats from "./stats.js"
import * as Tokens from "./tokens.js"
import * as Users from "./users.js"
import * as Wire from "./wire.js"

/** A handler for routes with an `authy_id`: 404 60026 unless it names a user. */
const withUser = (f: (context: Context, user: User) => Wire.Reply, notFound: Wire.Reply = Wire.userNotFound) =>
  handler((context) => {
    const user = Users.find(context.app, context.path.authy_id)
    return user === undefined ? notFound : f(context, user)
  })

const remove = withUser(({ app }, user) => Users.remove(app, user))

/**
 * Every Authy endpoint the emulator serves.
 *
 * @since 0.1.0
 * @category routers
 */
export const router = HttpRouter.empty.pipe(
  HttpRouter.post("/protected/json/users/new", handler(({ app, now, params }) => Users.create(app, now, params))),
  HttpRouter.get("/protected/json/users/:authy_id/status", withUser((_, user) => Users.status(user))),
  HttpRouter.post("/protected/json/users/:authy_id/remove", remove),
  HttpRouter.post("/protected/json/users/:authy_id/delete", remove),
  HttpRouter.post("/protected/json/users/delete/:authy_id", remove),
  HttpRouter.post(
    "/protected/json/users/:authy_id/register_activity",
    withUser(({ params }) => Users.registerActivity(params))
  ),
  HttpRouter.post(
    "/protected/json/users/:authy_id/secret",
    withUser(({ app, baseUrl, now, params }, user) => QrCodes.secret(app, now, user, params, baseUrl))
  ),
  HttpRouter.post("/protected/json/users/:authy_id/update", withUser(({ params }, user) => Users.update(user, params))),
  HttpRouter.post("/protected/json/email/:authy_id", withUser(({ app, now }, user) => Tokens.requestEmail(app, now, user))),
  HttpRouter.get(
    "/protected/json/registrations/status",
    handler(({ app, params }) => Users.registrationStatus(app, params))
  ),
  HttpRouter.get(
    "/protected/json/sms/:authy_id",
    withUser(({ app, now, params }, user) => Tokens.request(app, now, user, "sms", params))
  ),
  HttpRouter.get(
    "/protected/json/call/:authy_id",
    withUser(({ app, now, params }, user) => Tokens.request(app, now, user, "call", params))
  ),
  HttpRouter.get(
    "/protected/json/verify/:token/:authy_id",
    withUser(
      ({ app, now, params, path }, user) => Tokens.verify(app, now, user, path.token ?? "", params),
      Tokens.userDoesNotExist
    )
  ),
  HttpRouter.get("/protected/json/app/details", handler(({ app }) => Stats.details(app))),
  HttpRouter.get("/protected/json/app/stats", handler(({ app, now }) => Stats.stats(app, now))),
  HttpRouter.post(
    "/protected/json/phones/verification/start",
    handler(({ app, now, params }) => Phones.start(app, now, params))
  ),
  HttpRouter.get(
    "/protected/json/phones/verification/check",
    handler(({ app, now, params }) => Phones.check(app, now, params))
  ),
  HttpRouter.get("/protected/json/phones/info", handler(({ app, now, params }) => Phones.info(app, now, params))),
  HttpRouter.post(
    "/onetouch/json/users/:authy_id/approval_requests",
    withUser(({ app, now, params }, user) => Approvals.create(app, now, user, params))
  ),
  HttpRouter.get(
    "/onetouch/json/approval_requests/:uuid",
    handler(({ app, now, path }) => Approvals.view(app, now, path.uuid ?? ""))
  )
)
