/**
 * What `npm run docs` (`@effect/docgen`, configured in docgen.json) does not
 * check: every public export has a `@category`, every endpoint has an
 * `@example`, and every TypeScript example of the README typechecks.
 * Docgen itself requires `@since` on every export and compiles and runs every
 * JSDoc example; CI runs it.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import ts from "typescript"

const root = new URL("..", import.meta.url).pathname
const src = join(root, "src")

/** The public modules: everything under src/ except the private helpers. */
const publicModules = (dir = src): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === "internal" ? [] : publicModules(path)
    return entry.name.endsWith(".ts") ? [path] : []
  })

const sourceOf = (path: string) => ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true)

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

/** The exported declarations of a module, with their names and JSDoc tags (re-exports excluded). */
const exportsOf = (path: string) =>
  sourceOf(path).statements.filter(isExported).map((node) => {
    const name = ts.isVariableStatement(node)
      ? node.declarationList.declarations.map((d) => d.name.getText()).join(", ")
      : (node as ts.DeclarationStatement).name?.getText() ?? "?"
    const tags = ts.getJSDocTags(ts.isVariableStatement(node) ? node.declarationList.declarations[0]! : node)
      .map((tag) => tag.tagName.text)
    const documented = ts.getJSDocCommentsAndTags(ts.isVariableStatement(node) ? node.declarationList.declarations[0]! : node).length > 0
    return { name, tags, documented, module: relative(root, path) }
  })

/** The ```ts blocks of a text (a JSDoc comment's ` * ` prefixes removed). */
const codeBlocks = (text: string): ReadonlyArray<string> =>
  Array.from(text.matchAll(/```ts\n([\s\S]*?)```/g), (m) => m[1] ?? "")

describe("JSDoc", () => {
  const exported = publicModules().flatMap(exportsOf)

  it("gives every public export a @category (docgen checks @since)", () => {
    const missing = exported
      .filter((e) => !e.documented || !e.tags.includes("category"))
      .map((e) => `${e.module}: ${e.name}`)
    expect(missing).toEqual([])
  })

  it("gives every endpoint an @example", () => {
    const endpoints: Record<string, ReadonlyArray<string>> = {
      "src/Users.ts": ["create", "status", "remove", "requestSms", "requestCall", "registerActivity", "generateQrCode", "update", "requestEmail", "registrationStatus"],
      "src/Tokens.ts": ["verify"],
      "src/OneTouch.ts": ["sendRequest", "getApprovalStatus", "awaitApproval"],
      "src/Phones.ts": ["startVerification", "checkVerification", "info"],
      "src/App.ts": ["details", "stats"],
      "src/verify/Services.ts": ["create", "fetch", "update"],
      "src/verify/Verifications.ts": ["start", "fetch", "cancel", "approve", "check"],
      "src/verify/Entities.ts": ["fetch", "remove"],
      "src/verify/Factors.ts": ["createTotp", "verifyTotp", "fetch", "list", "remove"],
      "src/verify/Challenges.ts": ["create", "fetch", "list", "awaitChallenge", "statusChanges"],
      "src/verify/Webhooks.ts": ["create", "fetch", "list", "remove"],
      "src/verify/Lookup.ts": ["phoneNumber"],
      "src/verify/VerifyWebhook.ts": ["verify", "verifyServerRequest", "handler", "computeSignature", "validateSignature"]
    }
    for (const [module, names] of Object.entries(endpoints)) {
      for (const name of names) {
        const found = exported.find((e) => e.module === module && e.name === name)
        expect(found?.tags, `${module} ${name}`).toContain("example")
      }
    }
  })
})

describe("README examples typecheck", () => {
  const examples = codeBlocks(readFileSync(join(root, "README.md"), "utf8")).map((code, i) => ({ name: `README_${i}`, code }))

  it("has examples to check", () => {
    expect(examples.length).toBeGreaterThan(10)
  })

  it("every ```ts block of the README compiles", async () => {
    // Under node_modules so that the examples resolve the packages; one folder per run.
    const dir = join(root, "node_modules", ".cache", `effect-authy-readme-examples-${process.pid}`)
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    try {
      // Each example is its own module; `export {}` keeps their names apart.
      const files = examples.map(({ code, name }) => {
        const file = join(dir, `${name}.ts`)
        writeFileSync(file, `${code}\nexport {}\n`)
        return file
      })
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          extends: join(root, "tsconfig.json"),
          compilerOptions: { noUnusedLocals: false, noUnusedParameters: false, noEmit: true },
          include: [],
          // The emulator's declaration of the untyped `qrcode` package, as tsconfig.json's `src` brings it in.
          files: [...files, join(root, "src", "emulator", "core", "qrcode.d.ts")]
        })
      )
      // tsc in a process of its own: a worker blocked for a minute misses vitest's heartbeats.
      const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
      const output = await promisify(execFile)(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], {
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024
      }).then(() => "", (error: { readonly stdout?: string }) => error.stdout ?? String(error))
      expect(output.split("\n").filter((line) => line.trim() !== "").map((line) => line.replace(dir + "/", ""))).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)
})

describe("docgen.json", () => {
  it("leaves out only the private helpers, declaration files, the emulator's barrel and its bin", () => {
    const config = JSON.parse(readFileSync(join(root, "docgen.json"), "utf8"))
    expect(config.srcDir).toBe("src")
    expect(config.outDir).toBe("docs")
    expect(config.enforceVersion).toBe(true)
    expect(config.exclude).toEqual(["src/internal/**/*.ts", "src/**/*.d.ts", "src/emulator/index.ts", "src/emulator/bin.ts"])
  })
})
