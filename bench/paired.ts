/**
 * Paired measurement of the target cells: every driver is started once and
 * kept warm, then, round after round, for each call in turn, every driver
 * measures one short window of that call, in slices the drivers take in
 * turns. The ratios of a round compare windows measured side by side, so a
 * noisy neighbour slows all of them alike, which separate runs (each driver
 * in its own minute) cannot promise. The order of the calls and of the
 * drivers turns from round to round, and from slice to slice.
 */
import type { CellResult, DriverInput, Operation } from "./drivers/protocol.js"
import { readyLine, type WindowCommand, windowPrefix } from "./drivers/protocol.js"
import type { DriverSpec } from "./lib/config.js"
import { type Conversation, startConversation } from "./lib/processes.js"
import { median, rotate } from "./lib/stats.js"

/** operation → driver id → one entry per round (undefined when that window failed). */
export type PairedRounds = Map<Operation, Map<string, Array<CellResult | undefined>>>

export interface PairedOutcome {
  readonly rounds: PairedRounds
  readonly failures: ReadonlyArray<string>
}

export const runPaired = async (options: {
  readonly drivers: ReadonlyArray<DriverSpec>
  readonly input: DriverInput
  readonly concurrency: number
  readonly rounds: number
  /** Each driver's window of a round, measured in this many turns (see `BenchConfig.slices`). */
  readonly slices: number
  readonly extraCa: string | undefined
  readonly label: string
  readonly log: (message: string) => void
}): Promise<PairedOutcome> => {
  const { concurrency, drivers, extraCa, input, label, log } = options
  const failures: Array<string> = []
  const rounds: PairedRounds = new Map(input.operations.map((op) => [op, new Map()]))
  const env = (driver: DriverSpec) => ({
    ...driver.env,
    BENCH_INPUT: JSON.stringify({ ...input, operations: input.operations.filter((op) => driver.only?.includes(op) ?? true) }),
    BENCH_PAIRED: "1",
    // Only driver processes trust the bench certificate.
    ...(extraCa === undefined ? {} : { NODE_EXTRA_CA_CERTS: extraCa })
  })
  log(`paired ${label}: starting ${drivers.length} drivers`)
  const started = await Promise.allSettled(drivers.map((d) => startConversation(d.file, env(d), readyLine, 120_000)))
  const alive: Array<readonly [DriverSpec, Conversation]> = []
  started.forEach((outcome, i) => {
    const driver = drivers[i]!
    if (outcome.status === "fulfilled") alive.push([driver, outcome.value])
    else failures.push(`${label} ${driver.label}: ${String(outcome.reason)}`)
  })
  const windowTimeoutMs = 30_000 + (input.warmupMs + input.measureMs) * 4
  try {
    // Round 0 only warms up: the drivers were started side by side, each
    // slowing the others' start, so their first windows are not comparable.
    for (let round = 0; round <= options.rounds; round++) {
      log(`paired ${label}: round ${round}/${options.rounds}`)
      for (const operation of rotate(input.operations, round)) {
        const slicesOf = new Map<string, Array<CellResult | undefined>>()
        for (let slice = 0; slice < options.slices; slice++) {
          for (const [driver, conversation] of rotate(alive, round + slice)) {
            if (driver.only !== undefined && !driver.only.includes(operation)) continue
            const command: WindowCommand = { operation, concurrency }
            const cell = await conversation.send(JSON.stringify(command), windowPrefix, windowTimeoutMs).then(
              (line) => JSON.parse(line) as CellResult | null,
              (error: unknown) => {
                failures.push(`${label} ${driver.label}, ${operation}, round ${round}: ${String(error)}`)
                return undefined
              }
            )
            if (cell === null) continue // a call this driver does not make
            if (!slicesOf.has(driver.id)) slicesOf.set(driver.id, [])
            slicesOf.get(driver.id)!.push(cell)
          }
        }
        if (round === 0) continue // the warm-up round
        const byDriver = rounds.get(operation)!
        for (const [id, slices] of slicesOf) {
          if (!byDriver.has(id)) byDriver.set(id, [])
          byDriver.get(id)!.push(joinSlices(slices))
        }
      }
    }
  } finally {
    for (const [, conversation] of alive) conversation.stop()
  }
  return { rounds, failures }
}

/**
 * One driver's window of a round from its slices: requests, time and CPU
 * summed; the latencies' p50 is the slices' median p50 and p99 their worst.
 * A failed slice fails the window.
 */
const joinSlices = (slices: ReadonlyArray<CellResult | undefined>): CellResult | undefined => {
  if (slices.length === 0 || slices.some((cell) => cell === undefined)) return undefined
  const cells = slices as ReadonlyArray<CellResult>
  const requests = cells.reduce((sum, cell) => sum + cell.requests, 0)
  const elapsedMs = cells.reduce((sum, cell) => sum + (cell.requests / cell.requestsPerSecond) * 1000, 0)
  const cpuMicros = cells.reduce((sum, cell) => sum + cell.cpuMicrosPerRequest * cell.requests, 0)
  return {
    operation: cells[0]!.operation,
    concurrency: cells[0]!.concurrency,
    requests,
    requestsPerSecond: (requests / elapsedMs) * 1000,
    cpuMicrosPerRequest: cpuMicros / requests,
    p50Ms: median(cells.map((cell) => cell.p50Ms)),
    p99Ms: Math.max(...cells.map((cell) => cell.p99Ms))
  }
}
