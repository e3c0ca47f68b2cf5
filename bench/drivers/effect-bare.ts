/**
 * Bare Effect: the platform's `HttpClient` on `NodeHttpClient.layerUndici`,
 * default settings, the same GET and a JSON decode by hand: what a user would
 * write without effect-authy.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, ManagedRuntime, Runtime } from "effect"
import { runDriver } from "./loop.js"
import { checkStatus, checkVerified, statusPath, verifyPath } from "./paths.js"

await runDriver(async ({ target }) => {
  const runtime = await ManagedRuntime.make(NodeHttpClient.layerUndici).runtime()
  const run = Runtime.runPromise(runtime)
  const headers = { "x-authy-api-key": target.apiKey, accept: "application/json" }
  const get = (path: string) =>
    Effect.flatMap(HttpClient.HttpClient, (client) => client.get(target.url + path, { headers })).pipe(
      Effect.flatMap(HttpClientResponse.filterStatusOk),
      Effect.flatMap((response) => response.json)
    )
  return {
    verify: () => run(Effect.map(get(verifyPath(target)), checkVerified)),
    status: () => run(Effect.map(get(statusPath(target)), checkStatus))
  }
})
