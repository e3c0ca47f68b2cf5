/**
 * The command line of `effect-authy-emulator`.
 *
 * @since 0.1.0
 */
import { readFileSync, statSync } from "node:fs"
import { parseArgs } from "node:util"
import { Either } from "effect"
import { parseTarget, type TargetInput } from "./authy/callbacks.js"
import { checkAccounts, defaultApiKey } from "./Emulator.js"
import { defaultRandomKinds, type RandomKind, randomKinds } from "./core/faults.js"
import * as Settings from "./authy/settings.js"
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
}

/**
 * @since 0.1.0
 * @category usage
 */
export const usage = `Usage: effect-authy-emulator [--port 4010] [--host 127.0.0.1] [--api-key KEY]...
                            [--account-sid AC... --auth-token TOKEN]...

A local Authy API server, with Twilio Verify v2 and Lookup v2 on the same
port (/v2/...). Control API under /__emulator (same API key, or the
account's Basic credentials).

  --port PORT      port to listen on (default 4010; 0 picks a free one)
  --host HOST      interface to bind (default 127.0.0.1)
  --api-key KEY    an API key to accept; repeat for several applications
                   (default: ${defaultApiKey})
  --fault-rate R   fail this share (0 to 1) of API requests at random, for
                   soak tests (default 0); the control API is never failed
  --fault-kinds K  comma-separated kinds those failures are drawn from
                   (default ${defaultRandomKinds.join(",")};
                   also: hang)
  --callback-url URL
                   send every application's OneTouch callbacks (signed, on
                   approve/deny) to URL (default: none; the control API
                   POST /__emulator/callback changes it per key)
  --account-sid SID
  --auth-token TOKEN
                   a Twilio account the Verify and Lookup routes accept (Basic
                   auth); repeat both for several accounts, paired in order
                   (default: ${defaultAccount.accountSid} with
                   ${defaultAccount.authToken})
  --callback-method GET|POST
                   how callbacks are sent (default POST: a JSON body; GET:
                   the parameters as the query)
  --state FILE     start from a state file (JSON, see state.schema.json):
                   its applications and accounts are served too
  --profile default|sandbox
                   sandbox: Authy's retired sandbox (token 0000000 valid for
                   every user, phones/info landline, Sandbox App details)
  --app-name NAME  every application's name (app/details)
  --plan PLAN      every application's plan (default pay_as_you_go)
  --sms-enabled, --phone-calls-enabled, --onetouch-enabled, --white-label,
  --generic-tokens-enabled, --custom-codes-enabled, --strict-verify true|false
                   every application's settings (default: the profile's;
                   the control API PUT /__emulator/app changes one app's)
  -h, --help       this text`

/**
 * Parses the arguments; throws with a readable message on bad input.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (args: ReadonlyArray<string>): Arguments => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: "string", default: "4010" },
      host: { type: "string", default: "127.0.0.1" },
      "api-key": { type: "string", multiple: true },
      help: { type: "boolean", short: "h", default: false },
      "callback-url": { type: "string" },
      "callback-method": { type: "string" },
      "fault-rate": { type: "string" },
      "fault-kinds": { type: "string" },
      "account-sid": { type: "string", multiple: true },
      "auth-token": { type: "string", multiple: true },
      state: { type: "string" },
      profile: { type: "string" },
      "app-name": { type: "string" },
      plan: { type: "string" },
      ...Object.fromEntries(Settings.flagNames.map((name) => [name.replaceAll("_", "-"), { type: "string" as const }]))
    },
    strict: true,
    allowPositionals: false
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0 to 65535`)
  const apiKeys = values["api-key"] ?? [defaultApiKey]
  if (apiKeys.some((key) => key.trim() === "")) throw new Error("--api-key must not be empty")
  return {
    port,
    host: values.host ?? "127.0.0.1",
    apiKeys,
    help: values.help ?? false,
    ...callbackOption(values["callback-url"], values["callback-method"]),
    ...faultOptions(values["fault-rate"], values["fault-kinds"]),
    ...accountOptions(values["account-sid"], values["auth-token"], apiKeys),
    ...settingsOptions(values as Readonly<Record<string, unknown>>),
    ...stateOption(values.state)
  }
}

/** `--profile` and the settings flags, checked as the control API checks them. */
const settingsOptions = (values: Readonly<Record<string, unknown>>): { profile?: Settings.Profile; settings?: Settings.Patch } => {
  const given: Record<string, unknown> = Object.create(null)
  if (values["app-name"] !== undefined) given.name = values["app-name"]
  if (values.plan !== undefined) given.plan = values.plan
  for (const name of Settings.flagNames) {
    const value = values[name.replaceAll("_", "-")]
    if (value !== undefined) given[name] = value
  }
  const profile = values.profile
  if (profile !== undefined && !(Settings.profiles as ReadonlyArray<unknown>).includes(profile)) {
    throw new Error("--profile must be default or sandbox")
  }
  const patch = Settings.fromParams(given)
  if ("invalid" in patch) throw new Error(`--${patch.invalid === "name" ? "app-name" : patch.invalid.replaceAll("_", "-")} ${patch.reason}`)
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
  const faultRate = rate === undefined ? undefined : Number(rate)
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
