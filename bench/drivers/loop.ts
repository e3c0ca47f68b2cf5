/**
 * The measurement loop shared by every driver, so that all of them are timed
 * the same way: `concurrency` workers, each awaiting one call after another,
 * bounded by a request count and a deadline.
 */
import { Effect, Runtime } from "effect"
import { performance } from "node:perf_hooks"
import { createInterface } from "node:readline"
import { percentile } from "../lib/stats.js"
import { profiled } from "./profiler.js"
import {
  type CellResult,
  type Call,
  type Calls,
  type DriverInput,
  type DriverResult,
  type Operation,
  readyLine,
  resultPrefix,
  type WindowCommand,
  windowPrefix
} from "./protocol.js"

/** Runs up to `max` calls in `concurrency` workers until `deadlineMs`; records latencies when given an array. */
const runLoop = (
  call: Call,
  concurrency: number,
  durationMs: number,
  max: number,
  latencies?: Float64Array
): Promise<number> => {
  const deadline = performance.now() + durationMs
  let issued = 0
  const more = () => issued < max && performance.now() < deadline
  const record = (index: number, start: number) => {
    if (latencies !== undefined) latencies[index] = performance.now() - start
  }
  if (typeof call === "function") {
    const worker = async () => {
      while (more()) {
        const index = issued++
        const start = performance.now()
        await call()
        record(index, start)
      }
    }
    return Promise.all(Array.from({ length: concurrency }, worker)).then(() => issued)
  }
  // The same loop, each worker a fiber of the driver's runtime.
  const timed = Effect.suspend(() => {
    const index = issued++
    const start = performance.now()
    return Effect.map(call.program, () => record(index, start))
  })
  const worker = Effect.whileLoop({ while: more, body: () => timed, step: () => {} })
  const workers = Effect.forEach(Array.from({ length: concurrency }), () => worker, { concurrency: "unbounded", discard: true })
  return Runtime.runPromise(call.runtime)(workers).then(() => issued)
}

const measureCell = async (
  input: DriverInput,
  operation: Operation,
  call: Call,
  concurrency: number
): Promise<CellResult> => {
  await runLoop(call, concurrency, input.warmupMs, input.maxRequests)
  const latencies = new Float64Array(input.maxRequests)
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  const requests = await runLoop(call, concurrency, input.measureMs, input.maxRequests, latencies)
  const elapsedMs = performance.now() - start
  const cpu = process.cpuUsage(cpuBefore)
  const sorted = latencies.subarray(0, requests).sort()
  return {
    operation,
    concurrency,
    requests,
    requestsPerSecond: (requests / elapsedMs) * 1000,
    cpuMicrosPerRequest: (cpu.user + cpu.system) / requests,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99)
  }
}

/** Reads the input, times every cell, prints the result line and exits. */
export const runDriver = async (makeCalls: (input: DriverInput) => Promise<Calls>): Promise<void> => {
  const input = JSON.parse(process.env.BENCH_INPUT ?? "") as DriverInput
  const calls = await makeCalls(input)
  const made = input.operations.flatMap((operation) => {
    const call = calls[operation]
    return call === undefined ? [] : [[operation, call] as const]
  })
  for (const [, call] of made) await runLoop(call, 1, Infinity, 1) // fail fast, before any timing
  // Warm every call up: the JIT and the connection pool settle before the first window.
  for (const [, call] of made) await runLoop(call, 16, input.firstWarmupMs / Math.max(1, made.length), input.maxRequests)
  if (process.env.BENCH_PAIRED === "1") return serveWindows(input, calls)
  const cells = await profiled(async () => {
    const measured: Array<CellResult> = []
    for (const [operation, call] of made) {
      for (const concurrency of input.concurrencies) {
        measured.push(await measureCell(input, operation, call, concurrency))
      }
    }
    return measured
  })
  const result: DriverResult = { cells, peakRssMb: process.resourceUsage().maxRSS / 1024 }
  process.stdout.write(`${resultPrefix}${JSON.stringify(result)}\n`)
  // Keep-alive sockets and runtimes would keep the process up: the figures are out, so leave.
  process.exit(0)
}

/**
 * Paired mode: one measured window per command, until `exit` (see
 * protocol.ts). A call this driver does not make answers `WINDOW null`.
 */
const serveWindows = async (input: DriverInput, calls: Calls): Promise<void> => {
  process.stdout.write(`${readyLine}\n`)
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "exit") break
    const { concurrency, operation } = JSON.parse(line) as WindowCommand
    const call = calls[operation]
    const cell = call === undefined ? null : await measureCell(input, operation, call, concurrency)
    process.stdout.write(`${windowPrefix}${JSON.stringify(cell)}\n`)
  }
  process.exit(0)
}
