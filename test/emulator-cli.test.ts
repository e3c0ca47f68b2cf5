/**
 * The emulator's command line as a developer runs it (`npm run emulator`, the
 * package's bin): it prints its URL, and a port already in use is one readable
 * line and exit code 2, not a stack. No timing is asserted; how fast it starts
 * is a matter for the README, measured by hand.
 */
import { createServer, type Server } from "node:net"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { start, stopAll, waitFor } from "./util/processes.js"

const launcher = fileURLToPath(new URL("../bin/effect-authy-emulator.js", import.meta.url))

afterEach(stopAll)

const emulator = (...args: ReadonlyArray<string>) => start(process.execPath, [launcher, ...args])

const listening = (): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => resolve(server))
  })

describe("effect-authy-emulator", () => {
  it("prints its URL and serves on it", async () => {
    const process = emulator("--port", "0", "--api-key", "cli-key")
    await waitFor(process, () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(process.stdout()))
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(process.stdout())![1]!
    const response = await fetch(`${url}/protected/json/app/details`, { headers: { "x-authy-api-key": "cli-key" } })
    expect(response.status).toBe(200)
  }, 120_000)

  it("a port in use: one line that says what to do, exit code 2", async () => {
    const taken = await listening()
    try {
      const { port } = taken.address() as AddressInfo
      const process = emulator("--port", String(port))
      const { code } = await process.closed
      expect(code).toBe(2)
      expect(process.stderr().trim()).toBe(`port ${port} is in use; pass --port 0 for a free one`)
      expect(process.stdout()).toBe("")
    } finally {
      taken.close()
    }
  }, 120_000)

  it("a bad argument: the reason and the usage, exit code 2", async () => {
    const process = emulator("--port", "70000")
    const { code } = await process.closed
    expect(code).toBe(2)
    expect(process.stderr()).toMatch(/port/i)
    expect(process.stderr()).not.toMatch(/\n\s+at /) // no stack
  }, 120_000)
})
