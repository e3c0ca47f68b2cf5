// Imports the given modules in a fresh process and prints how long it took.
// Plain JavaScript, run without any loader: `node probe.mjs SPEC...`.
import { performance } from "node:perf_hooks"

const start = performance.now()
for (const specifier of process.argv.slice(2)) await import(specifier)
process.stdout.write(`IMPORT ${JSON.stringify({ ms: performance.now() - start })}\n`)
