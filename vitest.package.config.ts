import { defineConfig } from "vitest/config"
import base from "./vitest.config.js"

/**
 * `npm run test:package`: the slow end-to-end checks of the packed package
 * (npm pack, installs into fresh projects, consumer typechecks). Not part of
 * `npm test`; `.ci/run` runs it after. The same module aliases as the main
 * config, none of its test selection (mergeConfig would concatenate the
 * include lists).
 */
export default defineConfig({
  ...(base.resolve === undefined ? {} : { resolve: base.resolve }),
  test: {
    include: ["test/package/**/*.test.ts"],
    // Safety nets for a hang: each test packs or installs, a minute or two on a loaded machine.
    testTimeout: 600_000,
    hookTimeout: 600_000
  }
})
