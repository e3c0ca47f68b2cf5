#!/usr/bin/env node
// Launcher of the Authy emulator (`effect-authy-emulator`).
//
// - Installed as a package (under node_modules), it runs the compiled
//   dist/emulator/bin.js.
// - In a source checkout, it runs src/emulator/bin.ts through tsx (a
//   devDependency): no build needed after `npm install`, and never a stale dist/.
import { existsSync } from "node:fs"

const source = new URL("../src/emulator/bin.ts", import.meta.url)
const built = new URL("../dist/emulator/bin.js", import.meta.url)
const installed = import.meta.url.includes("/node_modules/")

const tsx = !installed && existsSync(source) ? await import("tsx/esm/api").catch(() => undefined) : undefined

if (tsx !== undefined) {
  tsx.register()
  await import(source.href)
} else if (existsSync(built)) {
  await import(built.href)
} else {
  console.error("effect-authy-emulator: found neither src/ with tsx nor dist/ (run `npm run build`)")
  process.exitCode = 1
}
