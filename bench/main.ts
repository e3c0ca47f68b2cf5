/**
 * `npm run bench`: installs bench/'s own dependencies when missing, runs the
 * benchmark, prints the table and writes it to bench/results.md.
 * `BENCH_SMOKE=1` runs tiny counts of the drivers that need no bench/
 * dependencies and writes bench/.work/results-smoke.md instead.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fullConfig, smokeConfig } from "./lib/config.js"
import { benchDir } from "./lib/processes.js"
import { render } from "./report/render.js"
import { runBench } from "./run.js"

const smoke = process.env.BENCH_SMOKE === "1"
const config = smoke ? smokeConfig : fullConfig

if (config.drivers.some((d) => d.needsBenchDeps) && !existsSync(join(benchDir, "node_modules"))) {
  process.stderr.write("[bench] installing bench/'s own dependencies (npm ci)\n")
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: benchDir, stdio: "inherit" })
}

const markdown = render(await runBench(config))
mkdirSync(dirname(config.outFile), { recursive: true })
writeFileSync(config.outFile, markdown)
process.stdout.write(`${markdown}\nWritten to ${config.outFile}\n`)
