/** The results as Markdown: targets first, then the one big table, heap and import time. */
import { bareId, floorId, oursLeanId, oursOnPlatformId } from "../lib/config.js"
import type { Operation } from "../drivers/protocol.js"
import { type CellRef, medianFigure, medianRatio, medianRss, pairedView, type Results } from "./results.js"

const operationName: Record<Operation, string> = { verify: "Tokens.verify", status: "Users.status" }
const npmIds = ["npm-authy", "npm-authy-client"]

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "–")
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–")
const row = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`

const header = (results: Results): string => {
  const m = results.machine
  return [
    `# effect-authy benchmark${results.smoke ? " (smoke run: tiny counts, not figures)" : ""}`,
    "",
    `- Machine: ${m.cores} cores, ${m.cpuModel}, ${m.platform}; load average ${m.loadAverage.toFixed(2)} at the start`,
    `- Node ${m.node}; ${m.date}; ${results.runs} run(s) with the drivers alternating, medians shown; whole run ${(results.durationMs() / 1000).toFixed(0)} s`,
    "- Loopback stub servers in their own processes answer instantly (HTTPS: a self-signed RSA-2048 certificate made at bench time, trusted through `NODE_EXTRA_CA_CERTS`); each driver runs in its own process.",
    "- Ratios (`×floor`, `×bare`) are taken within each run and then the median is shown: the floor is raw undici with keep-alive, bare is `@effect/platform` `HttpClient` on `NodeHttpClient.layerUndici`."
  ].join("\n")
}

interface Check {
  readonly name: string
  readonly value: number
  readonly goal: string
  readonly holds: boolean
}

const ratioCheck = (
  results: Results,
  server: string,
  ours: string,
  name: string,
  references: ReadonlyArray<string>,
  figure: "requestsPerSecond" | "cpuMicrosPerRequest",
  goal: number,
  atMost = false
): Check => {
  const ref: CellRef = { server, operation: "verify", concurrency: results.targetConcurrency }
  const value = medianRatio(results, ours, references, ref, figure)
  return { name: `${server}: ${name}`, value, goal: `${atMost ? "≤" : "≥"} ${goal}×`, holds: atMost ? value <= goal : value >= goal }
}

/**
 * The cost of our layers is judged on the transport bare Effect uses (the
 * platform's undici client); the figures against the floor and the npm
 * clients on both, the recommended transport first.
 */
const targetChecks = (results: Results): ReadonlyArray<Check> => {
  const checks: Array<Check> = []
  const has = (id: string) => results.drivers.some((d) => d.id === id)
  const transports = [[oursLeanId, "UndiciHttpClient"], [oursOnPlatformId, "layerUndici"]].filter(([id]) => has(id!))
  for (const server of results.servers.filter((s) => s !== "emulator")) {
    if (has(oursOnPlatformId)) {
      checks.push(ratioCheck(results, server, oursOnPlatformId, "layerUndici, throughput vs bare Effect", [bareId], "requestsPerSecond", 0.85))
    }
    for (const [id, label] of transports) {
      checks.push(ratioCheck(results, server, id!, `${label}, throughput vs floor`, [floorId], "requestsPerSecond", 0.5))
      checks.push(ratioCheck(results, server, id!, `${label}, CPU/request vs floor`, [floorId], "cpuMicrosPerRequest", 2.5, true))
      if (results.drivers.some((d) => npmIds.includes(d.id))) {
        const goal = server === "HTTPS" ? 2 : 1.2
        checks.push(ratioCheck(results, server, id!, `${label}, throughput vs the faster npm client`, npmIds, "requestsPerSecond", goal))
      }
    }
  }
  return checks
}

/** Whether the paired rounds measured anything (the targets are then read from them). */
const hasPaired = (results: Results) => [...results.paired.values()].some((byDriver) => [...byDriver.values()].some((rounds) => rounds.some((r) => r !== undefined)))

const targets = (results: Results): string => {
  const paired = hasPaired(results)
  const lines = [
    `## Targets (\`Tokens.verify\`, concurrency ${results.targetConcurrency})`,
    "",
    paired
      ? `Read from the ${results.pairedRounds} paired rounds (medians of per-round ratios; see below), where all drivers measure within seconds of each other.`
      : "Read from the main runs (medians of per-run ratios).",
    "",
    row(["target", "measured", "goal", "holds"]),
    row(["---", "---:", "---", "---"]),
    ...targetChecks(paired ? pairedView(results) : results).map((c) => row([c.name, times(c.value), c.goal, c.holds ? "yes" : "**no**"]))
  ]
  const heap = results.heap
  if (heap !== undefined && typeof heap !== "string") {
    const growth = heap.heapAfterMb - heap.heapBeforeMb
    const scaled = (growth * 10_000) / heap.waits
    lines.push(row([`heap growth of 10,000 pending awaitApproval${heap.waits === 10_000 ? "" : ` (scaled from ${heap.waits})`}`, `${fixed(scaled, 1)} MB`, "< 64 MB", scaled < 64 ? "yes" : "**no**"]))
  }
  const imports = results.imports
  if (imports !== undefined && typeof imports !== "string") {
    const added = imports.withAuthyMs / imports.baselineMs - 1
    lines.push(row(["import time added to effect + @effect/platform", `${fixed(added * 100, 0)}%`, "≤ 50%", added <= 0.5 ? "yes" : "**no**"]))
  }
  return lines.join("\n")
}

const mainTable = (results: Results, title: string, intro: string): string => {
  const lines = [
    `## ${title}`,
    "",
    intro,
    "",
    row(["server", "call", "conc.", "driver", "req/s", "×floor", "×bare", "CPU µs/req", "×floor", "×bare", "p50 ms", "p99 ms", "peak RSS MB"]),
    row(["---", "---", "---:", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"])
  ]
  for (const server of results.servers) {
    const serverDrivers = results.drivers.filter((d) => results.byServer.get(server)?.has(d.id))
    const operations = [...new Set([...results.byServer.get(server)?.values() ?? []].flatMap((runs) => runs.flatMap((r) => r?.cells.map((c) => c.operation) ?? [])))]
    const concurrencies = [...new Set([...results.byServer.get(server)?.values() ?? []].flatMap((runs) => runs.flatMap((r) => r?.cells.map((c) => c.concurrency) ?? [])))].sort((a, b) => a - b)
    for (const operation of operations) {
      for (const concurrency of concurrencies) {
        const ref: CellRef = { server, operation, concurrency }
        for (const driver of serverDrivers) {
          const ratio = (refs: string, figure: "requestsPerSecond" | "cpuMicrosPerRequest") => times(medianRatio(results, driver.id, [refs], ref, figure))
          lines.push(row([
            server, operationName[operation], String(concurrency), driver.label,
            fixed(medianFigure(results, driver.id, ref, "requestsPerSecond"), 0),
            ratio(floorId, "requestsPerSecond"), ratio(bareId, "requestsPerSecond"),
            fixed(medianFigure(results, driver.id, ref, "cpuMicrosPerRequest"), 0),
            ratio(floorId, "cpuMicrosPerRequest"), ratio(bareId, "cpuMicrosPerRequest"),
            fixed(medianFigure(results, driver.id, ref, "p50Ms"), 2),
            fixed(medianFigure(results, driver.id, ref, "p99Ms"), 2),
            fixed(medianRss(results, server, driver.id), 0)
          ]))
        }
      }
    }
  }
  return lines.join("\n")
}

const heapSection = (results: Results): string => {
  const heap = results.heap
  if (heap === undefined) return ""
  if (typeof heap === "string") return `## Pending awaitApproval heap\n\nFailed: ${heap}`
  const growth = heap.heapAfterMb - heap.heapBeforeMb
  return [
    "## Pending awaitApproval heap",
    "",
    `${heap.waits} concurrent \`OneTouch.awaitApproval\` against a stub answering "pending" (effect-authy on undici, 64 sockets, polling once a minute): ` +
    `${heap.polls} first polls done in ${fixed(heap.settledMs / 1000, 1)} s; heap after GC ${fixed(heap.heapBeforeMb, 1)} → ${fixed(heap.heapAfterMb, 1)} MB, ` +
    `**+${fixed(growth, 1)} MB**, ${fixed((growth * 1024) / heap.waits, 1)} KB per wait.`
  ].join("\n")
}

const importSection = (results: Results): string => {
  const imports = results.imports
  if (imports === undefined) return ""
  if (typeof imports === "string") return `## Import time\n\nFailed: ${imports}`
  return [
    "## Import time",
    "",
    `Fresh \`node\` processes, no loader, median of ${imports.runs} alternating runs; effect-authy transpiled from src/ to a temporary folder (one file per module, as a build would).`,
    "",
    row(["imports", "ms"]),
    row(["---", "---:"]),
    row(["`effect` + `@effect/platform`", fixed(imports.baselineMs, 1)]),
    row(["`effect` + `@effect/platform` + effect-authy", fixed(imports.withAuthyMs, 1)]),
    row(["added by effect-authy", `${fixed(imports.withAuthyMs - imports.baselineMs, 1)} ms (${fixed((imports.withAuthyMs / imports.baselineMs - 1) * 100, 0)}%)`])
  ].join("\n")
}

export const render = (results: Results): string =>
  [
    header(results),
    results.notes.length === 0 ? "" : results.notes.map((n) => `> ${n}`).join("\n"),
    targets(results),
    hasPaired(results)
      ? mainTable(
        pairedView(results),
        "Paired rounds of the target cell",
        `Every driver started once and kept warm; then ${results.pairedRounds} rounds in which each driver in turn measures one window of \`Tokens.verify\` at concurrency ${results.targetConcurrency}, after a discarded round. Medians over rounds; ratios taken within each round.`
      )
      : "",
    mainTable(
      results,
      "Throughput, CPU, latency and memory per driver",
      "CPU is user + system time of the driver process over the measured loop, per request. RSS is the driver process's peak."
    ),
    heapSection(results),
    importSection(results),
    results.failures.length === 0 ? "" : `## Failures\n\n${results.failures.map((f) => `- ${f}`).join("\n")}`
  ].filter((s) => s !== "").join("\n\n") + "\n"
