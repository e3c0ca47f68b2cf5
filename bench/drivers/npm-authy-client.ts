/**
 * The `authy-client` package from npm (promises on `request`); the base URL is
 * its `host` option.
 */
import { createRequire } from "node:module"
import { runDriver } from "./loop.js"
import { checkStatus } from "./paths.js"

interface AuthyClient {
  verifyToken(options: { authyId: number; token: string; force: boolean }): Promise<unknown>
  getUserStatus(options: { authyId: number }): Promise<unknown>
}

const require = createRequire(import.meta.url)
const { Client } = require("authy-client") as {
  Client: new(options: { key: string }, settings: { host: string }) => AuthyClient
}

await runDriver(async ({ target }) => {
  const client = new Client({ key: target.apiKey }, { host: target.url })
  return {
    // authy-client itself rejects unless the body says the token is valid.
    verify: () => client.verifyToken({ authyId: target.authyId, token: target.token, force: true }),
    status: async () => checkStatus(await client.getUserStatus({ authyId: target.authyId }))
  }
})
