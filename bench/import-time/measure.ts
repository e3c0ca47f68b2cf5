/**
 * Time to import effect-authy compared with importing `effect` and
 * `@effect/platform` alone: fresh processes, the two alternating, medians;
 * effect-authy as the run built it (bench/lib/library.ts).
 */
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { useBuiltLibrary } from "../lib/library.js"
import { benchDir, repoRoot } from "../lib/processes.js"
import { median } from "../lib/stats.js"

export interface ImportTimes {
  readonly baselineMs: number
  readonly withAuthyMs: number
  readonly runs: number
}

const probe = join(benchDir, "import-time", "probe.mjs")
const baseline = ["effect", "@effect/platform"]

const timeImport = (specifiers: ReadonlyArray<string>): number => {
  const child = spawnSync(process.execPath, [probe, ...specifiers], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 })
  const line = child.stdout.split("\n").find((l) => l.startsWith("IMPORT "))
  if (line === undefined) throw new Error(`import probe failed: ${child.stderr}`)
  return (JSON.parse(line.slice("IMPORT ".length)) as { ms: number }).ms
}

export const measureImportTimes = (runs: number): ImportTimes => {
  const index = join(useBuiltLibrary(), "index.js")
  const withAuthy = [...baseline, pathToFileURL(index).href]
  timeImport(withAuthy) // fills the OS file cache for both sides
  const base: Array<number> = []
  const ours: Array<number> = []
  for (let i = 0; i < runs; i++) {
    base.push(timeImport(baseline))
    ours.push(timeImport(withAuthy))
  }
  return { baselineMs: median(base), withAuthyMs: median(ours), runs }
}
