/**
 * A real `redis-server` for tests: on loopback, on a free port, without
 * persistence, in a temporary directory, in its own process group. Stopped
 * (and its directory removed) by `stop`, and at the latest when the test
 * process exits.
 *
 * A missing `redis-server` is an error, never a skip: CI installs it
 * (`.ci/run`), and a developer must too (`apt-get install redis-server`).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createConnection, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server's process group and removes its directory; idempotent. */
  readonly stop: () => Promise<void>
}

const missing = "redis-server is not on PATH: these tests need a real Redis. " +
  "Install it (Debian/Ubuntu: apt-get install redis-server; .ci/run does it in CI)."

const onPath = (): boolean => spawnSync("redis-server", ["--version"], { stdio: "ignore" }).error === undefined

/** A port nothing listens on right now (the OS picks it). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** One `PING`; true on `+PONG`. */
const ping = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    let answer = ""
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once("error", () => done(false))
    socket.once("connect", () => socket.write("PING\r\n"))
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8")
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"))
    })
  })

const killGroup = (child: ChildProcess): void => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, "SIGKILL")
  } catch {
    // Already gone.
  }
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()))

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const startOnce = async (): Promise<RedisServer> => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "effect-authy-redis-"))
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { detached: true, stdio: ["ignore", "pipe", "pipe"] }
  )
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
  const cleanupOnExit = () => killGroup(child)
  process.once("exit", cleanupOnExit)

  let stopped: Promise<void> | undefined
  const stop = () =>
    (stopped ??= (async () => {
      killGroup(child)
      await exited(child)
      process.removeListener("exit", cleanupOnExit)
      rmSync(dir, { recursive: true, force: true })
    })())

  // Ready within 10 s (polling, bounded), or an error that says why.
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) break
    if (await ping(port)) return { port, url: `redis://127.0.0.1:${port}`, stop }
    await delay(100)
  }
  await stop()
  throw new Error(`redis-server did not start on port ${port}:\n${output.slice(-2000)}`)
}

/**
 * Starts a server. Fails with a clear message when `redis-server` is not
 * installed. Retries on another port if the chosen one was taken meanwhile.
 */
export const startRedis = async (): Promise<RedisServer> => {
  if (!onPath()) throw new Error(missing)
  let last: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce()
    } catch (error) {
      last = error
    }
  }
  throw last
}
