/**
 * Keeps the benchmark harness from rotting without timing anything: runs it
 * with tiny counts (`BENCH_SMOKE=1`) and checks the shape of the table. And
 * checks that it leaves nothing behind, also when it is killed mid-run: no
 * server or driver process, no esbuild service, no temporary folder.
 *
 * The smoke run uses only the drivers that need nothing from bench/'s own
 * dependencies (raw undici and effect-authy on undici), so it works after a
 * plain `npm ci` with no network; the npm Authy clients are covered by the
 * full `npm run bench`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { type Started, start, stopAll, survivors, waitFor } from "./util/processes.js"

const root = fileURLToPath(new URL("../", import.meta.url))

afterEach(stopAll)

/** Starts the smoke run, writing its table into a folder of its own. */
const startSmokeRun = () => {
  const dir = mkdtempSync(join(tmpdir(), "effect-authy-bench-smoke-"))
  const outFile = join(dir, "results.md")
  const harness = start(process.execPath, ["--import", "tsx", "bench/main.ts"], {
    cwd: root,
    env: { ...process.env, BENCH_SMOKE: "1", BENCH_OUT: outFile }
  })
  return { dir, outFile, harness }
}

/** What the harness announced on stderr: the processes it started and its temporary folders. */
const announced = (harness: Started) => ({
  pids: new Set([...harness.stderr().matchAll(/\[bench\] started pid (\d+)/g)].map((m) => Number(m[1]))),
  folders: [...harness.stderr().matchAll(/\[bench\] temp folder (\S+)/g)].map((m) => m[1]!)
})

/** Polls (without asserting any duration) until no process of `pids` or their groups is alive. */
const allGone = async (pids: ReadonlySet<number>): Promise<ReadonlyArray<string>> => {
  for (let i = 0; i < 200; i++) {
    if (survivors(pids).length === 0) return []
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return survivors(pids)
}

describe("benchmark harness (smoke)", () => {
  it("runs with tiny counts, writes the table, and leaves nothing behind", async () => {
    const { dir, harness, outFile } = startSmokeRun()
    try {
      const { code } = await harness.closed
      expect(code, harness.stderr()).toBe(0)
      const written = readFileSync(outFile, "utf8")
      expect(harness.stdout()).toContain("## Figures per driver")
      expect(written).toMatch(/## Client targets\n[\s\S]*\| HTTP Tokens\.verify: UndiciHttpClient: throughput vs floor \| [\d.]+× \| [\d.]+× – [\d.]+× \| ≥ 0\.6× \| (yes|\*\*no\*\*) \|/)
      for (const label of ["undici (floor)", "effect-authy, UndiciHttpClient", "effect-authy, layerUndici"]) {
        expect(written).toMatch(new RegExp(`\\| HTTP \\| Tokens\\.verify \\| 16 \\| ${label.replace(/[()]/g, "\\$&")} \\| \\d+ \\|`))
      }
      expect(written).toContain("## Pending awaitApproval heap")
      expect(written).toContain("## Import time")
      expect(written).not.toContain("## Failures")

      const { folders, pids } = announced(harness)
      expect(pids.size).toBeGreaterThanOrEqual(5) // two stubs, three drivers at least
      expect(await allGone(pids)).toEqual([])
      expect(folders.length).toBeGreaterThanOrEqual(2) // the certificate, the import-time build
      expect(folders.filter((folder) => existsSync(folder))).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 600_000)

  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`killed mid-run with ${signal}, it leaves no process behind`, async () => {
      const { dir, harness } = startSmokeRun()
      try {
        // Both stubs are up and a driver has started.
        await waitFor(harness, () => announced(harness).pids.size >= 3)
        const { folders, pids } = announced(harness)
        process.kill(harness.pid, signal) // the harness alone, not its group
        await harness.closed
        expect(await allGone(new Set([harness.pid, ...pids]))).toEqual([])
        // SIGTERM lets the harness remove its folders; after SIGKILL nothing can.
        if (signal === "SIGTERM") expect(folders.filter((folder) => existsSync(folder))).toEqual([])
        for (const folder of folders) rmSync(folder, { recursive: true, force: true })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }, 300_000)
  }
})
