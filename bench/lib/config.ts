/**
 * What a run measures: the full benchmark (`npm run bench`), the spot check
 * (`npm run bench -- --quick`: the same cells, fewer and shorter rounds) or
 * the smoke run (`BENCH_SMOKE=1`: tiny counts, the drivers that need nothing
 * from bench/'s own dependencies, the table written to bench/.work/ instead).
 */
import { join } from "node:path"
import { allOperations, type Operation } from "../drivers/protocol.js"
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
  /** Measured on these calls only (default: every call it makes). */
  readonly only?: ReadonlyArray<Operation>
}

export const floorId = "floor"
export const bareId = "bare-effect"
/** effect-authy on the platform's undici client: the same transport as bare Effect. */
export const oursOnPlatformId = "authy-undici"
/** effect-authy on its own transport, the one the README recommends. */
export const oursLeanId = "authy-lean"
export const npmIds: ReadonlyArray<string> = ["npm-authy", "npm-authy-client"]

export const allDrivers: ReadonlyArray<DriverSpec> = [
  { id: floorId, label: "undici (floor)", file: "bench/drivers/undici-floor.ts" },
  { id: bareId, label: "bare Effect HttpClient (undici)", file: "bench/drivers/effect-bare.ts" },
  { id: oursLeanId, label: "effect-authy, UndiciHttpClient", file: "bench/drivers/effect-authy.ts", env: { BENCH_TRANSPORT: "lean" } },
  { id: oursOnPlatformId, label: "effect-authy, layerUndici", file: "bench/drivers/effect-authy.ts", env: { BENCH_TRANSPORT: "undici" } },
  // No target is set on these two: they are measured on one call, for the README's transport advice.
  { id: "authy-node", label: "effect-authy, NodeHttpClient.layer", file: "bench/drivers/effect-authy.ts", env: { BENCH_TRANSPORT: "node" }, only: ["verify"] },
  { id: "authy-fetch", label: "effect-authy, FetchHttpClient", file: "bench/drivers/effect-authy.ts", env: { BENCH_TRANSPORT: "fetch" }, only: ["verify"] },
  { id: "npm-authy", label: "npm authy 1.4.0", file: "bench/drivers/npm-authy.ts", needsBenchDeps: true },
  { id: "npm-authy-client", label: "npm authy-client 1.1.4", file: "bench/drivers/npm-authy-client.ts", needsBenchDeps: true }
]

export interface BenchConfig {
  /** What the report's title says the run was. */
  readonly kind: "full" | "quick" | "smoke"
  readonly drivers: ReadonlyArray<DriverSpec>
  readonly operations: ReadonlyArray<Operation>
  /** Every cell is measured at this concurrency. */
  readonly concurrency: number
  /** Measured rounds, after one discarded warm-up round. */
  readonly rounds: number
  /** Warm-up of every call when a driver starts, shared among its calls. */
  readonly firstWarmupMs: number
  /** Warm-up before every slice of a window, not measured. */
  readonly warmupMs: number
  /** The measured time of one driver's call in one round. */
  readonly windowMs: number
  /**
   * A round's window is measured in this many slices, the drivers taking
   * turns slice after slice: a burst of a noisy neighbour then falls on the
   * slices of every driver alike instead of on one driver's whole window.
   */
  readonly slices: number
  readonly maxRequests: number
  readonly approvalWaits: number
  readonly importRuns: number
  /** Run the emulator's own bench (bench/emulator/run.ts) after the client's. */
  readonly emulator: boolean
  readonly outFile: string
}

export const fullConfig: BenchConfig = {
  kind: "full",
  drivers: allDrivers,
  operations: allOperations,
  concurrency: 64,
  rounds: 6,
  firstWarmupMs: 1500,
  warmupMs: 50,
  // Long enough that a collection or a scheduler hiccup is a small part of a window.
  windowMs: 800,
  slices: 4,
  maxRequests: 50_000,
  approvalWaits: 10_000,
  importRuns: 7,
  emulator: true,
  outFile: join(benchDir, "results.md")
}

/** `--quick`: every target cell, in 3 rounds of short windows: a spot check, not the figures to publish. */
export const quickConfig: BenchConfig = {
  ...fullConfig,
  kind: "quick",
  drivers: allDrivers.filter((d) => d.only === undefined),
  rounds: 3,
  firstWarmupMs: 400,
  warmupMs: 30,
  windowMs: 100,
  slices: 1,
  // The figure judged is per wait: 2,000 waits show it, in a fifth of the time.
  approvalWaits: 2_000,
  importRuns: 3,
  outFile: join(benchDir, ".work", "results-quick.md")
}

export const smokeConfig: BenchConfig = {
  kind: "smoke",
  drivers: allDrivers.filter((d) => [floorId, oursLeanId, oursOnPlatformId].includes(d.id)),
  operations: ["verify", "create"],
  concurrency: 16,
  rounds: 1,
  firstWarmupMs: 50,
  warmupMs: 20,
  windowMs: 100,
  slices: 2,
  maxRequests: 300,
  approvalWaits: 100,
  importRuns: 1,
  emulator: false,
  outFile: process.env.BENCH_OUT ?? join(benchDir, ".work", "results-smoke.md")
}
