/**
 * The Verify v2 and Lookup v2 endpoints the emulator serves, as an
 * `HttpRouter`. Paths start with `/v2/`, which no Authy path does, so both
 * APIs share one port.
 *
 * @since 0.2.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as Challenges from "./challenges.js"
import * as Entities from "./entities.js"
import * as Factors from "./factors.js"
import * as Lookup from "./lookup.js"
import { handler } from "./request.js"
import * as Services from "./services.js"
import * as Verifications from "./verifications.js"
import * as Webhooks from "./webhooks.js"

const service = "/v2/Services/:service"
const entity = `${service}/Entities/:identity`

const services = HttpRouter.empty.pipe(
  HttpRouter.post("/v2/Services", handler(Services.create)),
  HttpRouter.get("/v2/Services", handler(Services.list)),
  HttpRouter.get(service, handler(Services.fetch)),
  HttpRouter.post(service, handler(Services.update)),
  HttpRouter.del(service, handler(Services.remove)),
  HttpRouter.post(`${service}/Verifications`, handler(Verifications.start)),
  HttpRouter.get(`${service}/Verifications/:sid`, handler(Verifications.fetch)),
  HttpRouter.post(`${service}/Verifications/:sid`, handler(Verifications.update)),
  HttpRouter.post(`${service}/VerificationCheck`, handler(Verifications.check)),
  HttpRouter.post(`${service}/Webhooks`, handler(Webhooks.create)),
  HttpRouter.get(`${service}/Webhooks`, handler(Webhooks.list)),
  HttpRouter.get(`${service}/Webhooks/:webhook`, handler(Webhooks.fetch)),
  HttpRouter.post(`${service}/Webhooks/:webhook`, handler(Webhooks.update)),
  HttpRouter.del(`${service}/Webhooks/:webhook`, handler(Webhooks.remove))
)

const entities = HttpRouter.empty.pipe(
  HttpRouter.post(`${service}/Entities`, handler(Entities.create)),
  HttpRouter.get(`${service}/Entities`, handler(Entities.list)),
  HttpRouter.get(entity, handler(Entities.fetch)),
  HttpRouter.del(entity, handler(Entities.remove)),
  HttpRouter.post(`${entity}/Factors`, handler(Factors.create)),
  HttpRouter.get(`${entity}/Factors`, handler(Factors.list)),
  HttpRouter.get(`${entity}/Factors/:factor`, handler(Factors.fetch)),
  HttpRouter.post(`${entity}/Factors/:factor`, handler(Factors.update)),
  HttpRouter.del(`${entity}/Factors/:factor`, handler(Factors.remove)),
  HttpRouter.post(`${entity}/Challenges`, handler(Challenges.create)),
  HttpRouter.get(`${entity}/Challenges`, handler(Challenges.list)),
  HttpRouter.get(`${entity}/Challenges/:challenge`, handler(Challenges.fetch)),
  HttpRouter.post(`${entity}/Challenges/:challenge`, handler(Challenges.update))
)

/**
 * Every Verify and Lookup endpoint the emulator serves.
 *
 * @since 0.2.0
 * @category routers
 */
export const router = HttpRouter.concat(services, entities).pipe(
  HttpRouter.concat(HttpRouter.empty.pipe(HttpRouter.get("/v2/PhoneNumbers/:phone", handler(Lookup.fetch))))
)
