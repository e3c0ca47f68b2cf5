/**
 * The control handle of an emulator running in another process (the CLI, a
 * container), over its control API: the same operations as the in-process
 * `control` for one application, typed, with the same failures — a refused
 * call dies with the emulator's message, a refused state document fails
 * with `InvalidState` naming the field.
 *
 * @since 0.3.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Duration, Effect } from "effect"
import type { Counters, Message, MessageFilter } from "./authy/control.js"
import type * as Settings from "./authy/settings.js"
import { InvalidState, type Document } from "./stateFile.js"

/**
 * Where the emulator is and which application to act for.
 *
 * @since 0.3.0
 * @category models
 */
export interface RemoteOptions {
  /** The emulator's base URL, e.g. `http://127.0.0.1:4010`. */
  readonly url: string
  /** The application's API key. */
  readonly apiKey: string
}

/**
 * The remote handle: the in-process handle's operations for the one
 * application of `apiKey` (so without `apiKey` arguments). `reset` empties
 * that application only.
 *
 * @since 0.3.0
 * @category models
 */
export interface RemoteControl {
  readonly messages: (filter?: Omit<MessageFilter, "apiKey">) => Effect.Effect<ReadonlyArray<Message>>
  readonly lastCode: (authyId: number) => Effect.Effect<string>
  readonly registerDevice: (
    authyId: number,
    options?: { readonly osType?: string }
  ) => Effect.Effect<{ readonly deviceId: number; readonly secret: string }>
  readonly totp: (authyId: number) => Effect.Effect<string>
  readonly approve: (uuid: string) => Effect.Effect<void>
  readonly deny: (uuid: string) => Effect.Effect<void>
  readonly advanceClock: (duration: Duration.DurationInput) => Effect.Effect<void>
  readonly now: Effect.Effect<number>
  readonly counters: Effect.Effect<Counters>
  readonly reset: Effect.Effect<void>
  readonly settings: Effect.Effect<Settings.Settings>
  readonly updateSettings: (patch: Settings.Patch) => Effect.Effect<Settings.Settings>
  readonly exportState: Effect.Effect<Document>
  readonly importState: (document: unknown) => Effect.Effect<void, InvalidState>
}

type Json = Record<string, any>

/** A refusal as the in-process handle gives it: a defect with the emulator's message. */
class Refused {
  readonly _tag = "Refused"
  constructor(readonly status: number, readonly message: string) {}
}

const settingsOf = (wire: Json): Settings.Settings => ({
  profile: wire.profile,
  name: wire.name,
  plan: wire.plan,
  smsEnabled: wire.sms_enabled,
  phoneCallsEnabled: wire.phone_calls_enabled,
  onetouchEnabled: wire.onetouch_enabled,
  whiteLabel: wire.white_label,
  genericTokensEnabled: wire.generic_tokens_enabled,
  customCodesEnabled: wire.custom_codes_enabled,
  strictVerify: wire.strict_verify
})

const settingsWire = (patch: Settings.Patch): Json => {
  const names: Record<keyof Settings.Settings, string> = {
    profile: "profile",
    name: "name",
    plan: "plan",
    smsEnabled: "sms_enabled",
    phoneCallsEnabled: "phone_calls_enabled",
    onetouchEnabled: "onetouch_enabled",
    whiteLabel: "white_label",
    genericTokensEnabled: "generic_tokens_enabled",
    customCodesEnabled: "custom_codes_enabled",
    strictVerify: "strict_verify"
  }
  return Object.fromEntries(Object.entries(patch).map(([k, v]) => [names[k as keyof Settings.Settings], v]))
}

const messageOf = (m: Json): Message => ({
  authyId: m.authy_id,
  channel: m.channel,
  via: m.via,
  code: m.code,
  to: m.to,
  countryCode: m.country_code,
  phoneNumber: m.phone_number,
  sentAt: Date.parse(m.sent_at)
})

/**
 * The handle of the emulator at `url`, acting for the application of
 * `apiKey`. It sends nothing until an operation runs.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { remote } from "effect-authy/emulator"
 *
 * const control = remote({ url: "http://127.0.0.1:4010", apiKey: "test-key" })
 * const program = Effect.gen(function*() {
 *   yield* control.updateSettings({ smsEnabled: false })
 *   const code = yield* control.lastCode(1)
 *   console.log(code)
 * })
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const remote = (options: RemoteOptions): RemoteControl => {
  const base = options.url.replace(/\/+$/, "")
  const send = (method: "GET" | "POST" | "PUT", path: string, body?: unknown): Effect.Effect<Json, Refused> =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      let request = HttpClientRequest.make(method)(`${base}${path}`).pipe(
        HttpClientRequest.setHeader("x-authy-api-key", options.apiKey)
      )
      if (body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, body)
      const response = yield* client.execute(request)
      const text = yield* response.text
      const json = (() => {
        try {
          return JSON.parse(text) as Json
        } catch {
          return { message: text }
        }
      })()
      if (response.status >= 400) return yield* Effect.fail(new Refused(response.status, String(json.message ?? text)))
      return json
    }).pipe(
      Effect.scoped,
      Effect.catchTags({
        RequestError: (e) => Effect.die(e),
        ResponseError: (e) => Effect.die(e)
      }),
      Effect.provide(FetchHttpClient.layer)
    )
  /** Every refusal but a state document's is a defect, as in-process. */
  const call = (method: "GET" | "POST" | "PUT", path: string, body?: unknown) =>
    Effect.catchTag(send(method, path, body), "Refused", (e) => Effect.dieMessage(e.message))
  const decide = (uuid: string, action: "approve" | "deny") =>
    Effect.asVoid(call("POST", `/__emulator/approval_requests/${encodeURIComponent(uuid)}/${action}`))
  return {
    messages: (filter = {}) => {
      const query = new URLSearchParams()
      if (filter.authyId !== undefined) query.set("authy_id", String(filter.authyId))
      if (filter.countryCode !== undefined) query.set("country_code", String(filter.countryCode))
      if (filter.phoneNumber !== undefined) query.set("phone_number", filter.phoneNumber)
      return Effect.map(call("GET", `/__emulator/messages?${query}`), (j) => (j.messages as Array<Json>).map(messageOf))
    },
    lastCode: (authyId) =>
      Effect.flatMap(call("GET", `/__emulator/messages?authy_id=${authyId}`), (j) => {
        const last = (j.messages as Array<Json>).filter((m) => m.channel !== "verification").at(-1)
        return last === undefined ? Effect.dieMessage(`No SMS or call was sent to user ${authyId}`) : Effect.succeed(String(last.code))
      }),
    registerDevice: (authyId, { osType = "android" } = {}) =>
      Effect.map(
        call("POST", `/__emulator/users/${authyId}/devices`, { os_type: osType }),
        (j) => ({ deviceId: j.device.id as number, secret: j.secret as string })
      ),
    totp: (authyId) => Effect.map(call("GET", `/__emulator/users/${authyId}/totp`), (j) => String(j.totp)),
    approve: (uuid) => decide(uuid, "approve"),
    deny: (uuid) => decide(uuid, "deny"),
    advanceClock: (duration) =>
      Effect.asVoid(call("POST", "/__emulator/clock/advance", { seconds: Duration.toMillis(Duration.decode(duration)) / 1000 })),
    now: Effect.map(call("GET", "/__emulator/clock"), (j) => Date.parse(j.now)),
    counters: Effect.map(call("GET", "/__emulator/counters"), (j) => ({
      messages: j.messages,
      emails: j.emails,
      ignored: j.ignored,
      pushes: j.pushes,
      tokensConsumed: j.tokens_consumed,
      apiCalls: j.api_calls
    })),
    reset: Effect.asVoid(call("POST", "/__emulator/reset")),
    settings: Effect.map(call("GET", "/__emulator/app"), (j) => settingsOf(j.app)),
    updateSettings: (patch) => Effect.map(call("PUT", "/__emulator/app", settingsWire(patch)), (j) => settingsOf(j.app)),
    exportState: Effect.map(call("GET", "/__emulator/state"), (j) => j as Document),
    importState: (document) =>
      send("PUT", "/__emulator/state", document).pipe(
        Effect.asVoid,
        Effect.catchTag("Refused", (e) => {
          const field = /^Invalid parameter: (.*?) - (.*)$/.exec(e.message)
          return e.status === 400 && field !== null
            ? Effect.fail(new InvalidState({ path: field[1]!, reason: field[2]! }))
            : Effect.dieMessage(e.message)
        })
      )
  }
}
