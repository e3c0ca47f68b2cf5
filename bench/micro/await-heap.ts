/**
 * Heap cost of many pending `OneTouch.awaitApproval` waits, in process: a stub
 * HttpClient answers Authy's real pending body (authy-api.md §2.15, created
 * now, expiring in a day) at once, N waits (default 10,000) are forked on one
 * service built once, each polls three times, and the heap after a full GC is
 * compared with the heap before. Needs --expose-gc.
 *
 *   node --expose-gc --import tsx bench/micro/await-heap.ts [waits] [--default] [--timeout] [--polls=3]
 *
 * By default each wait polls at 0, 0.25 and 0.5 s and then sleeps an hour, so
 * the heap is measured with every wait at rest (no request in flight), which
 * is what a wait costs between polls whatever its schedule. `--default` uses
 * the default schedule instead (polls at 0, 1, 2.5, 4.75 s...): measured after
 * `--polls` polls per wait (1 to 4), with other waits' requests in flight on a
 * slow machine. `--timeout` passes `timeout: "10 minutes"`, as the loopback
 * driver does. `HEAP_SNAPSHOT=/tmp/x` writes /tmp/x.before.heapsnapshot
 * and /tmp/x.after.heapsnapshot, to see what a wait holds.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Fiber, Layer, ManagedRuntime, Redacted, Runtime, Schedule } from "effect"
import { setTimeout as sleep } from "node:timers/promises"
import { writeHeapSnapshot } from "node:v8"
import { AuthyService, OneTouch, RetryPolicy } from "../../src/index.js"

const args = process.argv.slice(2)
const waits = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000)
const withTimeout = args.includes("--timeout")
const defaultSchedule = args.includes("--default")
const pollsPerWait = Number(args.find((a) => a.startsWith("--polls="))?.slice("--polls=".length) ?? 3)
const maxPolls = defaultSchedule ? 4 : 3
if (!(pollsPerWait >= 1 && pollsPerWait <= maxPolls)) {
  throw new Error(`--polls must be 1 to ${maxPolls} (${defaultSchedule ? "the 5th poll of the default schedule is 8 s in" : "then the waits sleep an hour"})`)
}

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")

const heapAfterGc = async (): Promise<number> => {
  for (let i = 0; i < 4; i++) {
    gc()
    await sleep(20)
  }
  return process.memoryUsage().heapUsed
}

/** Authy's pending answer, as in authy-api.md §2.15, but created now and pending. */
const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")
const bodyFor = (uuid: string) =>
  `{"approval_request":{"_app_name":"testhans","_app_serial_id":46113,"_authy_id":28894864,"_id":"589d12e07d558e6b91e9370a","_user_email":"hans+1@example.com","app_id":"58547f6f4014250a11c201f6","created_at":"${createdAt}","notified":false,"processed_at":null,"seconds_to_expire":86400,"status":"pending","updated_at":"${createdAt}","user_id":"5840a9328aa2fb674c485436","uuid":"${uuid}"},"success":true}`

let polls = 0
const stub = HttpClient.make((request, url) =>
  Effect.sync(() => {
    polls++
    const uuid = url.pathname.slice(url.pathname.lastIndexOf("/") + 1)
    return HttpClientResponse.fromWeb(
      request,
      new Response(bodyFor(uuid), { status: 200, headers: { "content-type": "application/json" } })
    )
  })
)

const managed = ManagedRuntime.make(
  AuthyService.layer({ apiKey: Redacted.make("bench-key"), apiUrl: "https://api.authy.test", retry: RetryPolicy.defaults })
    .pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, stub)))
)
const runtime = await managed.runtime()
const fork = Runtime.runFork(runtime)

const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`
/** Three polls close together, then a long sleep: every wait ends up at rest, with no request in flight. */
const atRest = Schedule.fromDelays("250 millis", "250 millis", "1 hour")
const options: OneTouch.AwaitApprovalOptions = {
  ...(defaultSchedule ? {} : { schedule: atRest }),
  ...(withTimeout ? { timeout: "10 minutes" } : {})
}
const wait = (i: number) => OneTouch.awaitApproval(uuid(i), options)

// Warm up the code paths (and the JIT) before the baseline.
{
  const warm = Array.from({ length: 200 }, (_, i) => fork(wait(1_000_000 + i)))
  await sleep(1500)
  await Runtime.runPromise(runtime)(Fiber.interruptAll(warm))
}

polls = 0
const before = await heapAfterGc()
const snapshots = process.env.HEAP_SNAPSHOT
if (snapshots !== undefined) {
  writeHeapSnapshot(`${snapshots}.before.heapsnapshot`)
  await heapAfterGc()
}
const started = performance.now()
const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
// In batches, each once the previous one has made its first poll: 10,000 first
// polls queued at once on a busy machine would take seconds to go out.
while (fibers.length < waits) {
  const batch = Math.min(1000, waits - fibers.length)
  for (let i = 0; i < batch; i++) fibers.push(fork(wait(fibers.length)))
  while (polls < fibers.length && performance.now() - started < 120_000) await sleep(5)
}
const target = waits * pollsPerWait
while (polls < target && performance.now() - started < 120_000) await sleep(5)
const settledMs = performance.now() - started
// A moment for the last polls to be decoded and their fibers to go to sleep.
await sleep(100)
const after = await heapAfterGc()
if (snapshots !== undefined) writeHeapSnapshot(`${snapshots}.after.heapsnapshot`)
const unsettled = fibers.filter((f) => f.unsafePoll() !== null).length

const growth = after - before
console.log(
  `${waits} waits (${defaultSchedule ? "default schedule" : "3 polls then at rest"}${withTimeout ? ", timeout" : ""}), ` +
    `${polls} polls in ${settledMs.toFixed(0)} ms${unsettled > 0 ? `, ${unsettled} ENDED (should be 0)` : ""}: ` +
    `heap +${(growth / 2 ** 20).toFixed(1)} MB, ${(growth / waits / 1024).toFixed(2)} KB/wait`
)
await Runtime.runPromise(runtime)(Fiber.interruptAll(fibers))
await managed.dispose()
