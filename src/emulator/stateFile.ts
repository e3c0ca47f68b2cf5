/**
 * The state file: whole Authy applications and Twilio accounts as one
 * versioned JSON document, so that a team can start every run from the same
 * world (`--state FILE`, `PUT /__emulator/state`, `GET /__emulator/state`,
 * `control.importState`/`exportState`). The format is the Schema below;
 * `state.schema.json` beside this module is its JSON Schema, derived from
 * it (a test keeps the two equal). A document is refused whole, with the
 * path of the first bad field (`authy.applications[0].users[2].cellphone`).
 *
 * @since 0.3.0
 */
import { Data, Effect, Either, JSONSchema, ParseResult, Schema } from "effect"
import * as AuthySnapshot from "./authy/snapshot.js"
import type * as AuthyState from "./authy/State.js"
import * as VerifySnapshot from "./verify/snapshot.js"
import type * as VerifyState from "./verify/State.js"

/**
 * The format's version: a document names it, and a later format will read
 * this one.
 *
 * @since 0.3.0
 * @category constants
 */
export const version = 1

/**
 * The largest state file read at start (`--state`), 16 MiB; over HTTP the
 * server's 1 MiB body cap applies.
 *
 * @since 0.3.0
 * @category limits
 */
export const maxFileBytes = 16 * 1024 * 1024

/**
 * A state document.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Document = Schema.Struct({
  version: Schema.Literal(version),
  authy: Schema.optional(Schema.Struct({
    applications: Schema.Array(AuthySnapshot.ApplicationEntry).pipe(Schema.maxItems(AuthySnapshot.limits.maxApplications))
  })),
  verify: Schema.optional(Schema.Struct({
    accounts: Schema.Array(VerifySnapshot.AccountEntry).pipe(Schema.maxItems(VerifySnapshot.limits.maxAccounts))
  }))
}).annotations({
  identifier: "EmulatorState",
  title: "effect-authy emulator state",
  description: "Authy applications and Twilio Verify accounts to start the emulator from"
})

/**
 * @since 0.3.0
 * @category models
 */
export type Document = typeof Document.Type

/**
 * The JSON Schema of {@link Document} (what `state.schema.json` holds).
 *
 * @since 0.3.0
 * @category schemas
 */
export const jsonSchema = (): JSONSchema.JsonSchema7Root => JSONSchema.make(Document)

/**
 * A document refused: `path` names the field (`authy.applications[0].api_key`,
 * or `$` for the whole document).
 *
 * @since 0.3.0
 * @category errors
 */
export class InvalidState extends Data.TaggedError("InvalidState")<{ readonly path: string; readonly reason: string }> {
  /** @since 0.3.0 */
  override get message(): string {
    return `Invalid emulator state at ${this.path}: ${this.reason}`
  }
}

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : `${out}${out === "" ? "" : "."}${String(key)}`), "") || "$"

/**
 * How deep a document may nest: the deepest field of the format
 * (`verify.accounts[].services[].entities[].factors[].config.alg`) is 11
 * levels down. Checked without recursion before the Schema runs, whose
 * error messages print the value they refuse and would overflow the stack
 * on a pathologically deep one.
 *
 * @since 0.3.0
 * @category limits
 */
export const maxDepth = 16

const tooDeep = (input: unknown): boolean => {
  const stack: Array<readonly [unknown, number]> = [[input, 0]]
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!
    if (typeof value !== "object" || value === null) continue
    if (depth >= maxDepth) return true
    for (const child of Object.values(value)) stack.push([child, depth + 1])
  }
  return false
}

const decodeDocument = Schema.decodeUnknownEither(Document, { onExcessProperty: "error", errors: "first" })

/** The first rule across entries a document breaks, with its full path. */
const crossCheck = (document: Document): InvalidState | undefined => {
  for (const [i, app] of (document.authy?.applications ?? []).entries()) {
    const problem = AuthySnapshot.check(app)
    if (problem !== undefined) return new InvalidState({ path: pathText(["authy", "applications", i, ...problem.path]), reason: problem.message })
  }
  for (const [i, account] of (document.verify?.accounts ?? []).entries()) {
    const problem = VerifySnapshot.check(account)
    if (problem !== undefined) return new InvalidState({ path: pathText(["verify", "accounts", i, ...problem.path]), reason: problem.message })
  }
  const keys = (document.authy?.applications ?? []).map((a) => a.api_key)
  const duplicate = keys.findIndex((k, i) => keys.indexOf(k) !== i)
  if (duplicate !== -1) return new InvalidState({ path: `authy.applications[${duplicate}].api_key`, reason: "duplicate API key" })
  const sids = (document.verify?.accounts ?? []).map((a) => a.account_sid)
  const twice = sids.findIndex((s, i) => sids.indexOf(s) !== i)
  if (twice !== -1) return new InvalidState({ path: `verify.accounts[${twice}].account_sid`, reason: "duplicate account SID" })
  return undefined
}

/**
 * Validates a parsed JSON value as a document.
 *
 * @since 0.3.0
 * @category decoding
 */
export const decode = (input: unknown): Either.Either<Document, InvalidState> =>
  tooDeep(input)
    ? Either.left(new InvalidState({ path: "$", reason: `nests deeper than ${maxDepth} levels` }))
    : Either.flatMap(
    Either.mapLeft(decodeDocument(input), (error) => {
      const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
      return new InvalidState({ path: pathText(first?.path ?? []), reason: first?.message ?? "is invalid" })
    }),
    (document) => {
      const refused = crossCheck(document)
      return refused === undefined ? Either.right(document) : Either.left(refused)
    }
  )

/**
 * Parses and validates a document's text (at most {@link maxFileBytes}).
 *
 * @since 0.3.0
 * @category decoding
 */
export const parse = (text: string): Either.Either<Document, InvalidState> => {
  if (text.length > maxFileBytes) return Either.left(new InvalidState({ path: "$", reason: "is larger than 16 MiB" }))
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(new InvalidState({ path: "$", reason: "is not JSON" }))
  }
  return decode(json)
}

/**
 * The document of one application.
 *
 * @since 0.3.0
 * @category export
 */
export const exportApp = (state: AuthyState.Service, apiKey: string): Effect.Effect<Document, AuthyState.UnknownApiKey> =>
  state.use(apiKey, (app) => ({ version, authy: { applications: [AuthySnapshot.fromApp(app)] } }))

/**
 * The document of one account.
 *
 * @since 0.3.0
 * @category export
 */
export const exportAccount = (state: VerifyState.Service, accountSid: string): Effect.Effect<Document, VerifyState.UnknownAccount> =>
  state.use(accountSid, (account) => ({ version, verify: { accounts: [VerifySnapshot.fromAccount(account)] } }))

/**
 * Replaces one application's world with its entry in `document`. Scoped: the
 * document may hold that application only (its `api_key`), nothing of
 * another application or of Verify.
 *
 * @since 0.3.0
 * @category import
 */
export const importApp = (
  state: AuthyState.Service,
  apiKey: string,
  document: Document
): Effect.Effect<void, InvalidState | AuthyState.UnknownApiKey> => {
  if (document.verify !== undefined) {
    return Effect.fail(new InvalidState({ path: "verify", reason: "an application's state holds no Verify accounts" }))
  }
  const apps = document.authy?.applications ?? []
  const other = apps.findIndex((a) => a.api_key !== apiKey)
  if (other !== -1) {
    return Effect.fail(new InvalidState({ path: `authy.applications[${other}].api_key`, reason: "must be the caller's API key" }))
  }
  const entry = apps[0] ?? { api_key: apiKey }
  return state.use(apiKey, (previous) => previous).pipe(
    Effect.flatMap((previous) => state.replaceApp(apiKey, (now) => AuthySnapshot.toApp(entry, previous, now)))
  )
}

/**
 * Replaces one account's services with its entry in `document`; scoped
 * like {@link importApp}. Credentials are not changed.
 *
 * @since 0.3.0
 * @category import
 */
export const importAccount = (
  state: VerifyState.Service,
  accountSid: string,
  document: Document
): Effect.Effect<void, InvalidState | VerifyState.UnknownAccount> => {
  if (document.authy !== undefined) {
    return Effect.fail(new InvalidState({ path: "authy", reason: "an account's state holds no Authy applications" }))
  }
  const accounts = document.verify?.accounts ?? []
  const other = accounts.findIndex((a) => a.account_sid !== accountSid)
  if (other !== -1) {
    return Effect.fail(new InvalidState({ path: `verify.accounts[${other}].account_sid`, reason: "must be the caller's account SID" }))
  }
  const entry = accounts[0] ?? { account_sid: accountSid }
  return state.use(accountSid, (account, now) => VerifySnapshot.load(account, entry, now))
}

/**
 * Loads a whole document at start: every application and account it names
 * (which the emulator must serve: see {@link servedBy}).
 *
 * @since 0.3.0
 * @category import
 */
export const load = (
  document: Document,
  authy: AuthyState.Service,
  verify: VerifyState.Service
): Effect.Effect<void, InvalidState | AuthyState.UnknownApiKey | VerifyState.UnknownAccount> =>
  Effect.zipRight(
    Effect.forEach(document.authy?.applications ?? [], (app) =>
      importApp(authy, app.api_key, { version, authy: { applications: [app] } }), { discard: true }),
    Effect.forEach(document.verify?.accounts ?? [], (account) =>
      importAccount(verify, account.account_sid, { version, verify: { accounts: [account] } }), { discard: true })
  )

/**
 * The API keys and accounts a document needs served, beyond `apiKeys` and
 * `accounts`: its applications' keys, and its accounts that carry an
 * `auth_token`. An account without one must already be served.
 *
 * @since 0.3.0
 * @category import
 */
export const servedBy = (
  document: Document,
  apiKeys: ReadonlyArray<string>,
  accounts: ReadonlyArray<VerifyState.Credentials>
): Either.Either<
  { readonly apiKeys: ReadonlyArray<string>; readonly accounts: ReadonlyArray<VerifyState.Credentials> },
  InvalidState
> => {
  const keys = [...apiKeys, ...(document.authy?.applications ?? []).map((a) => a.api_key).filter((k) => !apiKeys.includes(k))]
  const served = [...accounts]
  for (const [i, entry] of (document.verify?.accounts ?? []).entries()) {
    if (served.some((a) => a.accountSid === entry.account_sid)) continue
    if (entry.auth_token === undefined) {
      return Either.left(new InvalidState({ path: `verify.accounts[${i}].auth_token`, reason: "is required for an account the emulator does not already serve" }))
    }
    served.push({ accountSid: entry.account_sid, authToken: entry.auth_token })
  }
  return Either.right({ apiKeys: keys, accounts: served })
}
