/**
 * The floor: raw undici requests on a keep-alive Agent, JSON parsed, nothing else.
 */
import { allOperations, type Calls } from "./protocol.js"
import { undici } from "../lib/undici.js"
import { runDriver } from "./loop.js"
import { checkAnswer, wireRequest } from "./paths.js"

await runDriver(async ({ target }) => {
  const dispatcher = new undici.Agent() // keep-alive is undici's default
  const getHeaders = { "x-authy-api-key": target.apiKey, accept: "application/json" }
  const postHeaders = { ...getHeaders, "content-type": "application/json" }
  const calls: Record<string, () => Promise<void>> = {}
  for (const operation of allOperations) {
    const { body, method, path } = wireRequest(operation, target)
    const url = target.url + path
    const options = { dispatcher, method, headers: body === undefined ? getHeaders : postHeaders, body: body ?? null }
    calls[operation] = async () => {
      const response = await undici.request(url, options)
      const json = await response.body.json()
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`)
      checkAnswer(operation, json)
    }
  }
  return calls as Calls
})
