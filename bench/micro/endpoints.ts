/**
 * effect-authy's own cost per call, per endpoint, without a network: its
 * `UndiciHttpClient` on an in-process dispatcher that answers the stub's body
 * on the next microtask. What is left is effect-authy and Effect's runtime;
 * the "floor" line is the same dispatcher driven by hand (a promise and
 * `JSON.parse`), as raw undici's `request` would. CPU microseconds per call,
 * at concurrency 64: 64 promise loops for the floor, 64 fibers of one runtime
 * for effect-authy (as bench/drivers/loop.ts runs them).
 *
 *   npx tsx bench/micro/endpoints.ts [calls] [operation...] [--rounds=5] [--profile=FILE]
 *
 * Each figure is the lowest of the rounds.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Undici from "@effect/platform-node/Undici"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import type * as Library from "../../src/index.js"
import type * as LibraryNode from "../../src/node/index.js"
import { importLibrary, useBuiltLibrary } from "../lib/library.js"
import { checkAnswer, wireRequest } from "../drivers/paths.js"
import { programsFor } from "../drivers/programs.js"
import { allOperations, type Operation, type Target } from "../drivers/protocol.js"
import { answer } from "../servers/bodies.js"

const args = process.argv.slice(2)
const calls = Number(args.find((a) => /^\d+$/.test(a)) ?? 20_000)
const profileFile = args.find((a) => a.startsWith("--profile="))?.slice("--profile=".length)
const chosen = args.filter((a) => allOperations.includes(a as Operation)) as Array<Operation>
const operations = chosen.length === 0 ? allOperations : chosen

const headers = { "content-type": "application/json; charset=utf-8" }
const controller = { abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null }

/** Answers every request on the next microtask, as a socket would on a later tick. */
const dispatcher = {
  dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler) {
    queueMicrotask(() => {
      const [status, body] = answer(options.method, options.path)
      handler.onRequestStart?.(controller as never, {})
      handler.onResponseStart?.(controller as never, status, headers, "OK")
      handler.onResponseData?.(controller as never, body)
      handler.onResponseEnd?.(controller as never, {})
    })
    return true
  }
} as unknown as Undici.Dispatcher

const target: Target = { url: "http://127.0.0.1:1", apiKey: "bench-key", authyId: 1635, token: "1234567" }

const floor = (operation: Operation) => {
  const { method, path } = wireRequest(operation, target)
  return () =>
    new Promise<void>((resolve) => {
      const chunks: Array<Buffer> = []
      dispatcher.dispatch({ origin: target.url, path, method, headers: {} }, {
        onResponseData: (_c: unknown, chunk: Buffer) => void chunks.push(chunk),
        onResponseEnd: () => resolve(checkAnswer(operation, JSON.parse(Buffer.concat(chunks).toString("utf8"))))
      } as never)
    })
}

useBuiltLibrary()
const library = await importLibrary<typeof Library>("index")
const { UndiciHttpClient } = await importLibrary<typeof LibraryNode>("node/index")
const runtime = ManagedRuntime.make(
  library.AuthyService.layer({ apiKey: Redacted.make(target.apiKey), apiUrl: target.url }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, UndiciHttpClient.make(dispatcher)))
  )
)
const programs = programsFor(library, target)

const loop = async (call: () => Promise<unknown>) => {
  let issued = 0
  const worker = async () => {
    while (issued++ < calls) await call()
  }
  await Promise.all(Array.from({ length: 64 }, worker))
}

const measure = async (call: () => Promise<unknown>): Promise<number> => {
  await loop(call)
  const cpu = process.cpuUsage()
  await loop(call)
  const used = process.cpuUsage(cpu)
  return (used.user + used.system) / calls
}

/** The same loop, the workers being fibers of the runtime, as an Effect application's calls are. */
const measureFibers = async (program: Effect.Effect<unknown, unknown, Library.AuthyService>): Promise<number> => {
  let issued = 0
  const worker = Effect.whileLoop({ while: () => issued++ < calls, body: () => program, step: () => {} })
  const loop = Effect.forEach(Array.from({ length: 64 }), () => worker, { concurrency: "unbounded", discard: true })
  await runtime.runPromise(loop)
  issued = 0
  const cpu = process.cpuUsage()
  await runtime.runPromise(loop)
  const used = process.cpuUsage(cpu)
  issued = 0
  return (used.user + used.system) / calls
}

const rounds = Number(args.find((a) => a.startsWith("--rounds="))?.slice("--rounds=".length) ?? 5)
const best = new Map<Operation, { floor: number; ours: number }>()
const session = profileFile === undefined ? undefined : new Session()
// The lowest of several rounds: on a shared machine, other work only ever adds.
for (let round = 0; round < rounds; round++) {
  if (round === 1 && session !== undefined) {
    session.connect()
    await session.post("Profiler.enable")
    await session.post("Profiler.start")
  }
  for (const operation of operations) {
    const program = programs[operation]
    const floorMicros = await measure(floor(operation))
    const oursMicros = await measureFibers(Effect.suspend(program))
    const previous = best.get(operation)
    best.set(operation, {
      floor: Math.min(previous?.floor ?? Infinity, floorMicros),
      ours: Math.min(previous?.ours ?? Infinity, oursMicros)
    })
  }
}
for (const [operation, { floor, ours }] of best) {
  console.log(`${operation.padEnd(16)} floor ${floor.toFixed(1).padStart(6)} µs  effect-authy ${ours.toFixed(1).padStart(6)} µs  (+${(ours - floor).toFixed(1)} µs)`)
}
if (session !== undefined && profileFile !== undefined) {
  const { profile } = await session.post("Profiler.stop")
  writeFileSync(profileFile, JSON.stringify(profile))
}
await runtime.dispose()
