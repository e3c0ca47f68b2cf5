/**
 * The `authy` package from npm (callback API on `request`); the base URL is
 * its second constructor argument. It has no call for app details.
 */
import { createRequire } from "node:module"
import { runDriver } from "./loop.js"
import { checkAnswer, sample } from "./paths.js"
import type { Operation } from "./protocol.js"

type Callback = (error: unknown, body: unknown) => void
interface AuthyClient {
  verify(id: number, token: string, force: boolean, callback: Callback): void
  user_status(id: number, callback: Callback): void
  register_user(email: string, cellphone: string, countryCode: number, sendInstallLink: boolean, callback: Callback): void
  request_sms(id: number, force: boolean, callback: Callback): void
  send_approval_request(id: number, payload: { message: string }, hidden: unknown, logos: unknown, callback: Callback): void
  check_approval_status(uuid: string, callback: Callback): void
  phones(): {
    verification_start(phone: string, countryCode: number, params: { via: string }, callback: Callback): void
  }
}

const require = createRequire(import.meta.url)
const makeAuthy = require("authy") as (apiKey: string, apiUrl: string) => AuthyClient

const promised = (start: (callback: Callback) => void): Promise<unknown> =>
  new Promise((resolve, reject) => start((error, body) => (error ? reject(error) : resolve(body))))

await runDriver(async ({ target }) => {
  const authy = makeAuthy(target.apiKey, target.url)
  const calls: Partial<Record<Operation, (callback: Callback) => void>> = {
    verify: (cb) => authy.verify(target.authyId, target.token, true, cb),
    status: (cb) => authy.user_status(target.authyId, cb),
    create: (cb) => authy.register_user(sample.email, sample.cellphone, sample.countryCode, false, cb),
    sms: (cb) => authy.request_sms(target.authyId, false, cb),
    oneTouchCreate: (cb) => authy.send_approval_request(target.authyId, { message: sample.approvalMessage }, undefined, undefined, cb),
    oneTouchStatus: (cb) => authy.check_approval_status(sample.approvalUuid, cb),
    phoneStart: (cb) => authy.phones().verification_start(sample.cellphone, sample.countryCode, { via: "sms" }, cb)
  }
  return Object.fromEntries(
    Object.entries(calls).map(([operation, start]) => [operation, async () => checkAnswer(operation as Operation, await promised(start))])
  )
})
