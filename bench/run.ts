/**
 * The orchestrator: starts the servers, runs every driver against each one,
 * the drivers alternating from run to run, then the heap and import-time
 * measurements, and returns everything for the report.
 */
import type { DriverInput, DriverResult } from "./drivers/protocol.js"
import { resultPrefix } from "./drivers/protocol.js"
import { measureImportTimes } from "./import-time/measure.js"
import { makeCertificate } from "./lib/cert.js"
import { type BenchConfig, type DriverSpec, emulatorDriverIds } from "./lib/config.js"
import { describeMachine } from "./lib/machine.js"
import { makeTempDir } from "./lib/cleanup.js"
import { runForResult } from "./lib/processes.js"
import { rotate } from "./lib/stats.js"
import { runPaired } from "./paired.js"
import { type Server, startEmulator, startStub } from "./lib/targets.js"
import type { HeapResult, Results } from "./report/results.js"

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`)

const driverTimeoutMs = (config: BenchConfig, input: DriverInput) =>
  60_000 + input.operations.length * input.concurrencies.length * (config.warmupMs + config.measureMs) * 3

const runDriver = async (
  config: BenchConfig,
  driver: DriverSpec,
  input: DriverInput,
  extraCa: string | undefined
): Promise<DriverResult | string> => {
  const outcome = await runForResult<DriverResult>(driver.file, {
    prefix: resultPrefix,
    env: {
      ...driver.env,
      BENCH_INPUT: JSON.stringify(input),
      // Only driver processes trust the bench certificate.
      ...(extraCa === undefined ? {} : { NODE_EXTRA_CA_CERTS: extraCa })
    },
    timeoutMs: driverTimeoutMs(config, input)
  })
  return outcome.ok ? outcome.value : outcome.error
}

const inputFor = (config: BenchConfig, server: Server): DriverInput => ({
  target: server.target,
  // The emulator has no valid token to offer; status alone measures it end to end.
  operations: server.name === "emulator" ? ["status"] : config.operations,
  concurrencies: config.concurrencies,
  firstWarmupMs: config.firstWarmupMs,
  warmupMs: config.warmupMs,
  measureMs: config.measureMs,
  maxRequests: config.maxRequests
})

const startServers = async (config: BenchConfig, failures: Array<string>) => {
  const servers: Array<{ server: Server; drivers: ReadonlyArray<DriverSpec>; ca?: string }> = []
  const tlsDir = makeTempDir("tls")
  servers.push({ server: await startStub(), drivers: config.drivers })
  const certificate = makeCertificate(tlsDir.path)
  if (certificate === undefined) failures.push("HTTPS skipped: openssl not found")
  else servers.push({ server: await startStub(certificate), drivers: config.drivers, ca: certificate.certFile })
  if (config.emulator) {
    try {
      servers.push({ server: await startEmulator(), drivers: config.drivers.filter((d) => emulatorDriverIds.includes(d.id)) })
    } catch (error) {
      failures.push(`emulator skipped: ${String(error).split("\n")[0]}`)
    }
  }
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

export const runBench = async (config: BenchConfig): Promise<Results> => {
  const startedAt = performance.now()
  const failures: Array<string> = []
  const { servers, tlsDir } = await startServers(config, failures)
  const results: Results = {
    machine: describeMachine(),
    smoke: config.smoke,
    runs: 0,
    drivers: config.drivers,
    servers: servers.map((s) => s.server.name),
    targetConcurrency: Math.max(...config.concurrencies),
    byServer: new Map(servers.map((s) => [s.server.name, new Map(s.drivers.map((d) => [d.id, []]))])),
    paired: new Map(),
    pairedRounds: config.pairedRounds,
    failures,
    notes: [],
    durationMs: () => performance.now() - startedAt
  }
  try {
    for (let run = 0; run < config.runs; run++) {
      const runStart = performance.now()
      for (const { server, drivers, ca } of servers) {
        for (const driver of rotate(drivers, run)) {
          log(`run ${run + 1}/${config.runs} ${server.name} ${driver.label}`)
          const result = await runDriver(config, driver, inputFor(config, server), ca)
          const runs = results.byServer.get(server.name)?.get(driver.id)
          if (typeof result === "string") failures.push(`${server.name} ${driver.label}, run ${run + 1}: ${result}`)
          runs?.push(typeof result === "string" ? undefined : result)
        }
      }
      results.runs = run + 1
      const runMs = performance.now() - runStart
      if (run + 1 < config.runs && results.durationMs() + runMs > config.driverBudgetMs) {
        results.notes.push(`Only ${run + 1} of ${config.runs} runs: another would pass the time budget (a run took ${(runMs / 1000).toFixed(0)} s)`)
        break
      }
    }
    for (const { server, drivers, ca } of servers.filter((s) => s.server.name !== "emulator")) {
      const input = { ...inputFor(config, server), warmupMs: config.pairedWarmupMs, measureMs: config.pairedWindowMs }
      const paired = await runPaired({
        drivers,
        input,
        command: { operation: "verify", concurrency: results.targetConcurrency },
        rounds: config.pairedRounds,
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
