/**
 * The command line of `effect-authy-emulator`, on `@effect/cli`: each flag
 * is declared once, with its description and its environment variable, and
 * the parser, `--help`, `--version` and the shell completions all come from
 * that one declaration.
 *
 * A flag given on the command line wins over its environment variable
 * (`--port` over `AUTHY_EMULATOR_PORT`: the flag's name in capitals, `-` as
 * `_`, after `AUTHY_EMULATOR_`), which wins over the default. Values are
 * checked here as the control API checks them, and a refusal names the flag.
 *
 * @since 0.1.0
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Terminal from "@effect/platform/Terminal"
import { Config, Effect, Either, Layer, Option } from "effect"
import { readFileSync, statSync } from "node:fs"
import { version } from "../internal/core/version.js"
import { parseTarget, type TargetInput } from "./authy/callbacks.js"
import * as Settings from "./authy/settings.js"
import { defaultRandomKinds, type RandomKind, randomKinds } from "./core/faults.js"
import { checkAccounts, defaultApiKey } from "./Emulator.js"
import * as StateFile from "./stateFile.js"
import { type Credentials, defaultAccount } from "./verify/State.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Arguments {
  readonly port: number
  readonly host: string
  readonly apiKeys: ReadonlyArray<string>
  /** Whether `-h`/`--help` was among the arguments (`@effect/cli` answers it). */
  readonly help: boolean
  /** `--callback-url` and `--callback-method`: every application's OneTouch callback target. */
  readonly callback?: TargetInput
  /** `--fault-rate`: the share of API requests (Authy, Verify, Lookup) failed at random (absent: none). */
  readonly faultRate?: number
  /** `--fault-kinds`: what those failures may be (absent: the default mix). */
  readonly faultKinds?: ReadonlyArray<RandomKind>
  /**
   * `--account-sid` and `--auth-token`, paired in order: the Twilio accounts
   * of the Verify and Lookup routes (absent: the default account).
   */
  readonly accounts?: ReadonlyArray<Credentials>
  /** `--profile`: how every application starts (absent: `default`). */
  readonly profile?: Settings.Profile
  /** `--app-name`, `--plan`, `--sms-enabled`…: changes to the profile's settings. */
  readonly settings?: Settings.Patch
  /** `--state FILE`: the state document read from it (validated). */
  readonly state?: StateFile.Document
  /** `--no-ui`: `false`, the web inbox is not served (absent: it is). */
  readonly ui?: false
}

/**
 * The environment variable a flag falls back to: `--api-key` →
 * `AUTHY_EMULATOR_API_KEY`.
 *
 * @since 0.3.0
 * @category flags
 */
export const environmentVariable = (flag: string): string =>
  `AUTHY_EMULATOR_${flag.replace(/^--/, "").replaceAll("-", "_").toUpperCase()}`

const described = (name: string, pseudo: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName(pseudo),
    Options.withDescription(`${description} [env: ${environmentVariable(name)}]`)
  )

/** A flag given at most once: its value, else its environment variable's, else none. */
const single = (name: string, pseudo: string, description: string) =>
  described(name, pseudo, description).pipe(
    Options.withFallbackConfig(Config.string(environmentVariable(name))),
    Options.optional
  )

/** A configuration error (a variable that does not parse) as a command-line error. */
const fromConfig = <A>(effect: Effect.Effect<A, unknown>): Effect.Effect<A, ValidationError.ValidationError> =>
  Effect.mapError(effect, (error) => ValidationError.invalidValue(HelpDoc.p(String(error))))

/**
 * A repeatable flag: its values, else its environment variable's
 * (comma-separated), else none. `@effect/cli` falls back to the environment
 * only for a missing single value, so a repeated one does it here.
 */
const repeated = (name: string, pseudo: string, description: string) =>
  described(name, pseudo, `${description}; repeatable (the variable: comma-separated)`).pipe(
    Options.repeated,
    Options.mapEffect((given) =>
      given.length > 0
        ? Effect.succeed(Option.some<ReadonlyArray<string>>(given))
        : fromConfig(Config.option(Config.array(Config.string(), environmentVariable(name))))
    )
  )

/** `--no-ui`, or its variable set to true. */
const noUi = Options.boolean("no-ui").pipe(
  Options.withDescription(
    `do not serve the web inbox at / (its paths then answer like any unknown one) [env: ${
      environmentVariable("no-ui")
    }=true]`
  ),
  Options.mapEffect((given) =>
    given
      ? Effect.succeed(true)
      : fromConfig(Config.withDefault(Config.boolean(environmentVariable("no-ui")), false))
  )
)

/** The settings flags: `--sms-enabled`… from the settings' wire names. */
const settingsFlags = Object.fromEntries(
  Settings.flagNames.map((wire) => {
    const name = wire.replaceAll("_", "-")
    return [name, single(name, "true|false", `every application's ${wire} setting (default: the profile's)`)]
  })
)

const rawOptions = Options.all({
  port: single("port", "PORT", "port to listen on (default 4010; 0 picks a free one)"),
  host: single("host", "HOST", "interface to bind (default 127.0.0.1)"),
  apiKeys: repeated(
    "api-key",
    "KEY",
    `an API key to accept, one application per key (default: ${defaultApiKey})`
  ),
  accountSids: repeated(
    "account-sid",
    "SID",
    `a Twilio account the Verify and Lookup routes accept (Basic auth), paired in order with --auth-token (default: ${defaultAccount.accountSid})`
  ),
  authTokens: repeated(
    "auth-token",
    "TOKEN",
    `the auth token of the --account-sid at the same position (default: ${defaultAccount.authToken})`
  ),
  faultRate: single(
    "fault-rate",
    "R",
    "fail this share (0 to 1) of API requests at random, for soak tests (default 0); the control API is never failed"
  ),
  faultKinds: single(
    "fault-kinds",
    "KINDS",
    `comma-separated kinds those failures are drawn from (default ${defaultRandomKinds.join(",")}; also: hang)`
  ),
  callbackUrl: single(
    "callback-url",
    "URL",
    "send every application's OneTouch callbacks (signed, on approve/deny) to URL (default: none; POST /__emulator/callback changes it per key)"
  ),
  callbackMethod: single(
    "callback-method",
    "GET|POST",
    "how callbacks are sent (default POST: a JSON body; GET: the parameters as the query)"
  ),
  state: single(
    "state",
    "FILE",
    "start from a state file (JSON, see state.schema.json): its applications and accounts are served too"
  ),
  profile: single(
    "profile",
    "default|sandbox",
    "sandbox: Authy's retired sandbox (token 0000000 valid for every user, phones/info landline, Sandbox App details)"
  ),
  appName: single("app-name", "NAME", "every application's name (app/details)"),
  plan: single("plan", "PLAN", "every application's plan (default pay_as_you_go)"),
  noUi,
  settings: Options.all(settingsFlags)
})

/** The raw values, as `@effect/cli` read them from the arguments and the environment. */
type Raw = typeof rawOptions extends Options.Options<infer A> ? A : never

const given = (value: Option.Option<string>): string | undefined => Option.getOrUndefined(value)

/** Every check of the values; throws with the flag named. */
const validate = (raw: Raw): Omit<Arguments, "help"> => {
  const portText = given(raw.port) ?? "4010"
  const port = /^\d+$/.test(portText.trim()) ? Number(portText) : Number.NaN
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0 to 65535`)
  const apiKeys = Option.getOrElse(raw.apiKeys, () => [defaultApiKey])
  if (apiKeys.some((key) => key.trim() === "")) throw new Error("--api-key must not be empty")
  const settings: Record<string, unknown> = Object.create(null)
  for (const [name, value] of Object.entries(raw.settings)) {
    if (Option.isSome(value)) settings[name.replaceAll("-", "_")] = value.value
  }
  return {
    port,
    host: given(raw.host) ?? "127.0.0.1",
    apiKeys,
    ...callbackOption(given(raw.callbackUrl), given(raw.callbackMethod)),
    ...faultOptions(given(raw.faultRate), given(raw.faultKinds)),
    ...accountOptions(Option.getOrUndefined(raw.accountSids), Option.getOrUndefined(raw.authTokens), apiKeys),
    ...settingsOptions(given(raw.profile), given(raw.appName), given(raw.plan), settings),
    ...stateOption(given(raw.state)),
    ...(raw.noUi ? { ui: false as const } : {})
  }
}

/**
 * The flags, parsed and checked: a refusal is a `ValidationError` whose text
 * names the flag.
 *
 * @since 0.3.0
 * @category flags
 */
export const options: Options.Options<Omit<Arguments, "help">> = rawOptions.pipe(
  Options.mapEffect((raw) =>
    Effect.try({
      try: () => validate(raw),
      catch: (error) => ValidationError.invalidValue(HelpDoc.p(error instanceof Error ? error.message : String(error)))
    })
  )
)

/**
 * The command, without its handler (`bin.ts` adds the server).
 *
 * @since 0.3.0
 * @category flags
 */
export const command = Command.make("effect-authy-emulator", { emulator: options }).pipe(
  Command.withDescription(
    "A local Authy API server, with Twilio Verify v2 and Lookup v2 on the same port (/v2/...) and a web inbox at /. " +
      "Control API under /__emulator (same API key, or the account's Basic credentials). " +
      "Every flag falls back to its environment variable, then to its default."
  )
)

/**
 * The name and version `--version` prints.
 *
 * @since 0.3.0
 * @category flags
 */
export const app = { name: "effect-authy-emulator", version } as const

const ansi = new RegExp(String.raw`\u001b\[[0-9;]*m`, "g")

/**
 * The `--help` text, without terminal colours.
 *
 * @since 0.1.0
 * @category usage
 */
export const usage: string = HelpDoc.toAnsiText(Command.getHelp(command, CliConfig.defaultConfig)).replace(ansi, "")

/**
 * `@effect/cli` reads the flags through the platform's services; none of
 * these flags touches a file or the terminal, so `parse` runs without them.
 */
const unused = Layer.mergeAll(
  FileSystem.layerNoop({}),
  Path.layer,
  Layer.succeed(
    Terminal.Terminal,
    Terminal.Terminal.of({
      columns: Effect.succeed(80),
      rows: Effect.succeed(24),
      isTTY: Effect.succeed(false),
      readInput: Effect.dieMessage("the emulator's flags read no terminal input"),
      readLine: Effect.dieMessage("the emulator's flags read no terminal input"),
      display: () => Effect.void
    })
  )
)

/**
 * Parses the arguments (and the `AUTHY_EMULATOR_*` variables) as the command
 * does; throws with a readable message on bad input.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (args: ReadonlyArray<string>): Arguments => {
  const help = args.includes("--help") || args.includes("-h")
  const flags = args.filter((arg) => arg !== "--help" && arg !== "-h")
  const result = Effect.runSync(
    Options.processCommandLine(options, flags, CliConfig.defaultConfig).pipe(Effect.provide(unused), Effect.either)
  )
  if (Either.isLeft(result)) throw new Error(message(result.left))
  const [error, leftover, parsed] = result.right
  if (Option.isSome(error)) throw new Error(message(error.value))
  if (leftover.length > 0) throw new Error(`Received unknown argument: '${leftover[0]}'`)
  return { ...parsed, help }
}

/**
 * A `ValidationError`'s text, without terminal colours.
 *
 * @since 0.3.0
 * @category parsing
 */
export const message = (error: ValidationError.ValidationError): string =>
  HelpDoc.toAnsiText(error.error).replace(ansi, "").trim()

/** `--profile` and the settings flags, checked as the control API checks them. */
const settingsOptions = (
  profile: string | undefined,
  appName: string | undefined,
  plan: string | undefined,
  flags: Readonly<Record<string, unknown>>
): { profile?: Settings.Profile; settings?: Settings.Patch } => {
  const values: Record<string, unknown> = Object.create(null)
  if (appName !== undefined) values.name = appName
  if (plan !== undefined) values.plan = plan
  Object.assign(values, flags)
  if (profile !== undefined && !(Settings.profiles as ReadonlyArray<unknown>).includes(profile)) {
    throw new Error("--profile must be default or sandbox")
  }
  const patch = Settings.fromParams(values)
  if ("invalid" in patch) {
    throw new Error(`--${patch.invalid === "name" ? "app-name" : patch.invalid.replaceAll("_", "-")} ${patch.reason}`)
  }
  return {
    ...(profile === undefined ? {} : { profile: profile as Settings.Profile }),
    ...(Object.keys(patch).length === 0 ? {} : { settings: patch })
  }
}

/** `--state FILE`, read (at most 16 MiB) and validated; the error names the bad field. */
const stateOption = (path: string | undefined): { state?: StateFile.Document } => {
  if (path === undefined) return {}
  let text: string
  try {
    if (statSync(path).size > StateFile.maxFileBytes) throw new Error("larger than 16 MiB")
    text = readFileSync(path, "utf8")
  } catch (error) {
    throw new Error(`--state ${path}: cannot read it (${error instanceof Error ? error.message : String(error)})`)
  }
  const parsed = StateFile.parse(text)
  if (Either.isLeft(parsed)) throw new Error(`--state ${path}: ${parsed.left.message}`)
  return { state: parsed.right }
}

/** `--account-sid` and `--auth-token`, paired and checked; nothing when neither is given. */
const accountOptions = (
  sids: ReadonlyArray<string> | undefined,
  tokens: ReadonlyArray<string> | undefined,
  apiKeys: ReadonlyArray<string>
): { accounts?: ReadonlyArray<Credentials> } => {
  if (sids === undefined && tokens === undefined) return {}
  if ((sids?.length ?? 0) !== (tokens?.length ?? 0)) {
    throw new Error("--account-sid and --auth-token come in pairs: give each as often as the other")
  }
  const accounts = sids!.map((accountSid, i) => ({ accountSid, authToken: tokens![i]! }))
  const refused = checkAccounts(accounts, apiKeys)
  if (refused !== undefined) throw new Error(`--account-sid/--auth-token: ${refused}`)
  return { accounts }
}

/** `--fault-rate` and `--fault-kinds`, checked; nothing when neither is given. */
const faultOptions = (
  rate: string | undefined,
  kinds: string | undefined
): { faultRate?: number; faultKinds?: ReadonlyArray<RandomKind> } => {
  const faultRate = rate === undefined ? undefined : rate.trim() === "" ? Number.NaN : Number(rate)
  if (faultRate !== undefined && !(Number.isFinite(faultRate) && faultRate >= 0 && faultRate <= 1)) {
    throw new Error("--fault-rate must be a number from 0 to 1")
  }
  const faultKinds = kinds?.split(",").map((k) => k.trim())
  const unknown = faultKinds?.filter((k) => !(randomKinds as ReadonlyArray<string>).includes(k)) ?? []
  if (unknown.length > 0) throw new Error(`--fault-kinds: unknown kinds ${unknown.join(", ")}`)
  return {
    ...(faultRate === undefined ? {} : { faultRate }),
    ...(faultKinds === undefined ? {} : { faultKinds: faultKinds as ReadonlyArray<RandomKind> })
  }
}

/** `--callback-url` and `--callback-method`, checked; nothing when no URL is given. */
const callbackOption = (url: string | undefined, method: string | undefined): { callback?: TargetInput } => {
  if (url === undefined) {
    if (method !== undefined) throw new Error("--callback-method needs --callback-url")
    return {}
  }
  const target = parseTarget({ url, method })
  if (Either.isLeft(target)) throw new Error(`--callback-${target.left.field} ${target.left.reason}`)
  return { callback: target.right }
}
