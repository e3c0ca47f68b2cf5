/**
 * Keeps the benchmark harness from rotting without timing anything: runs it
 * with tiny counts (`BENCH_SMOKE=1`) and checks that the table comes out.
 *
 * The smoke run uses only the drivers that need nothing from bench/'s own
 * dependencies (raw undici and effect-authy on undici), so it works after a
 * plain `npm ci` with no network; the npm Authy clients are covered by the
 * full `npm run bench`.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../", import.meta.url))
const run = promisify(execFile)

describe("benchmark harness (smoke)", () => {
  it("runs with tiny counts and writes the table", async () => {
    // Its own output file: another smoke run may be going on in the same tree.
    const dir = mkdtempSync(join(tmpdir(), "effect-authy-bench-"))
    const outFile = join(dir, "results.md")
    const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/main.ts"], {
      cwd: root,
      env: { ...process.env, BENCH_SMOKE: "1", BENCH_OUT: outFile },
      timeout: 110_000,
      maxBuffer: 16 * 2 ** 20
    })
    const written = readFileSync(outFile, "utf8")
    rmSync(dir, { recursive: true, force: true })
    expect(stdout).toContain("## Throughput, CPU, latency and memory per driver")
    for (const label of ["undici (floor)", "effect-authy, UndiciHttpClient", "effect-authy, layerUndici"]) {
      expect(written).toMatch(new RegExp(`\\| HTTP \\| Tokens\\.verify \\| 16 \\| ${label.replace(/[()]/g, "\\$&")} \\| \\d+ \\|`))
    }
    expect(written).toContain("## Pending awaitApproval heap")
    expect(written).toContain("## Import time")
    expect(written).not.toContain("## Failures")
  }, 120_000)
})
