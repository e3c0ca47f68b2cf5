/**
 * Child processes for tests: each leads a process group of its own, and the
 * group is killed when the test is done with it, when the test times out
 * (through `stopAll` in an `afterEach`/`afterAll`) and when the worker exits.
 * Nothing a test starts may outlive it.
 */
import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"

export interface Started {
  readonly child: ChildProcess
  readonly pid: number
  /** Everything written so far to stdout and stderr. */
  readonly stdout: () => string
  readonly stderr: () => string
  /** Settles when the process has exited and its pipes are closed. */
  readonly closed: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  /** Kills the whole process group. */
  readonly stop: () => void
}

const running = new Set<Started>()

const killGroup = (pid: number) => {
  try {
    process.kill(-pid, "SIGKILL")
  } catch {
    // Already gone.
  }
}

process.once("exit", () => stopAll())

/** Kills every group started here and not yet stopped. */
export const stopAll = () => {
  for (const started of running) started.stop()
}

/** Starts `command` as the leader of a new process group. */
export const start = (command: string, args: ReadonlyArray<string>, options: SpawnOptions = {}): Started => {
  const child = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"], ...options, detached: true })
  if (child.pid === undefined) throw new Error(`could not start ${command}`)
  const pid = child.pid
  let stdout = ""
  let stderr = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal }))
  })
  const started: Started = {
    child,
    pid,
    stdout: () => stdout,
    stderr: () => stderr,
    closed,
    stop: () => {
      running.delete(started)
      killGroup(pid)
    }
  }
  running.add(started)
  // Whatever the leader left in its group goes with it.
  void closed.then(started.stop, started.stop)
  return started
}

/** Resolves once `predicate` holds of the output, or rejects when the process closes first. */
export const waitFor = (started: Started, predicate: () => boolean): Promise<void> =>
  new Promise((resolve, reject) => {
    const check = () => {
      if (predicate()) {
        started.child.stdout?.off("data", check)
        started.child.stderr?.off("data", check)
        resolve()
      }
    }
    started.child.stdout?.on("data", check)
    started.child.stderr?.on("data", check)
    void started.closed.then(() => predicate() ? resolve() : reject(new Error(`exited first:\n${started.stdout()}\n${started.stderr()}`)))
    check()
  })

/** The live (non-zombie) processes of the machine whose pid or process group is in `ids`. */
export const survivors = (ids: ReadonlySet<number>): ReadonlyArray<string> => {
  const found: Array<string> = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8")
    } catch {
      continue // ended while we looked
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    if (state === "Z") continue
    if (ids.has(Number(entry)) || ids.has(Number(pgrp))) found.push(`${entry} ${stat.slice(0, stat.lastIndexOf(")") + 1)}`)
  }
  return found
}
