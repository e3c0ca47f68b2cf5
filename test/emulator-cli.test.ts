/**
 * The emulator's command line as a developer runs it (`npm run emulator`, the
 * package's bin): it prints its URL, and a port already in use is one readable
 * line and exit code 2, not a stack. `--help` comes from the same declaration
 * as the parser, and the README's table of flags is checked against it. No
 * timing is asserted; how fast it starts is a matter for the README, measured
 * by hand.
 */
import { readFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import * as Cli from "../src/emulator/cli.js"
import { start, stopAll, waitFor } from "./util/processes.js"

const launcher = fileURLToPath(new URL("../bin/effect-authy-emulator.js", import.meta.url))
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
const packageVersion: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version

afterEach(stopAll)

/** The bin, with no `AUTHY_EMULATOR_*` variable but those given. */
const emulator = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  start(process.execPath, [launcher, ...args], {
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AUTHY_EMULATOR_"))),
      ...env
    }
  })

const listening = (): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => resolve(server))
  })

const plain = (text: string) => text.replace(new RegExp(String.raw`\u001b\[[0-9;]*m`, "g"), "")

/** `@effect/cli`'s own flags, documented in the README's prose rather than its table. */
const builtIn = new Set(["--completions", "--log-level", "--help", "--wizard", "--version"])

/** The emulator's flags as `--help` lists them (its OPTIONS headings). */
const helpFlags = (help: string): ReadonlyArray<string> =>
  Array.from(plain(help).matchAll(/^\(?(?:-h, )?(--[a-z-]+)/gm), (m) => m[1]!).filter((flag) => !builtIn.has(flag))

/** The README's table of flags: `| \`--flag …\` | \`AUTHY_EMULATOR_…\` | meaning |` rows. */
const readmeRows = (): ReadonlyArray<{ readonly flag: string; readonly variable: string }> => {
  const section = readme.slice(readme.indexOf("### Command line"), readme.indexOf("### Control API"))
  return Array.from(section.matchAll(/^\| `(--[a-z-]+)[^`]*` \| `([A-Z_]+)[^`]*` \|/gm), (m) => ({ flag: m[1]!, variable: m[2]! }))
}

const url = (output: string) => /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]

describe("effect-authy-emulator", () => {
  it("prints its URL and its inbox, and serves on it", async () => {
    const process = emulator(["--port", "0", "--api-key", "cli-key"])
    await waitFor(process, () => /Control API/.test(process.stdout()))
    const base = url(process.stdout())!
    expect(process.stdout()).toContain(`Inbox (web UI): ${base}/\n`)
    const response = await fetch(`${base}/protected/json/app/details`, { headers: { "x-authy-api-key": "cli-key" } })
    expect(response.status).toBe(200)
  }, 120_000)

  it("--no-ui: no inbox announced", async () => {
    const process = emulator(["--port", "0", "--no-ui"])
    await waitFor(process, () => /Control API/.test(process.stdout()))
    expect(process.stdout()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)
    expect(process.stdout()).not.toContain("Inbox")
  }, 120_000)

  it("falls back to the AUTHY_EMULATOR_* variables, and a flag wins over its variable", async () => {
    const process = emulator(["--api-key", "flag-key"], {
      AUTHY_EMULATOR_PORT: "0",
      AUTHY_EMULATOR_API_KEY: "env-key,other-key",
      AUTHY_EMULATOR_NO_UI: "true",
      AUTHY_EMULATOR_APP_NAME: "From the environment"
    })
    await waitFor(process, () => /Control API/.test(process.stdout()))
    expect(process.stdout()).toContain("API keys accepted: flag-key\n")
    expect(process.stdout()).not.toContain("Inbox")
    const details = await fetch(`${url(process.stdout())!}/protected/json/app/details`, {
      headers: { "x-authy-api-key": "flag-key" }
    })
    expect(((await details.json()) as { app: { name: string } }).app.name).toBe("From the environment")
  }, 120_000)

  it("a port in use: one line that says what to do, exit code 2", async () => {
    const taken = await listening()
    try {
      const { port } = taken.address() as AddressInfo
      const process = emulator(["--port", String(port)])
      const { code } = await process.closed
      expect(code).toBe(2)
      expect(process.stderr().trim()).toBe(`port ${port} is in use; pass --port 0 for a free one`)
      expect(process.stdout()).toBe("")
    } finally {
      taken.close()
    }
  }, 120_000)

  it("a bad argument: the reason and where the flags are, exit code 2", async () => {
    const process = emulator(["--port", "70000"])
    const { code } = await process.closed
    expect(code).toBe(2)
    expect(plain(process.stderr())).toContain("--port must be 0 to 65535")
    expect(plain(process.stderr())).toContain("effect-authy-emulator --help")
    expect(process.stderr()).not.toMatch(/\n\s+at /) // no stack
    expect(process.stdout()).toBe("")
  }, 120_000)

  it("a bad variable: the same, naming the flag", async () => {
    const process = emulator([], { AUTHY_EMULATOR_FAULT_RATE: "lots" })
    const { code } = await process.closed
    expect(code).toBe(2)
    expect(plain(process.stderr())).toContain("--fault-rate must be a number from 0 to 1")
  }, 120_000)

  it("an unknown flag: exit code 2", async () => {
    const process = emulator(["--prot", "4010"])
    const { code } = await process.closed
    expect(code).toBe(2)
    expect(process.stderr()).not.toMatch(/\n\s+at /)
  }, 120_000)

  it("--version prints the package's version", async () => {
    const process = emulator(["--version"])
    const { code } = await process.closed
    expect(code).toBe(0)
    expect(process.stdout().trim()).toBe(packageVersion)
  }, 120_000)

  it("--completions bash prints a completion script naming the flags", async () => {
    const process = emulator(["--completions", "bash"])
    const { code } = await process.closed
    expect(code).toBe(0)
    expect(process.stdout()).toContain("complete -F")
    expect(process.stdout()).toContain("--no-ui")
  }, 120_000)

  it("--help, the parser and the README's table list the same flags, each with its variable", async () => {
    const process = emulator(["--help"])
    const { code } = await process.closed
    expect(code).toBe(0)
    const help = plain(process.stdout())
    const flags = helpFlags(help)
    expect(flags).toEqual(helpFlags(Cli.usage))
    expect(flags).toContain("--no-ui")
    for (const flag of flags) expect(help).toContain(`[env: ${Cli.environmentVariable(flag)}`)
    const rows = readmeRows()
    expect([...rows.map((r) => r.flag)].sort()).toEqual([...flags].sort())
    for (const row of rows) expect(row.variable, row.flag).toBe(Cli.environmentVariable(row.flag))
  }, 120_000)
})

describe("parse", () => {
  it("reads --no-ui as ui: false, and leaves ui out by default", () => {
    expect(Cli.parse(["--no-ui"]).ui).toBe(false)
    expect(Cli.parse([])).not.toHaveProperty("ui")
  })

  it("refuses an unknown argument", () => {
    expect(() => Cli.parse(["--port", "1", "extra"])).toThrow(/extra/)
  })
})
