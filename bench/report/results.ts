/**
 * Everything a run measured, as collected by the orchestrator, and the
 * medians and per-run ratios the report is made of.
 */
import type { CellResult, DriverResult, Operation } from "../drivers/protocol.js"
import type { DriverSpec } from "../lib/config.js"
import type { Machine } from "../lib/machine.js"
import { median } from "../lib/stats.js"
import type { ImportTimes } from "../import-time/measure.js"

export interface HeapResult {
  readonly waits: number
  readonly polls: number
  readonly settledMs: number
  readonly heapBeforeMb: number
  readonly heapAfterMb: number
}

export interface Results {
  readonly machine: Machine
  readonly smoke: boolean
  /** Runs done (fewer than wanted when the time budget ran out). */
  runs: number
  readonly drivers: ReadonlyArray<DriverSpec>
  readonly servers: ReadonlyArray<string>
  /** The targets are read at the highest concurrency measured (64 in a full run). */
  readonly targetConcurrency: number
  /** server → driver id → one entry per run (undefined when that run failed). */
  readonly byServer: Map<string, Map<string, Array<DriverResult | undefined>>>
  /** The paired rounds of the target cell (bench/paired.ts): server → driver id → one entry per round. */
  readonly paired: Map<string, Map<string, Array<DriverResult | undefined>>>
  readonly pairedRounds: number
  readonly failures: Array<string>
  /** Things a reader should know about this run that are not failures. */
  readonly notes: Array<string>
  heap?: HeapResult | string
  imports?: ImportTimes | string
  readonly durationMs: () => number
}

export type Figure = "requestsPerSecond" | "cpuMicrosPerRequest" | "p50Ms" | "p99Ms"

export interface CellRef {
  readonly server: string
  readonly operation: Operation
  readonly concurrency: number
}

const cellOf = (result: DriverResult | undefined, ref: CellRef): CellResult | undefined =>
  result?.cells.find((c) => c.operation === ref.operation && c.concurrency === ref.concurrency)

const runsOf = (results: Results, server: string, driverId: string) =>
  results.byServer.get(server)?.get(driverId) ?? []

/** The median over runs of one figure of one driver. */
export const medianFigure = (results: Results, driverId: string, ref: CellRef, figure: Figure): number =>
  median(runsOf(results, ref.server, driverId).flatMap((r) => {
    const cell = cellOf(r, ref)
    return cell === undefined ? [] : [cell[figure]]
  }))

/**
 * The median over runs of `driver / reference`, each ratio taken within one
 * run: drivers of one run ran back to back, so the ratio cancels most of the
 * drift of a shared machine. `reference` may name several drivers: the best
 * (highest) of them is used.
 */
export const medianRatio = (
  results: Results,
  driverId: string,
  referenceIds: ReadonlyArray<string>,
  ref: CellRef,
  figure: Figure
): number => {
  const ours = runsOf(results, ref.server, driverId)
  return median(ours.flatMap((result, run) => {
    const value = cellOf(result, ref)?.[figure]
    const references = referenceIds.flatMap((id) => {
      const cell = cellOf(runsOf(results, ref.server, id)[run], ref)
      return cell === undefined ? [] : [cell[figure]]
    })
    if (value === undefined || references.length === 0) return []
    return [value / Math.max(...references)]
  }))
}

export const medianRss = (results: Results, server: string, driverId: string): number =>
  median(runsOf(results, server, driverId).flatMap((r) => (r === undefined ? [] : [r.peakRssMb])))

/** The paired rounds seen as runs: every median and ratio above then reads them. */
export const pairedView = (results: Results): Results => ({
  ...results,
  servers: [...results.paired.keys()],
  byServer: results.paired
})
