/**
 * The `authy` package from npm (callback API on `request`); the base URL is
 * its second constructor argument.
 */
import { createRequire } from "node:module"
import { runDriver } from "./loop.js"
import { checkStatus, checkVerified } from "./paths.js"

type Callback = (error: unknown, body: unknown) => void
interface AuthyClient {
  verify(id: number, token: string, force: boolean, callback: Callback): void
  user_status(id: number, callback: Callback): void
}

const require = createRequire(import.meta.url)
const makeAuthy = require("authy") as (apiKey: string, apiUrl: string) => AuthyClient

const promised = (start: (callback: Callback) => void): Promise<unknown> =>
  new Promise((resolve, reject) => start((error, body) => (error ? reject(error) : resolve(body))))

await runDriver(async ({ target }) => {
  const authy = makeAuthy(target.apiKey, target.url)
  return {
    verify: async () => checkVerified(await promised((cb) => authy.verify(target.authyId, target.token, true, cb))),
    status: async () => checkStatus(await promised((cb) => authy.user_status(target.authyId, cb)))
  }
})
