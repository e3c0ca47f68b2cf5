import { defineConfig } from "vitest/config"
import base from "./vitest.config.js"

/**
 * `npm run test:browser`: the web inbox driven in a real headless Chromium
 * (Debian's `chromium`, through playwright-core). Not part of `npm test`;
 * `.ci/run` runs it after the package checks, having installed the browser
 * where it is missing. The same module aliases as the main config, none of
 * its test selection (mergeConfig would concatenate the include lists).
 */
export default defineConfig({
  ...(base.resolve === undefined ? {} : { resolve: base.resolve }),
  test: {
    include: ["test/browser/**/*.test.ts"],
    // Safety nets for a hang: a browser start on a loaded machine takes seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000
  }
})
