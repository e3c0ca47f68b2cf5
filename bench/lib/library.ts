/**
 * The library as it ships: src/ transpiled once per run to plain JavaScript,
 * one file per module as `npm run build` makes it, which the drivers and the
 * emulator's bench then import. Run through tsx instead, every named closure
 * would be wrapped in esbuild's `__name` (a `defineProperty` per closure
 * made, on every call), a cost the published package does not have.
 */
import { join } from "node:path"
import { buildLibrary } from "./build.js"
import { makeTempDir } from "./cleanup.js"
import { repoRoot } from "./processes.js"

const variable = "BENCH_LIBRARY"

/**
 * Builds the library (emulator included) into a temporary folder, removed
 * when the run ends, and names it in this process's environment, which
 * every child inherits. Returns that folder; built once per run.
 */
export const useBuiltLibrary = (): string => {
  const built = process.env[variable]
  if (built !== undefined) return built
  // The build imports effect by name: node_modules is linked in beside it.
  const dir = makeTempDir("lib", { linkNodeModules: join(repoRoot, "node_modules") })
  buildLibrary(join(repoRoot, "src"), dir.path, { emulator: true })
  process.env[variable] = dir.path
  return dir.path
}

/**
 * Imports a module of the library (`"index"`, `"node/index"`,
 * `"emulator/Emulator"`): the built one when the run made it, else the
 * source, through tsx.
 */
export const importLibrary = <M>(module: string): Promise<M> => {
  const built = process.env[variable]
  return import(built === undefined ? join(repoRoot, "src", `${module}.ts`) : join(built, `${module}.js`)) as Promise<M>
}
