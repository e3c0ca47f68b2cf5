/**
 * The emulator benchmark: the emulator in its own process against a minimal
 * `node:http` server in its own process answering the emulator's own bodies
 * (byte for byte) to the same requests, both loaded by a driver process
 * (undici, keep-alive, concurrency 64). Rounds interleave the two servers
 * (their order alternates from round to round), and every ratio is taken
 * within one round, so that a machine shared with other work slows both
 * sides of a ratio alike. A target is held only when its whole spread (the
 * worst round) clears it. Also measures the heap per stored user.
 *
 * `npx tsx bench/emulator/run.ts [--quick]` prints the markdown section.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { makeTempDir } from "../lib/cleanup.js"
import { useBuiltLibrary } from "../lib/library.js"
import { describeMachine, type Machine } from "../lib/machine.js"
import { runForResult, startServer } from "../lib/processes.js"
import { median } from "../lib/stats.js"
import { type Cell, prepareCells, record, resultPrefix } from "./cells.js"
import type { LoadInput, LoadResult } from "./load.js"
import type { MemoryResult } from "./memory.js"

/** The goals of issue 16, target 4. */
export const goals = { throughputRatio: 0.5, bytesPerUser: 1.5 * 1024 } as const

export interface Options {
  /** A spot check: fewer rounds and requests (about a minute). */
  readonly quick: boolean
}

/** The spread of a figure over the rounds. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
}

export interface Row {
  readonly cell: string
  /** Emulator requests per second (median of the rounds). */
  readonly emulatorRps: number
  /** Baseline requests per second (median of the rounds). */
  readonly baselineRps: number
  /** Emulator ÷ baseline throughput, within each round. */
  readonly throughputRatio: Spread
  /** Emulator ÷ baseline server CPU per request, within each round. */
  readonly cpuRatio: Spread
  /** Emulator server CPU per request, µs (median). */
  readonly emulatorCpuMicros: number
  readonly baselineCpuMicros: number
}

export interface Verdict {
  readonly target: string
  readonly goal: string
  readonly measured: string
  readonly held: boolean
}

export interface EmulatorBenchResult {
  readonly machine: Machine
  readonly settings: { readonly rounds: number; readonly requests: number; readonly warmupRequests: number; readonly concurrency: number }
  readonly rows: ReadonlyArray<Row>
  readonly memory: MemoryResult | { readonly error: string }
  readonly verdicts: ReadonlyArray<Verdict>
  readonly failures: ReadonlyArray<string>
}

interface Running {
  readonly url: string
  readonly pid: number
  readonly stop: () => void
}

/** Servers announce `listening <url> pid <pid>`; the URL and the pid are read from it. */
const start = async (file: string, args: ReadonlyArray<string>): Promise<Running> => {
  const server = await startServer(file, args, /listening (\S+ pid \d+)/)
  const [url, , pid] = server.url.split(" ")
  return { url: url!, pid: Number(pid), stop: server.stop }
}

const concurrency = 64

const settingsOf = (options: Options) =>
  options.quick
    ? { rounds: 3, requests: 3_000, warmupRequests: 1_000, concurrency }
    : { rounds: 5, requests: 20_000, warmupRequests: 5_000, concurrency }

const load = async (server: Running, cell: Cell, settings: ReturnType<typeof settingsOf>): Promise<LoadResult> => {
  const input: LoadInput = {
    url: server.url,
    serverPid: server.pid,
    cell,
    concurrency: settings.concurrency,
    warmupRequests: settings.warmupRequests,
    requests: settings.requests
  }
  const outcome = await runForResult<LoadResult>("bench/emulator/load.ts", {
    prefix: resultPrefix,
    env: { EMUBENCH_INPUT: JSON.stringify(input) },
    timeoutMs: 300_000
  })
  if (!outcome.ok) throw new Error(`${cell.name}: ${outcome.error}`)
  return outcome.value
}

const spreadOf = (values: ReadonlyArray<number>): Spread => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values)
})

const measureMemory = async (quick: boolean): Promise<MemoryResult | { readonly error: string }> => {
  const outcome = await runForResult<MemoryResult>("bench/emulator/memory.ts", {
    prefix: resultPrefix,
    env: { EMUBENCH_USERS: quick ? "3000" : "20000" },
    nodeArgs: ["--expose-gc"],
    timeoutMs: 300_000
  })
  return outcome.ok ? outcome.value : { error: outcome.error }
}

const format = (n: number, digits = 2) => n.toFixed(digits)
const formatSpread = (s: Spread, digits = 2) => `${format(s.median, digits)} (${format(s.min, digits)}–${format(s.max, digits)})`

const verdictsOf = (rows: ReadonlyArray<Row>, memory: EmulatorBenchResult["memory"]): ReadonlyArray<Verdict> => [
  ...rows.map((row) => ({
    target: `emulator ${row.cell} throughput`,
    goal: `≥ ${goals.throughputRatio}× the node:http baseline at c=${concurrency}`,
    measured: `${formatSpread(row.throughputRatio)}×`,
    held: row.throughputRatio.min >= goals.throughputRatio
  })),
  "error" in memory
    ? { target: "emulator memory per stored user", goal: "≤ 1.5 KB", measured: `not measured: ${memory.error}`, held: false }
    : {
      target: "emulator memory per stored user",
      goal: "≤ 1.5 KB",
      measured: `${format(memory.bytesPerUser / 1024)} KB (${memory.users} users)`,
      held: memory.bytesPerUser <= goals.bytesPerUser
    }
]

/**
 * Runs the emulator benchmark: rows per cell, the memory per stored user,
 * and a verdict per target.
 */
export const runEmulatorBench = async (options: Options): Promise<EmulatorBenchResult> => {
  const settings = settingsOf(options)
  const machine = describeMachine()
  const failures: Array<string> = []
  const emulator = await start("bench/emulator/emulator-server.ts", [])
  const temp = makeTempDir("emulator")
  let baseline: Running | undefined
  /**
   * Every round starts from an emptied emulator (OneTouch create stores what
   * it creates), with its user and approval made again and the baseline
   * restarted on the new answers.
   */
  const prepareRound = async (round: number): Promise<ReadonlyArray<Cell>> => {
    const cells = await prepareCells(emulator.url)
    const recordedFile = join(temp.path, `recorded-${round}.json`)
    writeFileSync(recordedFile, JSON.stringify(await record(emulator.url, cells)))
    baseline?.stop()
    baseline = await start("bench/emulator/baseline.ts", [recordedFile])
    return cells
  }
  try {
    let cells: ReadonlyArray<Cell> = []
    const results = new Map<string, Array<{ emulator: LoadResult; baseline: LoadResult }>>()
    for (let round = 0; round < settings.rounds; round++) {
      cells = await prepareRound(round)
      const servers = { emulator, baseline: baseline! }
      for (const cell of cells) {
        // The order alternates, so that neither server always runs first (on a warmer or cooler machine).
        const order = (round + cells.indexOf(cell)) % 2 === 0 ? ["emulator", "baseline"] as const : ["baseline", "emulator"] as const
        const pair: Partial<Record<"emulator" | "baseline", LoadResult>> = {}
        try {
          for (const name of order) pair[name] = await load(servers[name], cell, settings)
          const list = results.get(cell.name) ?? []
          list.push(pair as { emulator: LoadResult; baseline: LoadResult })
          results.set(cell.name, list)
        } catch (error) {
          failures.push(String(error instanceof Error ? error.message : error))
        }
        process.stderr.write(`[emulator bench] round ${round + 1}/${settings.rounds} ${cell.name}\n`)
      }
    }
    const rows: Array<Row> = cells.flatMap((cell) => {
      const pairs = results.get(cell.name) ?? []
      if (pairs.length === 0) return []
      return [{
        cell: cell.name,
        emulatorRps: median(pairs.map((p) => p.emulator.requestsPerSecond)),
        baselineRps: median(pairs.map((p) => p.baseline.requestsPerSecond)),
        throughputRatio: spreadOf(pairs.map((p) => p.emulator.requestsPerSecond / p.baseline.requestsPerSecond)),
        cpuRatio: spreadOf(pairs.map((p) => p.emulator.serverCpuMicros / p.baseline.serverCpuMicros)),
        emulatorCpuMicros: median(pairs.map((p) => p.emulator.serverCpuMicros)),
        baselineCpuMicros: median(pairs.map((p) => p.baseline.serverCpuMicros))
      }]
    })
    emulator.stop()
    baseline?.stop()
    const memory = await measureMemory(options.quick)
    return { machine, settings, rows, memory, verdicts: verdictsOf(rows, memory), failures }
  } finally {
    emulator.stop()
    baseline?.stop()
    temp.remove()
  }
}

/** The result as a markdown section. */
export const renderEmulatorBench = (result: EmulatorBenchResult): string => {
  const { machine, settings } = result
  const lines = [
    "## Emulator",
    "",
    `The emulator (\`Emulator.layer\`, its own process) against a minimal \`node:http\` server (its own process) ` +
    `answering the emulator's own bodies byte for byte, both loaded by an undici keep-alive pool at c=${settings.concurrency} ` +
    `from a third process: ${settings.rounds} interleaved rounds of ${settings.requests} requests after ` +
    `${settings.warmupRequests} of warm-up, each round on an emptied emulator with one user and one approval request. Ratios are taken within each round; shown as median (min–max over the rounds). ` +
    `A target holds only when its whole spread clears the goal.`,
    "",
    `Machine: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, load average ${format(machine.loadAverage)} at start, ${machine.date}.`,
    "",
    "| route | emulator req/s | node:http req/s | ×node:http throughput | ×node:http CPU/req | emulator CPU/req µs | node:http CPU/req µs |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...result.rows.map((row) =>
      `| ${row.cell} | ${format(row.emulatorRps, 0)} | ${format(row.baselineRps, 0)} | ${formatSpread(row.throughputRatio)} | ` +
      `${formatSpread(row.cpuRatio, 1)} | ${format(row.emulatorCpuMicros, 0)} | ${format(row.baselineCpuMicros, 0)} |`
    ),
    "",
    "| target | goal | measured | verdict |",
    "|---|---|---|---|",
    ...result.verdicts.map((v) => `| ${v.target} | ${v.goal} | ${v.measured} | ${v.held ? "holds" : "**does not hold**"} |`),
    ...(result.failures.length === 0 ? [] : ["", "Failures:", ...result.failures.map((f) => `- ${f}`)]),
    ""
  ]
  return lines.join("\n")
}

if (import.meta.url === `file://${process.argv[1]}`) {
  useBuiltLibrary()
  const result = await runEmulatorBench({ quick: process.argv.includes("--quick") })
  process.stdout.write(renderEmulatorBench(result))
}
