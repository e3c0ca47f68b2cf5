import { defineConfig, mergeConfig } from "vitest/config"
import base from "./vitest.config.js"

/**
 * `npm run test:package`: the slow end-to-end checks of the packed package
 * (npm pack, installs into fresh projects, consumer typechecks). Not part of
 * `npm test`; `.ci/run` runs it after.
 */
export default mergeConfig(base, defineConfig({
  test: {
    include: ["test/package/**/*.test.ts"],
    exclude: [],
    testTimeout: 300_000,
    hookTimeout: 300_000
  }
}))
