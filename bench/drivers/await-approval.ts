/**
 * Heap cost of many pending `OneTouch.awaitApproval` waits: starts
 * `BENCH_WAITS` of them against the stub (which answers "pending" forever),
 * waits until each has polled once and is sleeping until its next poll, and
 * compares the heap after a full GC with the heap before. Needs --expose-gc.
 *
 * The schedule polls once a minute, so that the measurement sees waits at
 * rest rather than a burst of in-flight requests; a waiting fiber holds the
 * same state whatever its schedule. Waits start in batches of 500, each batch
 * once the previous one has polled: 10,000 first polls queued at once on a
 * busy machine would outlast the 10-second attempt timeout and turn into
 * retries.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { Effect, Fiber, Layer, ManagedRuntime, Redacted, Runtime, Schedule } from "effect"
import { setTimeout as sleep } from "node:timers/promises"
import type * as Library from "../../src/index.js"
import type * as LibraryNode from "../../src/node/index.js"
import { importLibrary } from "../lib/library.js"

const { AuthyService, OneTouch } = await importLibrary<typeof Library>("index")
const { UndiciHttpClient } = await importLibrary<typeof LibraryNode>("node/index")

const url = process.env.BENCH_URL ?? ""
const waits = Number(process.env.BENCH_WAITS ?? "10000")
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")

const heapAfterGc = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) {
    gc()
    await sleep(20)
  }
  return process.memoryUsage().heapUsed
}

let polls = 0
// The README's default layer, as an application would write it: the
// connection cap is `UndiciHttpClient.layer`'s own default, nothing tuned here.
const layer = AuthyService.layer({
  apiKey: Redacted.make("bench-key"),
  apiUrl: url,
  transformClient: HttpClient.tap(() => Effect.sync(() => polls++))
}).pipe(Layer.provide(UndiciHttpClient.layer))
const runtime = await ManagedRuntime.make(layer).runtime()

const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`
const wait = (i: number) => OneTouch.awaitApproval(uuid(i), { schedule: Schedule.spaced("1 minute"), timeout: "10 minutes" })

// Warm up the code paths and the connection pool before the baseline.
await Runtime.runPromise(runtime)(Effect.forEach([1, 2, 3], (i) => Effect.fork(wait(i))).pipe(
  Effect.tap(() => Effect.promise(() => sleep(200))),
  Effect.flatMap(Fiber.interruptAll)
))
polls = 0
const before = await heapAfterGc()
const started = performance.now()
const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
while (fibers.length < waits && performance.now() - started < 120_000) {
  const batch = Math.min(500, waits - fibers.length)
  for (let i = 0; i < batch; i++) fibers.push(Runtime.runFork(runtime)(wait(fibers.length)))
  while (polls < fibers.length && performance.now() - started < 120_000) await sleep(10)
}
const settledMs = performance.now() - started
const after = await heapAfterGc()
const result = { waits: fibers.length, polls, settledMs, heapBeforeMb: before / 2 ** 20, heapAfterMb: after / 2 ** 20 }
process.stdout.write(`HEAP ${JSON.stringify(result)}\n`)
void fibers
process.exit(0)
