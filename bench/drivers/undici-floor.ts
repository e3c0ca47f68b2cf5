/**
 * The floor: raw undici requests on a keep-alive Agent, JSON parsed, nothing else.
 */
import { undici } from "../lib/undici.js"
import { runDriver } from "./loop.js"
import { checkStatus, checkVerified, statusPath, verifyPath } from "./paths.js"

await runDriver(async ({ target }) => {
  const dispatcher = new undici.Agent() // keep-alive is undici's default
  const headers = { "x-authy-api-key": target.apiKey, accept: "application/json" }
  const get = async (path: string): Promise<unknown> => {
    const { statusCode, body } = await undici.request(target.url + path, { dispatcher, headers })
    const json = await body.json()
    if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`)
    return json
  }
  return {
    verify: async () => checkVerified(await get(verifyPath(target))),
    status: async () => checkStatus(await get(statusPath(target)))
  }
})
