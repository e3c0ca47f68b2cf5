/**
 * What the harness undoes however it ends: on a normal exit, on an uncaught
 * error, and on SIGINT, SIGTERM or SIGHUP. A SIGKILL runs nothing here; the
 * children then end by themselves (see `exit-with-parent.mjs`).
 */
import { mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const tasks = new Set<() => void>()

const runAll = () => {
  for (const task of tasks) {
    try {
      task()
    } catch {
      // Best effort: one failing step must not keep the others from running.
    }
  }
  tasks.clear()
}

let installed = false
const install = () => {
  if (installed) return
  installed = true
  process.on("exit", runAll)
  const signals = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const
  for (const [signal, number] of Object.entries(signals)) {
    process.on(signal, () => process.exit(128 + number)) // "exit" runs the tasks
  }
}

/** Runs `task` when the process ends, unless the returned function is called first. */
export const onExit = (task: () => void): () => void => {
  install()
  tasks.add(task)
  return () => tasks.delete(task)
}

/**
 * A new folder under the system temp folder, removed when `remove` is called
 * or the process ends. With `linkNodeModules`, the repository's node_modules
 * is linked into it, so that modules written there resolve the packages.
 */
export const makeTempDir = (
  prefix: string,
  options: { readonly linkNodeModules?: string } = {}
): { readonly path: string; readonly remove: () => void } => {
  const path = mkdtempSync(join(tmpdir(), `effect-authy-bench-${prefix}-`))
  const remove = () => rmSync(path, { recursive: true, force: true })
  const cancel = onExit(remove)
  process.stderr.write(`[bench] temp folder ${path}\n`) // for the test that checks it is removed
  if (options.linkNodeModules !== undefined) symlinkSync(options.linkNodeModules, join(path, "node_modules"), "dir")
  return { path, remove: () => (cancel(), remove()) }
}
