/**
 * effect-authy itself, on the transport named by `BENCH_TRANSPORT`:
 * `lean` (effect-authy's own `UndiciHttpClient.layer`), `undici`
 * (`NodeHttpClient.layerUndici`), `node` (`NodeHttpClient.layer`) or `fetch`
 * (`FetchHttpClient.layer`). Layers are built once, then every call
 * runs the public program in a fiber of that runtime.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import type * as Library from "../../src/index.js"
import type * as LibraryNode from "../../src/node/index.js"
import { importLibrary } from "../lib/library.js"
import { runDriver } from "./loop.js"
import { programsFor } from "./programs.js"
import { effectCall } from "./protocol.js"

const library = await importLibrary<typeof Library>("index")
const { UndiciHttpClient } = await importLibrary<typeof LibraryNode>("node/index")

const transports: Record<string, Layer.Layer<HttpClient.HttpClient>> = {
  lean: UndiciHttpClient.layer,
  undici: NodeHttpClient.layerUndici,
  node: NodeHttpClient.layer,
  fetch: FetchHttpClient.layer
}

const transportName = process.env.BENCH_TRANSPORT ?? "undici"
const transport = transports[transportName]
if (transport === undefined) throw new Error(`unknown BENCH_TRANSPORT ${transportName}`)

await runDriver(async ({ target }) => {
  const layer = library.AuthyService.layer({ apiKey: Redacted.make(target.apiKey), apiUrl: target.url }).pipe(
    Layer.provide(transport)
  )
  const runtime = await ManagedRuntime.make(layer).runtime()
  const programs = programsFor(library, target)
  return Object.fromEntries(
    Object.entries(programs).map(([operation, program]) => [operation, effectCall(Effect.suspend(program), runtime)])
  )
})
