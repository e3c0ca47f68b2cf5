/**
 * The package as a user gets it from npm: `npm pack`, installed into fresh
 * projects with only its peers. Proves the exports map, the declarations, the
 * `bin`, and that the core entry needs no @effect/platform-node.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { start, stopAll, waitFor } from "../util/processes.js"

// Asynchronous on purpose: a blocked worker misses vitest's heartbeats.
const run = async (file: string, args: ReadonlyArray<string>, cwd: string): Promise<string> =>
  (await promisify(execFile)(file, [...args], { cwd, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 })).stdout

const root = new URL("../..", import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), "effect-authy-pack-"))

/** The versions installed here, so the fresh projects install from npm's cache. */
const installedVersion = (name: string): string =>
  JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version

const npm = (cwd: string, args: ReadonlyArray<string>) => run("npm", args, cwd)

const makeProject = async (name: string, dependencies: ReadonlyArray<string>, tarball: string) => {
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }))
  await npm(dir, ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, ...dependencies])
  return dir
}

const peers = () => [`effect@${installedVersion("effect")}`, `@effect/platform@${installedVersion("@effect/platform")}`]
const tools = () => [`typescript@${installedVersion("typescript")}`, `@types/node@${installedVersion("@types/node")}`]

const program = `
import { Effect, Layer, Redacted } from "effect"
import { ApiError, AuthyService, Tokens, Users } from "effect-authy"
import { UndiciHttpClient } from "effect-authy/node"
import { RedisNonceStore } from "effect-authy/redis"

// The Redis entry resolves and typechecks with its optional peer installed.
export const StoreLive = RedisNonceStore.layer({ url: "redis://127.0.0.1:1" })

const [url, key] = process.argv.slice(2) as [string, string]
const AuthyLive = AuthyService.layer({ apiKey: Redacted.make(key), apiUrl: url }).pipe(Layer.provide(UndiciHttpClient.layer))

const main = Effect.gen(function* () {
  const { user } = yield* Users.create({ email: "pack@example.com", cellphone: "+57 305 342 5699" })
  yield* Users.requestSms(user.id, { force: true })
  const outbox = yield* Effect.promise(() =>
    fetch(url + "/__emulator/messages?authy_id=" + user.id, { headers: { "x-authy-api-key": key } }).then((r) => r.json())
  ) as Effect.Effect<{ messages: Array<{ code: string }> }>
  const code = outbox.messages.at(-1)!.code
  const ok = yield* Tokens.verify(user.id, code)
  const wrong = yield* Effect.flip(Tokens.verify(user.id, "0000000"))
  console.log(JSON.stringify({ token: ok.token, wrong: wrong instanceof ApiError ? wrong.errorCode : wrong._tag }))
})

Effect.runPromise(Effect.provide(main, AuthyLive))
`

/**
 * A strict consumer's tsconfig, with `skipLibCheck: false`: every installed
 * declaration file is checked, ours and the peers'. With
 * @effect/platform-node installed, its own declarations need `@types/ws`
 * (the README says so).
 */
const tsconfig = (moduleResolution: "NodeNext" | "Bundler", file: string) =>
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: moduleResolution === "NodeNext" ? "NodeNext" : "ESNext",
      moduleResolution,
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      types: ["node"],
      outDir: "out"
    },
    include: [file]
  })

const typecheck = async (dir: string, file: string) => {
  for (const resolution of ["Bundler", "NodeNext"] as const) {
    writeFileSync(join(dir, "tsconfig.json"), tsconfig(resolution, file))
    await run(join(dir, "node_modules", ".bin", "tsc"), ["-p", "."], dir)
  }
}

/** Starts the installed `effect-authy-emulator` (a process group of its own) and resolves with its URL. */
const startEmulator = async (dir: string) => {
  const emulator = start(join(dir, "node_modules", ".bin", "effect-authy-emulator"), ["--port", "0", "--api-key", "pack-key"])
  const url = () => /(http:\/\/127\.0\.0\.1:\d+)/.exec(emulator.stdout())?.[1]
  await waitFor(emulator, () => url() !== undefined)
  return { url: url()!, stop: emulator.stop }
}

let tarball = ""

beforeAll(async () => {
  const packed = (await npm(root, ["pack", "--silent", "--pack-destination", work])).trim().split("\n").at(-1) ?? ""
  tarball = join(work, packed)
}, 240_000)

afterAll(() => {
  stopAll()
  rmSync(work, { recursive: true, force: true })
})

describe("the packed package", () => {
  it("ships dist with declarations, the bin, and no tests", async () => {
    const listing = await run("tar", ["-tzf", tarball], work)
    expect(listing).toContain("package/dist/index.js")
    expect(listing).toContain("package/dist/index.d.ts")
    expect(listing).toContain("package/dist/index.d.ts.map")
    expect(listing).toContain("package/dist/emulator/index.js")
    expect(listing).toContain("package/dist/node/index.js")
    expect(listing).toContain("package/dist/redis/index.js")
    expect(listing).toContain("package/examples/quickstart.ts")
    expect(listing).toContain("package/bin/effect-authy-emulator.js")
    expect(listing).not.toContain("package/test/")
    expect(listing).not.toContain("node_modules")
  })

  it("typechecks and runs a verify flow against the emulator started from the installed bin", async () => {
    const dir = await makeProject(
      "with-node",
      [...peers(), `@effect/platform-node@${installedVersion("@effect/platform-node")}`, `redis@${installedVersion("redis")}`, ...tools(), "@types/ws@8"],
      tarball
    )
    writeFileSync(join(dir, "main.ts"), program)
    await typecheck(dir, "main.ts")
    const emulator = await startEmulator(dir)
    try {
      const output = await run("node", ["out/main.js", emulator.url, "pack-key"], dir)
      expect(JSON.parse(output.trim())).toEqual({ token: "is valid", wrong: "60020" })
    } finally {
      emulator.stop()
    }
  }, 240_000)

  it("loads and typechecks its core entry without @effect/platform-node installed", async () => {
    const dir = await makeProject("core-only", [...peers(), ...tools()], tarball)
    const check = `
      import { FetchHttpClient } from "@effect/platform"
      import { Effect, Layer, Redacted } from "effect"
      import { AuthyService, Users, ValidationError } from "effect-authy"
      const live = AuthyService.layer({ apiKey: Redacted.make("k") }).pipe(Layer.provide(FetchHttpClient.layer))
      const error: unknown = await Effect.runPromise(Effect.flip(Effect.provide(Users.status("nope"), live)))
      console.log(error instanceof ValidationError ? "ok" : "bad")
    `
    writeFileSync(join(dir, "check.ts"), check)
    await expect(run("node", ["--input-type=module", "-e", "await import('@effect/platform-node')"], dir)).rejects.toThrow()
    await typecheck(dir, "check.ts")
    expect((await run("node", ["out/check.js"], dir)).trim()).toBe("ok")
  }, 240_000)
})
