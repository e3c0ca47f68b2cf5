/**
 * Everything a run measured, as collected by the orchestrator, and the
 * per-round ratios and spreads the report is made of.
 */
import type { CellResult, Operation } from "../drivers/protocol.js"
import type { BenchConfig, DriverSpec } from "../lib/config.js"
import type { Machine } from "../lib/machine.js"
import { median } from "../lib/stats.js"
import type { ImportTimes } from "../import-time/measure.js"
import type { PairedRounds } from "../paired.js"

export interface HeapResult {
  readonly waits: number
  readonly polls: number
  readonly settledMs: number
  readonly heapBeforeMb: number
  readonly heapAfterMb: number
}

export interface Results {
  readonly machine: Machine
  readonly config: BenchConfig
  readonly drivers: ReadonlyArray<DriverSpec>
  /** server → operation → driver id → one entry per round. */
  readonly paired: Map<string, PairedRounds>
  readonly failures: Array<string>
  /** Things a reader should know about this run that are not failures. */
  readonly notes: Array<string>
  heap?: HeapResult | string
  imports?: ImportTimes | string
  readonly durationMs: () => number
}

export type Figure = "requestsPerSecond" | "cpuMicrosPerRequest" | "p50Ms" | "p99Ms"

/** The median and the whole range of a figure over the rounds. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly rounds: number
}

export const spreadOf = (values: ReadonlyArray<number>): Spread => {
  const finite = values.filter(Number.isFinite)
  return finite.length === 0
    ? { median: Number.NaN, min: Number.NaN, max: Number.NaN, rounds: 0 }
    : { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), rounds: finite.length }
}

const roundsOf = (results: Results, server: string, operation: Operation, driverId: string) =>
  results.paired.get(server)?.get(operation)?.get(driverId) ?? []

/** One figure of one driver over the rounds. */
export const figureSpread = (results: Results, server: string, operation: Operation, driverId: string, figure: Figure): Spread =>
  spreadOf(roundsOf(results, server, operation, driverId).map((cell) => cell?.[figure] ?? Number.NaN))

/**
 * `driver / reference` in each round, over the rounds: the windows of one
 * round ran seconds apart, so the ratio cancels most of the drift of a shared
 * machine. `referenceIds` may name several drivers: the best of them in that
 * round is used (the highest throughput, the lowest CPU).
 */
export const ratioSpread = (
  results: Results,
  server: string,
  operation: Operation,
  driverId: string,
  referenceIds: ReadonlyArray<string>,
  figure: Figure
): Spread => {
  const ours = roundsOf(results, server, operation, driverId)
  return spreadOf(ours.map((cell, round) => {
    const references = referenceIds.flatMap((id) => {
      const value = roundsOf(results, server, operation, id)[round]?.[figure]
      return value === undefined ? [] : [value]
    })
    if (cell === undefined || references.length === 0) return Number.NaN
    const best = figure === "requestsPerSecond" ? Math.max(...references) : Math.min(...references)
    return cell[figure] / best
  }))
}

export type { CellResult }
