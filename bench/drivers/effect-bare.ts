/**
 * Bare Effect: the platform's `HttpClient` on `NodeHttpClient.layerUndici`,
 * default settings, the same request and a JSON decode by hand: what a user
 * would write without effect-authy.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, ManagedRuntime } from "effect"
import { runDriver } from "./loop.js"
import { checkAnswer, wireRequest } from "./paths.js"
import { allOperations, type Call, type Calls, effectCall } from "./protocol.js"

await runDriver(async ({ target }) => {
  const runtime = await ManagedRuntime.make(NodeHttpClient.layerUndici).runtime()
  const headers = { "x-authy-api-key": target.apiKey, accept: "application/json" }
  const calls: Record<string, Call> = {}
  for (const operation of allOperations) {
    const { body, method, path } = wireRequest(operation, target)
    const url = target.url + path
    const request = method === "GET"
      ? HttpClientRequest.get(url, { headers })
      : HttpClientRequest.post(url, { headers }).pipe(HttpClientRequest.bodyText(body ?? "", "application/json"))
    const call = Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(request)).pipe(
      Effect.flatMap(HttpClientResponse.filterStatusOk),
      Effect.flatMap((response) => response.json),
      Effect.map((json) => checkAnswer(operation, json))
    )
    calls[operation] = effectCall(call, runtime)
  }
  return calls as Calls
})
