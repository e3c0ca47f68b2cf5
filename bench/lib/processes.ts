/**
 * Child processes: servers that announce their URL on stdout, and drivers that
 * print one result line. Every TypeScript file runs through tsx; every child
 * is bounded in time, leads a process group of its own (with the esbuild
 * service tsx starts in it), and that group is killed when the child is
 * stopped or the harness ends, however it ends.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { availableParallelism } from "node:os"
import { fileURLToPath } from "node:url"
import { onExit } from "./cleanup.js"

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
export const benchDir = fileURLToPath(new URL("../", import.meta.url))

export interface RunningServer {
  readonly url: string
  readonly stop: () => void
}

const exitWithParent = fileURLToPath(new URL("./exit-with-parent.mjs", import.meta.url))

/** Kills the child's whole process group: the child and whatever it started. */
const kill = (child: ChildProcess) => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, "SIGKILL")
  } catch {
    // The group is already gone.
  }
}

/**
 * Which core a child runs on, where `taskset` can say so: the stub servers on
 * the first, the measured clients on the second. On a machine of two cores a
 * client and the server it loads would otherwise take turns on both, and each
 * window would measure that scheduling as much as the client.
 */
export type Placement = "server" | "client" | "any"

const canPin = (() => {
  if (process.platform !== "linux" || availableParallelism() < 2 || process.env.BENCH_NO_PIN === "1") return false
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

/** Whether children are pinned to cores (see {@link Placement}), for the report. */
export const pinned = canPin

const coreOf = (placement: Placement) => placement === "server" ? "0" : "1"

/** Moves a running child, every thread of it, to its core. */
const pin = (child: ChildProcess, placement: Placement): void => {
  if (!canPin || placement === "any" || child.pid === undefined) return
  try {
    execFileSync("taskset", ["-a", "-pc", coreOf(placement), String(child.pid)], { stdio: "ignore" })
  } catch {
    // The child is already gone: its own exit is what the caller will see.
  }
}

const spawnTs = (
  file: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  nodeArgs: ReadonlyArray<string> = []
) => {
  const child = spawn(process.execPath, [...nodeArgs, "--import", exitWithParent, "--import", "tsx", file, ...args], {
    cwd: repoRoot, // where `--import tsx` and the packages resolve
    env: { ...process.env, ...env },
    // stdin is for paired drivers (startConversation); the others never read it.
    stdio: ["pipe", "pipe", "pipe"],
    detached: true // leads its own process group, so that kill() reaches its children too
  })
  const cancel = onExit(() => kill(child))
  // Once the child has ended, whatever it left in its group (tsx's esbuild service) goes too.
  child.on("exit", () => (cancel(), kill(child)))
  // Announced on stderr, for the test that kills the harness and looks for survivors.
  process.stderr.write(`[bench] started pid ${child.pid} ${file}\n`)
  return child
}

/** Starts a server and resolves with the first URL matched by `announce` on its stdout. */
export const startServer = (
  file: string,
  args: ReadonlyArray<string>,
  announce: RegExp,
  timeoutMs = 30_000,
  placement: Placement = "any"
): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    // Started on any core, pinned once it listens (see Placement).
    const child = spawnTs(file, args, {})
    let output = ""
    const timer = setTimeout(() => fail(new Error(`${file} did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs)
    const fail = (error: Error) => {
      clearTimeout(timer)
      kill(child)
      reject(error)
    }
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = announce.exec(output)
      if (match?.[1] === undefined) return
      clearTimeout(timer)
      pin(child, placement)
      resolve({ url: match[1], stop: () => kill(child) })
    })
    child.on("exit", (code) => fail(new Error(`${file} exited (${code}) before listening:\n${output}`)))
  })

export type Outcome<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: string }

/** Runs a script to its end and parses the JSON after `prefix` on its stdout. */
export const runForResult = <A>(
  file: string,
  options: {
    readonly prefix: string
    readonly env?: NodeJS.ProcessEnv
    readonly nodeArgs?: ReadonlyArray<string>
    readonly timeoutMs: number
  }
): Promise<Outcome<A>> =>
  new Promise((resolve) => {
    const child = spawnTs(file, [], options.env ?? {}, options.nodeArgs)
    let stdout = ""
    let stderr = ""
    const timer = setTimeout(() => {
      stderr += `\ntimed out after ${options.timeoutMs} ms`
      kill(child)
    }, options.timeoutMs)
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("close", (code) => {
      clearTimeout(timer)
      const line = stdout.split("\n").find((l) => l.startsWith(options.prefix))
      if (code === 0 && line !== undefined) {
        resolve({ ok: true, value: JSON.parse(line.slice(options.prefix.length)) as A })
      } else {
        resolve({ ok: false, error: `exit ${code}: ${lastLines(stderr || stdout)}` })
      }
    })
  })

/** The first error-looking line of a child's output, else its last lines. */
const lastLines = (text: string): string => {
  const lines = text.trim().split("\n").map((l) => l.trim()).filter((l) => l !== "" && l !== "}")
  const error = lines.find((l) => /Error\b|code: /.test(l) && !l.startsWith("at "))
  return error ?? lines.slice(-3).join(" | ")
}

/** A driver kept up between commands: each `send` answers with the next line starting with `prefix`. */
export interface Conversation {
  readonly send: (line: string, prefix: string, timeoutMs: number) => Promise<string>
  readonly stop: () => void
}

/** Starts a driver that talks line by line (paired mode), once it printed `ready`. */
export const startConversation = (
  file: string,
  env: NodeJS.ProcessEnv,
  ready: string,
  timeoutMs: number
): Promise<Conversation> =>
  new Promise((resolve, reject) => {
    // Started on any core (side by side they start faster), pinned once ready.
    const child = spawnTs(file, [], env)
    let stdout = ""
    let stderr = ""
    let waiting: { prefix: string; resolve: (line: string) => void } | undefined
    /** Hands the first complete line starting with the awaited prefix to its waiter. */
    const deliver = () => {
      if (waiting === undefined) return
      const lines = stdout.split("\n")
      const index = lines.slice(0, -1).findIndex((l) => l.startsWith(waiting!.prefix))
      if (index === -1) return
      stdout = lines.slice(index + 1).join("\n")
      const { prefix, resolve } = waiting
      waiting = undefined
      resolve(lines[index]!.slice(prefix.length))
    }
    const expect = (prefix: string, ms: number) =>
      new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`${file}: no ${prefix.trim()} in ${ms} ms: ${lastLines(stderr || stdout)}`)), ms)
        waiting = { prefix, resolve: (line) => (clearTimeout(timer), res(line)) }
        deliver()
      })
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
      deliver()
    })
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("exit", (code) => reject(new Error(`${file} exited (${code}): ${lastLines(stderr || stdout)}`)))
    const conversation: Conversation = {
      send: (line, prefix, ms) => {
        const answer = expect(prefix, ms)
        child.stdin.write(`${line}\n`)
        return answer
      },
      stop: () => {
        child.stdin.end("exit\n")
        kill(child)
      }
    }
    expect(ready, timeoutMs).then(
      () => (pin(child, "client"), resolve(conversation)),
      (error) => (kill(child), reject(error))
    )
  })
