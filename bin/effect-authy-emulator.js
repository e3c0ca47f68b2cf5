#!/usr/bin/env node
// Launcher of the Authy emulator (`effect-authy-emulator`, `npm run emulator`).
//
// - Installed as a package (under node_modules), it runs the compiled
//   dist/emulator/bin.js.
// - In a source checkout, it runs dist/ too when dist/ is newer than every
//   file of src/ (`npm install` builds it): plain JavaScript starts in about a
//   second. When src/ has changed since, it runs src/emulator/bin.ts through
//   tsx (a devDependency) instead, which starts slower but is never stale.
import { existsSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const source = new URL("../src/emulator/bin.ts", import.meta.url)
const built = new URL("../dist/emulator/bin.js", import.meta.url)
const installed = import.meta.url.includes("/node_modules/")

/** The newest modification time of the files under `dir`. */
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name)
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }, 0)

const fresh = () =>
  existsSync(built) &&
  (installed || !existsSync(source) || statSync(built).mtimeMs >= newest(fileURLToPath(new URL("../src", import.meta.url))))

if (fresh()) {
  await import(built.href)
} else {
  const tsx = existsSync(source) ? await import("tsx/esm/api").catch(() => undefined) : undefined
  if (tsx !== undefined) {
    tsx.register()
    await import(source.href)
  } else {
    console.error("effect-authy-emulator: found neither a built dist/ nor src/ with tsx (run `npm run build`)")
    process.exitCode = 1
  }
}
