/** The results as Markdown: the verdicts first, then the figures per driver, heap and import time. */
import type { Operation } from "../drivers/protocol.js"
import { bareId, floorId, npmIds, oursLeanId, oursOnPlatformId } from "../lib/config.js"
import { type Figure, figureSpread, ratioSpread, type Results, type Spread } from "./results.js"
import { pinned } from "../lib/processes.js"

export const operationName: Record<Operation, string> = {
  verify: "Tokens.verify",
  status: "Users.status",
  create: "Users.create",
  sms: "Users.requestSms",
  oneTouchCreate: "OneTouch.sendRequest",
  oneTouchStatus: "OneTouch.getApprovalStatus",
  phoneStart: "Phones.startVerification",
  appDetails: "App.details"
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "–")
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–")
const range = (spread: Spread, format: (value: number) => string) =>
  spread.rounds === 0 ? "–" : `${format(spread.min)} – ${format(spread.max)}`
const row = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`

/**
 * A target verdict, as any section of the report states it: held only when
 * the whole spread (every round) clears the goal.
 */
export interface Verdict {
  readonly section: string
  readonly target: string
  readonly measured: string
  readonly spread: string
  readonly goal: string
  readonly held: boolean
}

const header = (results: Results): string => {
  const m = results.machine
  const c = results.config
  const title = c.kind === "smoke" ? " (smoke run: tiny counts, not figures)" : c.kind === "quick" ? " (quick spot check, not figures to publish)" : ""
  return [
    `# effect-authy benchmark${title}`,
    "",
    `- Machine: ${m.cores} cores, ${m.cpuModel}, ${m.platform}; load average ${m.loadAverage.toFixed(2)} at the start`,
    `- Node ${m.node}; ${m.date}; whole run ${(results.durationMs() / 1000).toFixed(0)} s`,
    "- Loopback stub servers in their own processes answer instantly with Authy's documented bodies (HTTPS: a self-signed RSA-2048 certificate made at bench time, trusted through `NODE_EXTRA_CA_CERTS`); each driver runs in its own process" +
      (pinned ? ", the stubs pinned to the first core and the drivers to the second (`taskset`)." : ".") +
      " effect-authy is measured as it ships: src/ transpiled to plain JavaScript at the start of the run, not run through tsx.",
    "- Drivers call as their library is used: the npm clients and the floor from 64 async functions awaiting one call after another; effect-authy and bare Effect from 64 fibers of one runtime, each running one call after another (an Effect backend calls the client from its own fibers; a `runPromise` per call would add a fiber, its start and a promise to every request).",
    `- Every cell is one call at concurrency ${c.concurrency}, measured in ${c.rounds} interleaved rounds (after a discarded warm-up round): in each round, call after call, every driver measures a ${c.windowMs} ms window${c.slices > 1 ? `, in ${c.slices} slices of ${c.windowMs / c.slices} ms that the drivers take in turns` : ""} (each after ${c.warmupMs} ms unmeasured), the order of calls and drivers turning from round to round${c.slices > 1 ? " and from slice to slice" : ""}.`,
    "- Ratios are taken within each round, then their median and their whole range (min – max over the rounds) are shown. A target **holds only when its whole range clears the goal**. The floor is raw undici with keep-alive; bare is `@effect/platform` `HttpClient` on `NodeHttpClient.layerUndici`; the npm reference is, in each round, the faster of the two npm clients that has the call."
  ].join("\n")
}

interface Goal {
  readonly name: string
  readonly ours: string
  readonly references: ReadonlyArray<string>
  readonly figure: Figure
  readonly goal: number
  readonly atMost: boolean
}

/** Issue 16's targets 1 and 2, per call. */
const goals: ReadonlyArray<Goal> = [
  { name: "UndiciHttpClient: throughput vs floor", ours: oursLeanId, references: [floorId], figure: "requestsPerSecond", goal: 0.6, atMost: false },
  { name: "UndiciHttpClient: CPU/request vs floor", ours: oursLeanId, references: [floorId], figure: "cpuMicrosPerRequest", goal: 2, atMost: true },
  { name: "UndiciHttpClient: throughput vs faster npm client", ours: oursLeanId, references: npmIds, figure: "requestsPerSecond", goal: 2, atMost: false },
  { name: "layerUndici: throughput vs bare Effect", ours: oursOnPlatformId, references: [bareId], figure: "requestsPerSecond", goal: 0.9, atMost: false },
  { name: "layerUndici: CPU/request vs bare Effect", ours: oursOnPlatformId, references: [bareId], figure: "cpuMicrosPerRequest", goal: 1.15, atMost: true }
]

const clientVerdicts = (results: Results): Array<Verdict> => {
  const verdicts: Array<Verdict> = []
  for (const [server, byOperation] of results.paired) {
    for (const operation of byOperation.keys()) {
      for (const g of goals) {
        const spread = ratioSpread(results, server, operation, g.ours, g.references, g.figure)
        if (spread.rounds === 0) continue
        verdicts.push({
          section: "client",
          target: `${server} ${operationName[operation]}: ${g.name}`,
          measured: times(spread.median),
          spread: range(spread, times),
          goal: `${g.atMost ? "≤" : "≥"} ${g.goal}×`,
          held: g.atMost ? spread.max <= g.goal : spread.min >= g.goal
        })
      }
    }
  }
  return verdicts
}

/** 6 KB per wait, with the README's default layer. */
const heapGoalKb = 6

const otherVerdicts = (results: Results): Array<Verdict> => {
  const verdicts: Array<Verdict> = []
  const heap = results.heap
  if (heap !== undefined && typeof heap !== "string") {
    const perWaitKb = ((heap.heapAfterMb - heap.heapBeforeMb) * 1024) / heap.waits
    verdicts.push({
      section: "client",
      target: `heap per pending awaitApproval (${heap.waits.toLocaleString("en")} waits, \`UndiciHttpClient.layer\`)`,
      measured: `${fixed(perWaitKb, 2)} KB`,
      spread: "one measurement",
      goal: `≤ ${heapGoalKb} KB`,
      held: perWaitKb <= heapGoalKb
    })
  }
  const imports = results.imports
  if (imports !== undefined && typeof imports !== "string") {
    const added = imports.withAuthyMs / imports.baselineMs - 1
    verdicts.push({
      section: "client",
      target: "import time added to effect + @effect/platform",
      measured: `${fixed(added * 100, 0)}%`,
      spread: `median of ${imports.runs}`,
      goal: "≤ 50%",
      held: added <= 0.5
    })
  }
  return verdicts
}

/** Every verdict of the client's section: the per-call targets, the heap and the import time. */
export const verdictsOf = (results: Results): ReadonlyArray<Verdict> => [...clientVerdicts(results), ...otherVerdicts(results)]

export const verdictTable = (title: string, intro: string, verdicts: ReadonlyArray<Verdict>): string => {
  const held = verdicts.filter((v) => v.held).length
  return [
    `## ${title}`,
    "",
    intro,
    "",
    `${held} of ${verdicts.length} held.`,
    "",
    row(["target", "median", "range over rounds", "goal", "holds"]),
    row(["---", "---:", "---:", "---", "---"]),
    ...verdicts.map((v) => row([v.target, v.measured, v.spread, v.goal, v.held ? "yes" : "**no**"]))
  ].join("\n")
}

const figuresTable = (results: Results): string => {
  const lines = [
    "## Figures per driver",
    "",
    "Medians over the rounds; ratios are medians of per-round ratios. CPU is user + system time of the driver process over the window, per request.",
    "",
    row(["server", "call", "conc.", "driver", "req/s", "×floor", "×bare", "CPU µs/req", "×floor", "×bare", "p50 ms", "p99 ms"]),
    row(["---", "---", "---:", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"])
  ]
  for (const [server, byOperation] of results.paired) {
    for (const [operation, byDriver] of byOperation) {
      for (const driver of results.drivers.filter((d) => byDriver.has(d.id))) {
        const figure = (f: Figure, digits: number) => fixed(figureSpread(results, server, operation, driver.id, f).median, digits)
        const ratio = (reference: string, f: Figure) => times(ratioSpread(results, server, operation, driver.id, [reference], f).median)
        lines.push(row([
          server, operationName[operation], String(results.config.concurrency), driver.label,
          figure("requestsPerSecond", 0), ratio(floorId, "requestsPerSecond"), ratio(bareId, "requestsPerSecond"),
          figure("cpuMicrosPerRequest", 0), ratio(floorId, "cpuMicrosPerRequest"), ratio(bareId, "cpuMicrosPerRequest"),
          figure("p50Ms", 2), figure("p99Ms", 2)
        ]))
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
    `${heap.waits} concurrent \`OneTouch.awaitApproval\` against the HTTP stub answering "pending", on the README's default layer (\`UndiciHttpClient.layer\`, its default connection cap), polling once a minute: ` +
    `${heap.polls} first polls done in ${fixed(heap.settledMs / 1000, 1)} s; heap after GC ${fixed(heap.heapBeforeMb, 1)} → ${fixed(heap.heapAfterMb, 1)} MB, ` +
    `**+${fixed(growth, 1)} MB**, ${fixed((growth * 1024) / heap.waits, 2)} KB per wait.`
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

/**
 * A section measured by another bench (the emulator's): its own markdown,
 * and its verdicts for the summary at the top.
 */
export interface ExtraSection {
  readonly title: string
  readonly verdicts: ReadonlyArray<Verdict>
  readonly markdown: string
}

export const render = (results: Results, extra: ReadonlyArray<ExtraSection> = []): string => {
  const client = verdictsOf(results)
  const all = [...client, ...extra.flatMap((s) => s.verdicts)]
  const summary = [
    "## Summary",
    "",
    row(["section", "targets held"]),
    row(["---", "---:"]),
    row(["client (targets 1–3 of issue 16)", `${client.filter((v) => v.held).length} of ${client.length}`]),
    ...extra.map((s) => row([s.title, `${s.verdicts.filter((v) => v.held).length} of ${s.verdicts.length}`])),
    row(["all", `${all.filter((v) => v.held).length} of ${all.length}`])
  ].join("\n")
  return [
    header(results),
    results.notes.length === 0 ? "" : results.notes.map((n) => `> ${n}`).join("\n"),
    summary,
    verdictTable(
      "Client targets",
      `Every call at concurrency ${results.config.concurrency}, HTTP and HTTPS, ratios within each round (${results.config.rounds} rounds).`,
      client
    ),
    ...extra.map((s) => s.markdown),
    figuresTable(results),
    heapSection(results),
    importSection(results),
    results.failures.length === 0 ? "" : `## Failures\n\n${results.failures.map((f) => `- ${f}`).join("\n")}`
  ].filter((s) => s !== "").join("\n\n") + "\n"
}
