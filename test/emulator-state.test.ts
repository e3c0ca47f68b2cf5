/**
 * The state file over real HTTP: export then import gives the same answers,
 * validation names the bad field, every PUT is scoped to the caller, the
 * file loads at start (layer option and --state), the JSON Schema shipped is
 * the one derived from the Schema; and Emulator.remote drives the same
 * control operations from outside the process.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Emulator, layer, remote } from "effect-authy/emulator"
import * as Cli from "../src/emulator/cli.js"
import { counterAt, totp } from "../src/emulator/core/totp.js"
import { jsonSchema } from "../src/emulator/stateFile.js"

const account = { accountSid: `AC${"1".repeat(32)}`, authToken: "tok-1" }
const basic = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString("base64")}`

const send = (url: string, method: string, path: string, body?: unknown, auth: Record<string, string> = { "x-authy-api-key": "k1" }) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
    })
    const text = await response.text()
    return { status: response.status, json: JSON.parse(text) as any }
  })

const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
const world = {
  version: 1,
  authy: {
    applications: [{
      api_key: "k1",
      settings: { name: "Shop", sms_enabled: false },
      users: [
        { id: 51, email: "ada@example.com", country_code: 57, cellphone: "3053425699", confirmed: true, devices: [{ id: 7, os_type: "ios", secret }] },
        { id: 60, email: "bob@example.com", country_code: 1, cellphone: "7754615609", custom_user_id: "bob" }
      ]
    }]
  }
}

/**
 * Runs `read` again until no 30-second TOTP step began while it ran, and
 * answers its value with that step: codes read across a step boundary differ
 * without anything being wrong, however slow the machine.
 */
const withinOneStep = <A, E, R>(read: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    for (;;) {
      const step = counterAt(Date.now())
      const value = yield* read
      if (counterAt(Date.now()) === step) return { value, step }
    }
  })

/** The device's code as the emulator tells it, judged against the world's secret at the same step. */
const deviceCode = (url: string) =>
  withinOneStep(send(url, "GET", "/__emulator/users/51/totp")).pipe(
    Effect.map(({ step, value }) => ({
      status: value.status,
      json: { ...value.json, totp: value.json.totp === totp(secret, step * 30_000) ? "the secret's code" : value.json.totp }
    }))
  )

/** What a client sees of an application: the answers to compare before and after a round trip. */
const answers = (url: string) =>
  Effect.all([
    send(url, "GET", "/protected/json/users/51/status"),
    send(url, "GET", "/protected/json/users/60/status"),
    send(url, "GET", "/protected/json/app/details"),
    send(url, "GET", "/protected/json/registrations/status?custom_user_id=bob"),
    deviceCode(url)
  ]).pipe(Effect.map((all) => all.map((a) => ({ status: a.status, json: a.json }))))

describe("emulator state file", () => {
  it.layer(layer({ apiKeys: ["k1", "k2"], accounts: [account] }))((it) => {
    it.effect("PUT loads a world (user 51 exists), GET exports it, and export then import gives the same answers", () =>
      Effect.gen(function*() {
        const e = yield* Emulator
        yield* e.control.reset
        const put = yield* send(e.url, "PUT", "/__emulator/state", world)
        expect(put.status).toBe(200)
        const before = yield* answers(e.url)
        expect(before[0]!.json.status).toMatchObject({ authy_id: 51, confirmed: true, registered: true, devices: ["ios"] })
        expect(before[2]!.json.app).toMatchObject({ name: "Shop", sms_enabled: false })
        expect(before[4]!.json).toMatchObject({ authy_id: 51, totp: "the secret's code" })
        const exported = (yield* send(e.url, "GET", "/__emulator/state")).json
        expect(Object.keys(exported)).toEqual(["version", "authy"])
        // A fresh user gets the next id after the loaded ones.
        const created = yield* send(e.url, "POST", "/protected/json/users/new", { user: { email: "c@example.com", cellphone: "305-342-5611", country_code: 57 } })
        expect(created.json.user.id).toBe(61)
        yield* e.control.reset
        expect((yield* send(e.url, "GET", "/protected/json/users/51/status")).status).toBe(404)
        expect((yield* send(e.url, "PUT", "/__emulator/state", exported)).status).toBe(200)
        expect(yield* answers(e.url)).toEqual(before)
        expect((yield* send(e.url, "GET", "/__emulator/state")).json).toEqual(exported)
      }))

    it.effect("refuses a bad document with 400 naming the field, and changes nothing", () =>
      Effect.gen(function*() {
        const e = yield* Emulator
        yield* e.control.reset
        yield* send(e.url, "PUT", "/__emulator/state", world)
        const cases: ReadonlyArray<readonly [unknown, string]> = [
          [{ ...world, version: 2 }, "version"],
          ["{not json", "$"],
          [{ version: 1, authy: { applications: [{ api_key: "k1", users: [{ ...world.authy.applications[0]!.users[1], cellphone: "12ab" }] }] } }, "authy.applications[0].users[0].cellphone"],
          [{ version: 1, authy: { applications: [{ api_key: "k1", users: [{ ...world.authy.applications[0]!.users[1], cellphone: "1111111111", country_code: 1 }] }] } }, "authy.applications[0].users[0].cellphone"],
          [{ version: 1, authy: { applications: [{ api_key: "k1", users: [world.authy.applications[0]!.users[1], world.authy.applications[0]!.users[1]] }] } }, "authy.applications[0].users[1].id"],
          [{ version: 1, authy: { applications: [{ api_key: "k1", setings: {} }] } }, "authy.applications[0].setings"],
          [{ version: 1, authy: { applications: [{ api_key: "k2" }] } }, "authy.applications[0].api_key"],
          [{ version: 1, verify: { accounts: [] } }, "verify"],
          [`{"version":1,"authy":{"applications":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`, "$"]
        ]
        for (const [body, field] of cases) {
          const answer = yield* send(e.url, "PUT", "/__emulator/state", body)
          expect(answer.status, field).toBe(400)
          expect(answer.json.error_code).toBe("60004")
          expect(answer.json.message, field).toMatch(new RegExp(`^Invalid parameter: ${field.replace(/[[\].$]/g, "\\$&")} - `))
        }
        expect((yield* send(e.url, "GET", "/protected/json/users/51/status")).status).toBe(200)
        expect((yield* send(e.url, "GET", "/__emulator/state", undefined, {})).status).toBe(401)
        const refused = yield* Effect.flip(e.control.importState({ version: 1, authy: { applications: [{ api_key: 3 }] } }))
        expect(refused).toMatchObject({ _tag: "InvalidState", path: "authy.applications[0].api_key" })
      }))

    it.effect("a PUT replaces only the caller's world; Verify accounts keep services, entities and factors with secrets", () =>
      Effect.gen(function*() {
        const e = yield* Emulator
        yield* e.control.reset
        yield* send(e.url, "PUT", "/__emulator/state", world)
        const other = yield* send(e.url, "PUT", "/__emulator/state", { version: 1, authy: { applications: [{ api_key: "k2" }] } }, { "x-authy-api-key": "k2" })
        expect(other.status).toBe(200)
        expect((yield* send(e.url, "GET", "/protected/json/users/51/status")).status).toBe(200)
        const service = `VA${"a".repeat(32)}`
        const factor = `YF${"b".repeat(32)}`
        const verifyWorld = {
          version: 1,
          verify: {
            accounts: [{
              account_sid: account.accountSid,
              services: [{
                sid: service,
                friendly_name: "Shop",
                entities: [{
                  sid: `YE${"c".repeat(32)}`,
                  identity: "user-1",
                  factors: [{ sid: factor, type: "totp", friendly_name: "phone", status: "verified", secret, config: { code_length: 6, time_step: 30, skew: 1, alg: "sha1" } }]
                }]
              }]
            }]
          }
        }
        const auth = { authorization: basic }
        expect((yield* send(e.url, "PUT", "/__emulator/state", verifyWorld, auth)).status).toBe(200)
        const fetched = yield* send(e.url, "GET", `/v2/Services/${service}/Entities/user-1/Factors/${factor}`, undefined, auth)
        expect(fetched.json).toMatchObject({ sid: factor, status: "verified", factor_type: "totp" })
        const code = yield* e.control.verify.totp(factor, account.accountSid)
        expect(code).toMatch(/^\d{6}$/)
        const exported = (yield* send(e.url, "GET", "/__emulator/state", undefined, auth)).json
        expect(exported.verify.accounts[0].services[0].entities[0].factors[0]).toMatchObject({ sid: factor, secret })
        expect(exported.authy).toBeUndefined()
        const crossing = yield* send(e.url, "PUT", "/__emulator/state", world, auth)
        expect(crossing.json).toMatchObject({ status: 400, code: 60200 })
        expect((yield* send(e.url, "GET", "/protected/json/users/51/status")).status).toBe(200)
      }))

    it.effect("Emulator.remote drives the control API with the in-process handle's operations and failures", () =>
      Effect.gen(function*() {
        const e = yield* Emulator
        yield* e.control.reset
        const control = remote({ url: e.url, apiKey: "k1" })
        yield* control.importState(world)
        expect((yield* control.settings).name).toBe("Shop")
        expect((yield* control.updateSettings({ smsEnabled: true })).smsEnabled).toBe(true)
        yield* send(e.url, "GET", "/protected/json/sms/60")
        const code = yield* control.lastCode(60)
        expect((yield* control.messages({ authyId: 60 }))[0]).toMatchObject({ channel: "sms", code, authyId: 60 })
        const codes = yield* withinOneStep(Effect.all([control.totp(51), e.control.totp(51, "k1")]))
        expect(codes.value[0]).toBe(codes.value[1])
        const device = yield* control.registerDevice(60, { osType: "ios" })
        expect(device.secret).toMatch(/^[A-Z2-7]+$/)
        const before = yield* control.now
        yield* control.advanceClock("1 hour")
        expect((yield* control.now) - before).toBeGreaterThanOrEqual(3_600_000)
        const approval = yield* send(e.url, "POST", "/onetouch/json/users/51/approval_requests", { message: "Log in?" })
        yield* control.approve(approval.json.approval_request.uuid)
        const denied = yield* Effect.exit(control.deny(approval.json.approval_request.uuid))
        expect(Exit.isFailure(denied) && String(denied.cause)).toContain("not pending")
        expect((yield* control.counters).messages.sms).toBe(1)
        expect((yield* control.exportState).authy?.applications[0]?.users).toHaveLength(2)
        const invalid = yield* Effect.flip(control.importState({ version: 1, authy: { applications: [{ api_key: "k1", users: "x" }] } }))
        expect(invalid).toMatchObject({ _tag: "InvalidState", path: "authy.applications[0].users" })
        yield* control.reset
        expect((yield* control.exportState).authy?.applications[0]?.users).toEqual([])
        expect(Exit.isFailure(yield* Effect.exit(remote({ url: e.url, apiKey: "nope" }).settings))).toBe(true)
      }))
  })

  it.layer(layer({ apiKeys: ["k9"], state: world, profile: "sandbox" }))((it) => {
    it.effect("loads at start: the file's applications are served beside the given keys", () =>
      Effect.gen(function*() {
        const e = yield* Emulator
        expect(e.apiKeys).toEqual(["k9", "k1"])
        expect((yield* send(e.url, "GET", "/protected/json/users/51/status")).status).toBe(200)
        expect((yield* send(e.url, "GET", "/protected/json/app/details", undefined, { "x-authy-api-key": "k9" })).json.app.name).toBe("Sandbox App 1")
      }))
  })

  it("--state reads and validates a file, naming the bad field; --profile and settings flags are checked", () => {
    const dir = mkdtempSync(join(tmpdir(), "emulator-state-"))
    const good = join(dir, "good.json")
    writeFileSync(good, JSON.stringify(world))
    expect(Cli.parse(["--state", good]).state?.authy?.applications[0]?.api_key).toBe("k1")
    const bad = join(dir, "bad.json")
    writeFileSync(bad, JSON.stringify({ ...world, version: "1" }))
    expect(() => Cli.parse(["--state", bad])).toThrow(/--state .*bad\.json: Invalid emulator state at version/)
    expect(() => Cli.parse(["--state", join(dir, "missing.json")])).toThrow(/cannot read it/)
    expect(Cli.parse(["--profile", "sandbox", "--sms-enabled", "true", "--app-name", "Shop"])).toMatchObject({
      profile: "sandbox",
      settings: { smsEnabled: true, name: "Shop" }
    })
    expect(() => Cli.parse(["--profile", "live"])).toThrow(/--profile must be default or sandbox/)
    expect(() => Cli.parse(["--strict-verify", "maybe"])).toThrow(/--strict-verify must be true or false/)
  })

  it("ships the JSON Schema derived from the state Schema", () => {
    const shipped = JSON.parse(readFileSync(new URL("../src/emulator/state.schema.json", import.meta.url), "utf8"))
    expect(shipped).toEqual(jsonSchema())
  })
})
