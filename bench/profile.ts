/**
 * `npm --prefix bench run profile [-- DRIVER [TRANSPORT [OPERATION]]]`: runs
 * one driver against the HTTP stub, profiles its measured loop (V8 profiler,
 * as `node --cpu-prof` would, but start-up excluded) and prints where its CPU
 * goes, by package and by function. The profile is kept in bench/.work/profiles/
 * (open it in Chrome DevTools or speedscope).
 */
import { mkdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { summarise } from "./lib/cpuProfile.js"
import { useBuiltLibrary } from "./lib/library.js"
import { benchDir, runForResult, startServer } from "./lib/processes.js"
import { allOperations, type DriverInput, type DriverResult, type Operation } from "./drivers/protocol.js"

const [driver = "effect-authy", transport = "undici", operation = "verify"] = process.argv.slice(2)
const dir = join(benchDir, ".work", "profiles")
const file = join(dir, `${driver}-${transport}-${operation}.cpuprofile`)
mkdirSync(dir, { recursive: true })
rmSync(file, { force: true })

useBuiltLibrary()
const server = await startServer("bench/servers/stub.ts", ["http"], /listening (\S+)/)
const input: DriverInput = {
  target: { url: server.url, apiKey: "bench-key", authyId: 1635, token: "1234567" },
  operations: [allOperations.includes(operation as Operation) ? operation as Operation : "verify"],
  concurrencies: [64],
  firstWarmupMs: 1000,
  warmupMs: 200,
  measureMs: 4000,
  maxRequests: 200_000
}
const outcome = await runForResult<DriverResult>(`bench/drivers/${driver}.ts`, {
  prefix: "RESULT ",
  env: { BENCH_INPUT: JSON.stringify(input), BENCH_TRANSPORT: transport, BENCH_CPU_PROFILE: file },
  timeoutMs: 60_000
})
server.stop()
if (!outcome.ok) throw new Error(outcome.error)
const cell = outcome.value.cells[0]
console.log(`${driver} (${transport}) ${operation} c=64: ${cell?.requestsPerSecond.toFixed(0)} req/s, ${cell?.cpuMicrosPerRequest.toFixed(0)} µs CPU/req`)
const summary = summarise(file)
const print = (title: string, entries: ReturnType<typeof summarise>["functions"]) => {
  console.log(`\n${title} (self time, whole process: ${summary.totalMs.toFixed(0)} ms busy)`)
  for (const e of entries) console.log(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(6)} ms  ${e.name}`)
}
print("By package", summary.buckets)
print("By function", summary.functions)
print("By innermost frame of our own code (inclusive)", summary.ownCode)
console.log(`\nProfile: ${file}`)
