/**
 * Transpiles src/ to plain ESM in a fresh folder with TypeScript's
 * transpileModule, one file per module as `npm run build` would: what the
 * drivers, the emulator's bench and the import time measure
 * (bench/lib/library.ts), with no tsx loader in between.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import ts from "typescript"

const walk = (dir: string, emulator: boolean): ReadonlyArray<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === "emulator" && !emulator ? [] : walk(path, emulator)
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : []
  })

/**
 * Writes into `outDir` (an empty folder); returns the path of the built
 * `index.js`. The emulator is left out unless asked for.
 */
export const buildLibrary = (srcDir: string, outDir: string, options: { readonly emulator?: boolean } = {}): string => {
  for (const file of walk(srcDir, options.emulator === true)) {
    const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file
    })
    const out = join(outDir, relative(srcDir, file).replace(/\.ts$/, ".js"))
    mkdirSync(join(out, ".."), { recursive: true })
    writeFileSync(out, outputText)
  }
  // ES modules, whoever loads them: without it, Node and tsx would read them as CommonJS
  // and resolve `effect` to its CommonJS build, a second copy beside the caller's.
  writeFileSync(join(outDir, "package.json"), JSON.stringify({ type: "module" }))
  return join(outDir, "index.js")
}
