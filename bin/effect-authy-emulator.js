#!/usr/bin/env node
// Launcher of the Authy emulator (`effect-authy-emulator`).
//
// - In a source checkout (src/ present and tsx installed, as after a plain
//   `npm install`), it runs src/emulator/bin.ts through tsx: no build needed,
//   and never a stale dist/.
// - In the published package (no src/, no tsx), it runs the compiled
//   dist/emulator/bin.js.
import { existsSync } from "node:fs"

const source = new URL("../src/emulator/bin.ts", import.meta.url)
const built = new URL("../dist/emulator/bin.js", import.meta.url)

const tsx = existsSync(source) ? await import("tsx/esm/api").catch(() => undefined) : undefined

if (tsx !== undefined) {
  tsx.register()
  await import(source.href)
} else if (existsSync(built)) {
  await import(built.href)
} else {
  console.error("effect-authy-emulator: found neither src/ with tsx nor dist/ (run `npm run build`)")
  process.exitCode = 1
}
