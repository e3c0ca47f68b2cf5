/**
 * effect-authy's cost on a platform transport, next to a bare Effect
 * `HttpClient` call on the same transport (`NodeHttpClient.layerUndici`),
 * against the loopback stub (bench/servers/stub.ts, in its own process, so
 * that the CPU measured here is the client's only). Issue 16, target 2: every
 * endpoint ≤ 1.15× the bare call's CPU and ≥ 0.9× its throughput.
 *
 *   npx tsx bench/servers/stub.ts http        # prints `listening <url>`
 *   npx tsx bench/micro/platform-overhead.ts <url> [calls] [rounds]
 *
 * Two ways of running each call, at concurrency 64: 64 fibers each looping
 * the call (`fibers`), and one `runtime.runPromise` per call from 64 promise
 * loops (`promise`). The variants are measured in interleaved rounds; the
 * table gives the median and the minimum CPU µs per call, and the median of
 * calls per second, each also as a ratio to the bare call of the same mode.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted, Runtime } from "effect"
import type * as Library from "../../src/index.js"
import { programsFor } from "../drivers/programs.js"
import type { Operation, Target } from "../drivers/protocol.js"
import { wireRequest } from "../drivers/paths.js"
import { importLibrary, useBuiltLibrary } from "../lib/library.js"

useBuiltLibrary()
const library = await importLibrary<typeof Library>("index")
const { AuthyService } = library

const [url = "", callsArg, roundsArg] = process.argv.slice(2)
if (!url.startsWith("http")) throw new Error("usage: platform-overhead.ts <stub url> [calls] [rounds]")
const calls = Number(callsArg ?? 12_800)
const rounds = Number(roundsArg ?? 5)
const concurrency = 64

const target: Target = { url, apiKey: "bench-key", authyId: 1635, token: "1234567" }
const operations: ReadonlyArray<Operation> = ["verify", "create"]

// Two runtimes on the same transport layer, each with its own undici pool.
const bareRuntime = await ManagedRuntime.make(NodeHttpClient.layerUndici).runtime()
const authyRuntime = await ManagedRuntime.make(
  AuthyService.layer({ apiKey: Redacted.make(target.apiKey), apiUrl: url }).pipe(Layer.provide(NodeHttpClient.layerUndici))
).runtime()

const bareCall = (operation: Operation) => {
  const { body, method, path } = wireRequest(operation, target)
  const headers = { "x-authy-api-key": target.apiKey, accept: "application/json" }
  const request = method === "GET"
    ? HttpClientRequest.get(url + path, { headers })
    : HttpClientRequest.post(url + path, { headers }).pipe(HttpClientRequest.bodyText(body ?? "", "application/json"))
  return Effect.flatMap(HttpClient.HttpClient, (client) => Effect.flatMap(client.execute(request), (response) => response.text))
}

interface Variant {
  readonly label: string
  readonly runtime: Runtime.Runtime<never>
  readonly call: Effect.Effect<unknown, unknown, never>
}

const programs = programsFor(library, target)
const variants: Array<Variant> = operations.flatMap((operation) => [
  { label: `bare ${operation}`, runtime: bareRuntime as Runtime.Runtime<never>, call: bareCall(operation) as Effect.Effect<unknown, unknown, never> },
  {
    label: `authy ${operation}`,
    runtime: authyRuntime as Runtime.Runtime<never>,
    call: programs[operation]() as Effect.Effect<unknown, unknown, never>
  }
])

type Mode = "fibers" | "promise"

const runOnce = async (variant: Variant, mode: Mode, n: number): Promise<void> => {
  const perLoop = Math.ceil(n / concurrency)
  if (mode === "fibers") {
    const loop = Effect.forEach(Array.from({ length: concurrency }), () => Effect.repeatN(variant.call, perLoop - 1), {
      concurrency: "unbounded",
      discard: true
    })
    await Runtime.runPromise(variant.runtime)(loop)
  } else {
    const run = Runtime.runPromise(variant.runtime)
    await Promise.all(Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < perLoop; i++) await run(variant.call)
    }))
  }
}

const samples = new Map<string, Array<{ cpu: number; rate: number }>>()
const measure = async (variant: Variant, mode: Mode) => {
  const n = Math.ceil(calls / concurrency) * concurrency
  const cpu = process.cpuUsage()
  const started = performance.now()
  await runOnce(variant, mode, n)
  const used = process.cpuUsage(cpu)
  const wall = performance.now() - started
  const key = `${mode} ${variant.label}`
  const list = samples.get(key) ?? []
  list.push({ cpu: (used.user + used.system) / n, rate: n / wall * 1000 })
  samples.set(key, list)
}

const modes: ReadonlyArray<Mode> = ["fibers", "promise"]
for (const mode of modes) for (const variant of variants) await runOnce(variant, mode, 2_000) // warm-up
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) await measure(variant, mode)
  process.stderr.write(`round ${round + 1}/${rounds}\n`)
}

const median = (xs: Array<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const stats = (key: string) => {
  const list = samples.get(key) ?? []
  return {
    cpu: median(list.map((s) => s.cpu)),
    cpuMin: Math.min(...list.map((s) => s.cpu)),
    cpuMax: Math.max(...list.map((s) => s.cpu)),
    rate: median(list.map((s) => s.rate))
  }
}
console.log(`${calls} calls × ${rounds} rounds, c=${concurrency}; CPU µs/call median [min–max], calls/s median`)
for (const mode of modes) {
  for (const operation of operations) {
    const bare = stats(`${mode} bare ${operation}`)
    const authy = stats(`${mode} authy ${operation}`)
    const fmt = (s: typeof bare) => `${s.cpu.toFixed(1)} [${s.cpuMin.toFixed(1)}–${s.cpuMax.toFixed(1)}] µs ${s.rate.toFixed(0)}/s`
    console.log(
      `${mode.padEnd(7)} ${operation.padEnd(7)} bare ${fmt(bare)} | authy ${fmt(authy)} | ` +
        `CPU ×${(authy.cpu / bare.cpu).toFixed(2)} (min ×${(authy.cpuMin / bare.cpuMin).toFixed(2)}), rate ×${(authy.rate / bare.rate).toFixed(2)}`
    )
  }
}
process.exit(0)
