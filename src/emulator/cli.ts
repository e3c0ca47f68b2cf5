/**
 * The command line of `effect-authy-emulator`.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { Either } from "effect"
import { parseTarget, type TargetInput } from "./authy/callbacks.js"
import { checkAccounts, defaultApiKey } from "./Emulator.js"
import { defaultRandomKinds, type RandomKind, randomKinds } from "./core/faults.js"
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
      "auth-token": { type: "string", multiple: true }
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
    ...accountOptions(values["account-sid"], values["auth-token"], apiKeys)
  }
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
