import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: {
    // The package's own name, for tests and examples written as a user would
    // write them (same mapping as the `paths` of tsconfig.json).
    alias: [
      { find: /^effect-authy\/emulator$/, replacement: fileURLToPath(new URL("./src/emulator/index.ts", import.meta.url)) },
      { find: /^effect-authy\/node$/, replacement: fileURLToPath(new URL("./src/node/index.ts", import.meta.url)) },
      { find: /^effect-authy\/redis$/, replacement: fileURLToPath(new URL("./src/redis/index.ts", import.meta.url)) },
      { find: /^effect-authy\/verify$/, replacement: fileURLToPath(new URL("./src/verify/index.ts", import.meta.url)) },
      { find: /^effect-authy$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    // The packed-package checks are slow; `npm run test:package` runs them.
    // The browser test needs Chromium; `npm run test:browser` runs it.
    exclude: ["test/package/**", "test/browser/**", "**/node_modules/**"],
    // Three test files at a time. Most tests wait on sockets and child processes (the emulator,
    // redis-server, tsx runs of the examples and the CLI), so vitest's default of one worker on
    // a 2-core machine left the CPUs idle half the time: about 4m50s idle, 3m20s with three.
    maxWorkers: 3,
    // Safety nets for a hang, far above what any test takes even on a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
