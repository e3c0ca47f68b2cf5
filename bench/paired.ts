/**
 * Paired measurement of the target cell (`Tokens.verify` at the highest
 * concurrency): every driver is started once and kept warm, then they take
 * turns measuring short windows, round after round. Each round's ratios
 * compare windows a few seconds apart, so a noisy neighbour slows all of them
 * alike, which the main runs (a driver's cells back to back, each driver in
 * its own minute) cannot promise. The targets are read from these rounds.
 */
import type { DriverInput, DriverResult } from "./drivers/protocol.js"
import { type CellResult, readyLine, type WindowCommand, windowPrefix } from "./drivers/protocol.js"
import type { DriverSpec } from "./lib/config.js"
import { type Conversation, startConversation } from "./lib/processes.js"
import { rotate } from "./lib/stats.js"

export interface PairedOutcome {
  /** driver id → one entry per round (undefined when that window failed). */
  readonly rounds: Map<string, Array<DriverResult | undefined>>
  readonly failures: ReadonlyArray<string>
}

export const runPaired = async (options: {
  readonly drivers: ReadonlyArray<DriverSpec>
  readonly input: DriverInput
  readonly command: WindowCommand
  readonly rounds: number
  readonly extraCa: string | undefined
  readonly label: string
  readonly log: (message: string) => void
}): Promise<PairedOutcome> => {
  const { command, drivers, extraCa, input, label, log } = options
  const failures: Array<string> = []
  const rounds = new Map(drivers.map((d) => [d.id, [] as Array<DriverResult | undefined>]))
  const env = (driver: DriverSpec) => ({
    ...driver.env,
    BENCH_INPUT: JSON.stringify(input),
    BENCH_PAIRED: "1",
    ...(extraCa === undefined ? {} : { NODE_EXTRA_CA_CERTS: extraCa })
  })
  log(`paired ${label}: starting ${drivers.length} drivers`)
  const started = await Promise.allSettled(drivers.map((d) => startConversation(d.file, env(d), readyLine, 120_000)))
  const alive: Array<readonly [DriverSpec, Conversation]> = []
  started.forEach((outcome, i) => {
    const driver = drivers[i]!
    if (outcome.status === "fulfilled") alive.push([driver, outcome.value])
    else failures.push(`paired ${label} ${driver.label}: ${String(outcome.reason)}`)
  })
  const windowTimeoutMs = 30_000 + (input.warmupMs + input.measureMs) * 4
  try {
    // Round 0 only warms up: the drivers were started side by side, each
    // slowing the others' start, so their first windows are not comparable.
    for (let round = 0; round <= options.rounds; round++) {
      log(`paired ${label}: round ${round}/${options.rounds}`)
      for (const [driver, conversation] of rotate(alive, round)) {
        const cell = await conversation.send(JSON.stringify(command), windowPrefix, windowTimeoutMs).then(
          (line) => JSON.parse(line) as CellResult,
          (error: unknown) => {
            failures.push(`paired ${label} ${driver.label}, round ${round}: ${String(error)}`)
            return undefined
          }
        )
        if (round > 0) rounds.get(driver.id)?.push(cell === undefined ? undefined : { cells: [cell], peakRssMb: Number.NaN })
      }
    }
  } finally {
    for (const [, conversation] of alive) conversation.stop()
  }
  return { rounds, failures }
}
