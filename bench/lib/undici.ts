/**
 * The `undici` that `@effect/platform-node` itself uses: the floor and the
 * Effect drivers then run on the very same transport code, and the floor
 * needs nothing from bench/'s own dependencies.
 */
import { createRequire } from "node:module"

export const undici: typeof import("undici") = createRequire(import.meta.resolve("@effect/platform-node"))("undici")
