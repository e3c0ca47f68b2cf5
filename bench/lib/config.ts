/**
 * What a run measures: the full benchmark (`npm run bench`) or the smoke run
 * (`BENCH_SMOKE=1`: tiny counts, the drivers that need nothing from bench/'s
 * own dependencies, the table written to bench/.work/ instead).
 */
import { join } from "node:path"
import type { DriverInput } from "../drivers/protocol.js"
import { benchDir } from "./processes.js"

export interface DriverSpec {
  /** Stable id, used in file names and the results. */
  readonly id: string
  /** What the table calls it. */
  readonly label: string
  /** The driver script, relative to the repo root. */
  readonly file: string
  readonly env?: Readonly<Record<string, string>>
  /** Needs the npm Authy clients installed in bench/node_modules. */
  readonly needsBenchDeps?: boolean
}

export const floorId = "floor"
export const bareId = "bare-effect"
/** effect-authy on the platform's undici client: the same transport as bare Effect. */
export const oursOnPlatformId = "authy-undici"
/** effect-authy on its own transport, the one the README recommends. */
export const oursLeanId = "authy-lean"

export const allDrivers: ReadonlyArray<DriverSpec> = [
  { id: floorId, label: "undici (floor)", file: "bench/drivers/undici-floor.ts" },
  { id: bareId, label: "bare Effect HttpClient (undici)", file: "bench/drivers/effect-bare.ts" },
  { id: oursLeanId, label: "effect-authy, UndiciHttpClient", file: "bench/drivers/effect-authy.ts", env: { BENCH_TRANSPORT: "lean" } },
  { id: oursOnPlatformId, label: "effect-authy, layerUndici", file: "bench/drivers/effect-authy.ts", env: { BENCH_TRANSPORT: "undici" } },
  { id: "authy-node", label: "effect-authy, NodeHttpClient.layer", file: "bench/drivers/effect-authy.ts", env: { BENCH_TRANSPORT: "node" } },
  { id: "authy-fetch", label: "effect-authy, FetchHttpClient", file: "bench/drivers/effect-authy.ts", env: { BENCH_TRANSPORT: "fetch" } },
  { id: "npm-authy", label: "npm authy 1.4.0", file: "bench/drivers/npm-authy.ts", needsBenchDeps: true },
  { id: "npm-authy-client", label: "npm authy-client 1.1.4", file: "bench/drivers/npm-authy-client.ts", needsBenchDeps: true }
]

/** The drivers run end to end against the emulator (its own cost dominates; the npm clients add nothing there). */
export const emulatorDriverIds: ReadonlyArray<string> = [floorId, bareId, oursLeanId, oursOnPlatformId]

/** What every driver is given (the cells and their timing), plus what the orchestrator does with them. */
export interface BenchConfig extends Omit<DriverInput, "target"> {
  readonly smoke: boolean
  /** Runs wanted; a run is not started when it would end past `driverBudgetMs`. */
  readonly runs: number
  /** Time for all driver runs, so that the whole bench stays under 10 minutes on a busy machine. */
  readonly driverBudgetMs: number
  readonly drivers: ReadonlyArray<DriverSpec>
  /** Paired rounds of the target cell (bench/paired.ts), each driver measuring one window per round. */
  readonly pairedRounds: number
  readonly pairedWarmupMs: number
  readonly pairedWindowMs: number
  readonly emulator: boolean
  readonly approvalWaits: number
  readonly importRuns: number
  readonly outFile: string
}

export const fullConfig: BenchConfig = {
  smoke: false,
  runs: 3,
  driverBudgetMs: 6 * 60_000,
  drivers: allDrivers,
  operations: ["verify", "status"],
  concurrencies: [1, 16, 64],
  firstWarmupMs: 600,
  warmupMs: 150,
  measureMs: 500,
  maxRequests: 50_000,
  pairedRounds: 9,
  pairedWarmupMs: 100,
  pairedWindowMs: 400,
  emulator: true,
  approvalWaits: 10_000,
  importRuns: 7,
  outFile: join(benchDir, "results.md")
}

export const smokeConfig: BenchConfig = {
  smoke: true,
  runs: 1,
  driverBudgetMs: 60_000,
  drivers: allDrivers.filter((d) => [floorId, oursLeanId, oursOnPlatformId].includes(d.id)),
  operations: ["verify"],
  concurrencies: [16],
  firstWarmupMs: 50,
  warmupMs: 20,
  measureMs: 100,
  maxRequests: 300,
  pairedRounds: 1,
  pairedWarmupMs: 20,
  pairedWindowMs: 100,
  emulator: false,
  approvalWaits: 100,
  importRuns: 1,
  outFile: process.env.BENCH_OUT ?? join(benchDir, ".work", "results-smoke.md")
}
