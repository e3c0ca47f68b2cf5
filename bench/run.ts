/**
 * The orchestrator: starts the HTTP and HTTPS stubs, measures the target
 * cells in paired rounds on each (bench/paired.ts), then the heap of pending
 * `awaitApproval` waits and the import time, and returns everything for the
 * report.
 */
import type { DriverInput } from "./drivers/protocol.js"
import { measureImportTimes } from "./import-time/measure.js"
import { makeCertificate } from "./lib/cert.js"
import { makeTempDir } from "./lib/cleanup.js"
import type { BenchConfig, DriverSpec } from "./lib/config.js"
import { describeMachine } from "./lib/machine.js"
import { runForResult } from "./lib/processes.js"
import { type Server, startStub } from "./lib/targets.js"
import { runPaired } from "./paired.js"
import type { HeapResult, Results } from "./report/results.js"

const started = performance.now()
const log = (message: string) =>
  process.stderr.write(`[bench] ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s  ${message}\n`)

const inputFor = (config: BenchConfig, server: Server): DriverInput => ({
  target: server.target,
  operations: config.operations,
  concurrencies: [config.concurrency],
  firstWarmupMs: config.firstWarmupMs,
  warmupMs: config.warmupMs,
  measureMs: config.windowMs / config.slices,
  maxRequests: config.maxRequests
})

const startServers = async (failures: Array<string>) => {
  const servers: Array<{ server: Server; ca?: string }> = []
  const tlsDir = makeTempDir("tls")
  servers.push({ server: await startStub() })
  const certificate = makeCertificate(tlsDir.path)
  if (certificate === undefined) failures.push("HTTPS skipped: openssl not found")
  else servers.push({ server: await startStub(certificate), ca: certificate.certFile })
  return { servers, tlsDir }
}

const measureHeap = async (config: BenchConfig, url: string): Promise<HeapResult | string> => {
  const outcome = await runForResult<HeapResult>("bench/drivers/await-approval.ts", {
    prefix: "HEAP ",
    env: { BENCH_URL: url, BENCH_WAITS: String(config.approvalWaits) },
    nodeArgs: ["--expose-gc"],
    timeoutMs: 180_000
  })
  return outcome.ok ? outcome.value : outcome.error
}

export const runBench = async (config: BenchConfig, drivers: ReadonlyArray<DriverSpec> = config.drivers): Promise<Results> => {
  const startedAt = performance.now()
  const failures: Array<string> = []
  const { servers, tlsDir } = await startServers(failures)
  const results: Results = {
    machine: describeMachine(),
    config,
    drivers,
    paired: new Map(),
    failures,
    notes: [],
    durationMs: () => performance.now() - startedAt
  }
  try {
    for (const { ca, server } of servers) {
      const paired = await runPaired({
        drivers,
        input: inputFor(config, server),
        concurrency: config.concurrency,
        rounds: config.rounds,
        slices: config.slices,
        extraCa: ca,
        label: server.name,
        log
      })
      results.paired.set(server.name, paired.rounds)
      failures.push(...paired.failures)
    }
    const http = servers[0]?.server
    if (http !== undefined) {
      log(`heap of ${config.approvalWaits} pending awaitApproval`)
      results.heap = await measureHeap(config, http.target.url)
    }
  } finally {
    for (const { server } of servers) server.stop()
    tlsDir.remove()
  }
  log("import time")
  try {
    results.imports = measureImportTimes(config.importRuns)
  } catch (error) {
    results.imports = String(error)
  }
  return results
}
