/**
 * `npm run bench [-- --quick]`: installs bench/'s own dependencies when
 * missing, runs the benchmark, prints the report and writes it to
 * bench/results.md (`--quick`: bench/.work/results-quick.md).
 * `--only=verify,create` measures those calls alone, into bench/.work/.
 * `BENCH_SMOKE=1` runs tiny counts of the drivers that need no bench/
 * dependencies and writes bench/.work/results-smoke.md instead.
 *
 * The report is made of target sections: the client's (./run.ts), then each
 * of `extraSections` (the emulator's, ./emulator/run.ts), run after it.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { type BenchConfig, fullConfig, quickConfig, smokeConfig } from "./lib/config.js"
import { useBuiltLibrary } from "./lib/library.js"
import { benchDir } from "./lib/processes.js"
import { type ExtraSection, render, type Verdict } from "./report/render.js"
import { renderEmulatorBench, runEmulatorBench } from "./emulator/run.js"
import { runBench } from "./run.js"

const quick = process.argv.includes("--quick")
const chosen = process.env.BENCH_SMOKE === "1" ? smokeConfig : quick ? quickConfig : fullConfig
// `--only=verify,create`: a spot check of some calls while working on them (no emulator section).
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",")
const config: BenchConfig = only === undefined ? chosen : {
  ...chosen,
  operations: chosen.operations.filter((operation) => only.includes(operation)),
  emulator: false,
  outFile: join(benchDir, ".work", "results-only.md")
}

/**
 * The sections measured after the client's, so that they do not share the
 * machine: each returns its verdicts and its markdown.
 */
const extraSections: ReadonlyArray<{ readonly title: string; readonly run: (config: BenchConfig) => Promise<ExtraSection | undefined> }> = [
  {
    title: "emulator (target 4 of issue 16)",
    run: async (config) => {
      if (!config.emulator) return undefined
      const result = await runEmulatorBench({ quick: config.kind !== "full" })
      const verdicts: Array<Verdict> = result.verdicts.map((v) => ({
        section: "emulator",
        target: v.target,
        measured: v.measured,
        spread: "see the emulator section",
        goal: v.goal,
        held: v.held
      }))
      return { title: "emulator (target 4 of issue 16)", verdicts, markdown: renderEmulatorBench(result) }
    }
  }
]

if (config.drivers.some((d) => d.needsBenchDeps) && !existsSync(join(benchDir, "node_modules"))) {
  process.stderr.write("[bench] installing bench/'s own dependencies (npm ci)\n")
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: benchDir, stdio: "inherit" })
}

useBuiltLibrary()
const results = await runBench(config)
const extra: Array<ExtraSection> = []
for (const section of extraSections) {
  try {
    const outcome = await section.run(config)
    if (outcome !== undefined) extra.push(outcome)
  } catch (error) {
    results.failures.push(`${section.title}: ${String(error).split("\n")[0]}`)
  }
}
const markdown = render(results, extra)
mkdirSync(dirname(config.outFile), { recursive: true })
writeFileSync(config.outFile, markdown)
process.stdout.write(`${markdown}\nWritten to ${config.outFile}\n`)
