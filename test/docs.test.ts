/**
 * The documentation is checked like code: every public export has JSDoc with
 * `@since` and `@category`, every endpoint has an `@example`, and every
 * TypeScript example — in JSDoc and in the README — typechecks.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
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

const jsdocExamples = (path: string): ReadonlyArray<string> => {
  const text = readFileSync(path, "utf8")
  return Array.from(text.matchAll(/\/\*\*[\s\S]*?\*\//g), (m) => m[0].replace(/^\s*\* ?/gm, "")).flatMap(codeBlocks)
}

describe("JSDoc", () => {
  const exported = publicModules().flatMap(exportsOf)

  it("documents every public export with @since and @category", () => {
    const missing = exported
      .filter((e) => !e.documented || !e.tags.includes("since") || !e.tags.includes("category"))
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

describe("examples typecheck", () => {
  const examples = [
    ...publicModules().flatMap((path) => jsdocExamples(path).map((code, i) => ({ name: `${relative(src, path).replace(/\W/g, "_")}_${i}`, code }))),
    ...codeBlocks(readFileSync(join(root, "README.md"), "utf8")).map((code, i) => ({ name: `README_${i}`, code }))
  ]

  it("has examples to check", () => {
    expect(examples.length).toBeGreaterThan(30)
  })

  it("every ```ts block of the JSDoc and the README compiles", () => {
    const dir = join(root, "node_modules", ".cache", "effect-authy-doc-examples")
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    // Each example is its own module; `export {}` keeps their names apart.
    const files = examples.map(({ code, name }) => {
      const file = join(dir, `${name}.ts`)
      writeFileSync(file, `${code}\nexport {}\n`)
      return file
    })
    const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined
    })
    const options = { ...config!.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true }
    const program = ts.createProgram(files, options)
    const errors = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && d.file.fileName.startsWith(dir))
      .map((d) => `${relative(dir, d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`)
    expect(errors).toEqual([])
  }, 120_000)
})
