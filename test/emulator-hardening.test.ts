/**
 * The emulator as a shared development service (issue 12, items 1–5): no
 * request, with or without a key, may change another application's world.
 * Parameters never reach `Object.prototype`; the parser is linear and has
 * limits; faults and the clock belong to one application; numeric control
 * inputs are bounded; control answers share one shape; and a fuzzer sends
 * arbitrary query strings, bracketed forms and JSON bodies.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { Emulator, layer } from "effect-authy/emulator"
import * as Params from "../src/emulator/core/params.js"
import * as PathPattern from "../src/emulator/core/pathPattern.js"
import { raw, type RawRequest, type RawResponse } from "./util/raw.js"

const jsonType = { "content-type": "application/json" }
const formType = { "content-type": "application/x-www-form-urlencoded" }

const post = (url: string, path: string, body: unknown, key: string | null = "k1") =>
  raw(url, path, { method: "POST", headers: jsonType, body: JSON.stringify(body), key })

/** The emulator's URL, after emptying it and clearing every application's faults. */
const fresh = Effect.gen(function*() {
  const e = yield* Emulator
  yield* e.control.reset
  yield* e.control.clearFaults
  yield* e.control.faultsFor("k2").clearFaults
  return e.url
})

const createUser = (url: string, key = "k1") =>
  post(url, "/protected/json/users/new", { user: { email: "ada@example.com", cellphone: "305-342-5699", country_code: 57 } }, key)
    .pipe(Effect.map((r) => r.json.user.id as number))

/** Everything `Object.prototype` holds, to compare before and after. */
const prototypeSnapshot = () =>
  Object.getOwnPropertyNames(Object.prototype).sort().map((name) => [name, typeof (Object.prototype as any)[name]])

const expectAuthyError = (r: RawResponse, status: number, code: string) => {
  expect(r.status).toBe(status)
  expect(r.json).toMatchObject({ success: false, error_code: code, message: expect.any(String), errors: expect.any(Object) })
}

describe("emulator hardening", () => {
  it.layer(layer({ apiKeys: ["k1", "k2"] }))((it) => {
    describe("1. parameters never reach Object.prototype", () => {
      it.effect("__proto__, constructor and prototype keys, without a key, leave every application alone", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const before = prototypeSnapshot()
          const attacks: ReadonlyArray<RawRequest & { readonly path: string }> = [
            { path: "/protected/json/sms/1?__proto__[force]=true" },
            { path: "/protected/json/sms/1?constructor[prototype][force]=true" },
            { path: "/protected/json/sms/1?a[__proto__][force]=true&b[][__proto__][force]=true" },
            { path: "/protected/json/sms/1", method: "POST", headers: formType, body: "__proto__[force]=true" },
            { path: "/protected/json/sms/1", method: "POST", headers: jsonType, body: `{"__proto__":{"force":true}}` },
            { path: "/protected/json/sms/1", method: "POST", headers: jsonType, body: `{"a":{"__proto__":{"force":true}}}` }
          ]
          for (const attack of attacks) {
            const r = yield* raw(url, attack.path, { ...attack, key: null })
            expect(r.status).toBeLessThan(500)
          }
          expect(({} as Record<string, unknown>).force).toBeUndefined()
          expect(prototypeSnapshot()).toEqual(before)

          // A user with the app: an SMS is still ignored unless forced.
          const id = yield* createUser(url)
          yield* post(url, `/__emulator/users/${id}/devices`, {})
          const sms = yield* raw(url, `/protected/json/sms/${id}`)
          expect(sms.json).toMatchObject({ ignored: true, success: true })
          // The same keys with a valid key do nothing either.
          const keyed = yield* raw(url, `/protected/json/sms/${id}?__proto__[force]=true&constructor[prototype][force]=true`)
          expect(keyed.json).toMatchObject({ ignored: true, success: true })
          expect(prototypeSnapshot()).toEqual(before)
        }))
    })

    describe("2. the parser is linear and has limits", () => {
      it.effect("a 20,000-level bracketed key answers 400 60002, and the server keeps serving", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const body = `a${"[b]".repeat(20_000)}=1`
          const [deep, details] = yield* Effect.all([
            raw(url, "/protected/json/users/new", { method: "POST", headers: formType, body }),
            raw(url, "/protected/json/app/details")
          ], { concurrency: "unbounded" })
          expectAuthyError(deep, 400, "60002")
          expect(deep.json.message).toMatch(/deeper than 32/)
          expect(details.status).toBe(200)
        }))

      it.effect("depth: 32 levels are read, 33 refused, in a query, a form and JSON alike", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const key = (levels: number) => `user${"[x]".repeat(levels - 1)}`
          const json = (levels: number) => `${`{"x":`.repeat(levels)}1${"}".repeat(levels)}`
          // within the limit, the request reaches the endpoint (an invalid user: 60027)
          expectAuthyError(yield* raw(url, `/protected/json/users/new?${key(32)}=1`, { method: "POST" }), 400, "60027")
          expectAuthyError(yield* raw(url, "/protected/json/users/new", { method: "POST", headers: formType, body: `${key(32)}=1` }), 400, "60027")
          expectAuthyError(yield* raw(url, "/protected/json/users/new", { method: "POST", headers: jsonType, body: json(32) }), 400, "60027")
          // past it, the request is refused before any endpoint runs
          expectAuthyError(yield* raw(url, `/protected/json/users/new?${key(33)}=1`, { method: "POST" }), 400, "60002")
          expectAuthyError(yield* raw(url, "/protected/json/users/new", { method: "POST", headers: formType, body: `${key(33)}=1` }), 400, "60002")
          expectAuthyError(yield* raw(url, "/protected/json/users/new", { method: "POST", headers: jsonType, body: json(33) }), 400, "60002")
          // a deep array in JSON counts as well
          const deepArray = `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`
          expectAuthyError(yield* raw(url, "/protected/json/users/new", { method: "POST", headers: jsonType, body: deepArray }), 400, "60002")
        }))

      it.effect("count: 1000 parameters are read, 1001 refused, query and body together", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const pairs = (n: number, prefix = "p") => Array.from({ length: n }, (_, i) => `${prefix}${i}=1`).join("&")
          expectAuthyError(yield* raw(url, "/protected/json/users/new", { method: "POST", headers: formType, body: pairs(1000) }), 400, "60027")
          const over = yield* raw(url, "/protected/json/users/new", { method: "POST", headers: formType, body: pairs(1001) })
          expectAuthyError(over, 400, "60002")
          expect(over.json.message).toMatch(/more than 1000 parameters/)
          expectAuthyError(yield* raw(url, `/protected/json/users/new?${pairs(500, "q")}`, { method: "POST", headers: formType, body: pairs(501) }), 400, "60002")
          const bigJson = JSON.stringify({ list: Array.from({ length: 1001 }, () => 1) })
          expectAuthyError(yield* raw(url, "/protected/json/users/new", { method: "POST", headers: jsonType, body: bigJson }), 400, "60002")
          const manyKeys = JSON.stringify(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])))
          expectAuthyError(yield* raw(url, "/protected/json/users/new", { method: "POST", headers: jsonType, body: manyKeys }), 400, "60002")
        }))
    })

    describe("3. faults and the clock belong to one application", () => {
      it.effect("one key's catch-all fault fails only its own application, never keyless requests", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const added = yield* post(url, "/__emulator/faults", { path: "/**", type: "status", status: 503, times: 100 }, "k2")
          expect(added.status).toBe(200)
          expect((yield* raw(url, "/protected/json/app/details", { key: "k1" })).status).toBe(200)
          expect((yield* raw(url, "/protected/json/app/details?api_key=k1", { key: null })).status).toBe(200)
          expectAuthyError(yield* raw(url, "/protected/json/app/details", { key: null }), 401, "60001")
          expectAuthyError(yield* raw(url, "/protected/json/app/details", { key: "nobody" }), 401, "60001")
          expect((yield* raw(url, "/protected/json/app/details", { key: "k2" })).status).toBe(503)
          // the key in the query or the body selects the application's faults too
          expect((yield* raw(url, "/protected/json/app/details?api_key=k2", { key: null })).status).toBe(503)
          // each application lists, and clears, its own faults
          expect((yield* raw(url, "/__emulator/faults", { key: "k1" })).json).toMatchObject({ faults: [] })
          expect((yield* raw(url, "/__emulator/faults", { key: "k2" })).json.faults).toHaveLength(1)
          yield* raw(url, "/__emulator/faults", { method: "DELETE", key: "k1" })
          expect((yield* raw(url, "/protected/json/app/details", { key: "k2" })).status).toBe(503)

          // the random mode too
          yield* post(url, "/__emulator/faults/random", { rate: 1, kinds: ["status"] }, "k1")
          expect((yield* raw(url, "/protected/json/app/details", { key: "k1" })).status).toBe(503)
          yield* raw(url, "/__emulator/faults", { method: "DELETE", key: "k2" })
          expect((yield* raw(url, "/protected/json/app/details", { key: "k2" })).status).toBe(200)
          expect((yield* raw(url, "/protected/json/app/details", { key: null })).status).toBe(401)
        }))

      it.effect("a fault is removed by id by its own application only; an unknown id is a 404 in the caller's dialect", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const { control } = yield* Emulator
          const idOf = (r: RawResponse) => r.json.fault.id as string
          const mine = idOf(yield* post(url, "/__emulator/faults", { path: "/protected/json/app/details", type: "status", status: 503, times: 100 }, "k2"))
          const kept = idOf(yield* post(url, "/__emulator/faults", { path: "/protected/json/sms/*", times: 100 }, "k2"))
          // Another application (holding no fault at all) cannot remove it, by either route: its own 404.
          expectAuthyError(yield* raw(url, `/__emulator/faults/${mine}`, { method: "DELETE", key: "k1" }), 404, "60000")
          expectAuthyError(yield* raw(url, `/__emulator/faults/${mine}/delete`, { method: "POST", key: "k1" }), 404, "60000")
          expect(yield* control.faultsFor("k1").removeFault(mine)).toBe(false)
          expect((yield* raw(url, "/protected/json/app/details", { key: "k2" })).status).toBe(503)
          // Nor can a request without a served key.
          expectAuthyError(yield* raw(url, `/__emulator/faults/${mine}`, { method: "DELETE", key: null }), 401, "60001")
          expectAuthyError(yield* raw(url, `/__emulator/faults/${mine}`, { method: "DELETE", key: "nobody" }), 401, "60001")
          expect((yield* raw(url, "/__emulator/faults", { key: "k2" })).json.faults.map((f: { id: string }) => f.id)).toEqual([mine, kept])
          // Its own application removes that one fault, and only it.
          const other = idOf(yield* post(url, "/__emulator/faults", { path: "/protected/json/app/details", type: "status", status: 502, times: 100 }, "k1"))
          const removed = yield* raw(url, `/__emulator/faults/${mine}`, { method: "DELETE", key: "k2" })
          expect([removed.status, removed.json]).toEqual([200, { message: "Fault removed.", success: true }])
          expect((yield* raw(url, "/protected/json/app/details", { key: "k2" })).status).toBe(200)
          expect((yield* raw(url, "/__emulator/faults", { key: "k2" })).json.faults.map((f: { id: string }) => f.id)).toEqual([kept])
          expect((yield* raw(url, "/protected/json/app/details", { key: "k1" })).status).toBe(502)
          // Removed once: gone.
          expectAuthyError(yield* raw(url, `/__emulator/faults/${mine}`, { method: "DELETE", key: "k2" }), 404, "60000")
          // The POST alias, for clients without DELETE.
          const alias = yield* raw(url, `/__emulator/faults/${kept}/delete`, { method: "POST", key: "k2" })
          expect([alias.status, alias.json]).toEqual([200, { message: "Fault removed.", success: true }])
          expect((yield* raw(url, "/__emulator/faults", { key: "k2" })).json.faults).toEqual([])
          expect((yield* raw(url, "/__emulator/faults", { key: "k1" })).json.faults.map((f: { id: string }) => f.id)).toEqual([other])
          // A Twilio account's unknown id (ids start at f1): Twilio's four-field 404.
          const basic = `Basic ${Buffer.from(`AC${"0".repeat(32)}:test-auth-token`).toString("base64")}`
          const twilio = yield* raw(url, "/__emulator/faults/f0", { method: "DELETE", key: null, headers: { authorization: basic } })
          expect([twilio.status, twilio.json]).toEqual([
            404,
            { code: 20404, message: "Fault not found: f0", more_info: "https://www.twilio.com/docs/errors/20404", status: 404 }
          ])
          // The in-process handle: the same, scoped by key.
          expect(yield* control.faultsFor("k2").removeFault(other)).toBe(false)
          expect(yield* control.removeFault(other)).toBe(true)
          expect(yield* control.removeFault(other)).toBe(false)
          expect((yield* raw(url, "/protected/json/app/details", { key: "k1" })).status).toBe(200)
          expect(yield* Effect.exit(control.faultsFor("nobody").removeFault(other))).toMatchObject({ _tag: "Failure" })
        }))

      it.effect("the in-process handle scopes faults by key as well", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const { control } = yield* Emulator
          yield* control.faultsFor("k2").injectFault({ path: "/**", times: 5, fault: { type: "status", status: 502, body: "text" } })
          expect((yield* raw(url, "/protected/json/app/details", { key: "k1" })).status).toBe(200)
          expect((yield* raw(url, "/protected/json/app/details", { key: "k2" })).status).toBe(502)
          expect(yield* control.faults).toEqual([])
          expect(yield* control.faultsFor("k2").faults).toHaveLength(1)
          expect(yield* Effect.exit(control.faultsFor("nobody").faults)).toMatchObject({ _tag: "Failure" })
        }))

      it.effect("advancing one application's clock leaves the others on real time", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const advanced = yield* post(url, "/__emulator/clock/advance", { seconds: 3600 }, "k2")
          expect(advanced.json).toMatchObject({ offset_seconds: 3600, success: true })
          expect((yield* raw(url, "/__emulator/clock", { key: "k1" })).json).toMatchObject({ offset_seconds: 0 })
          expect((yield* raw(url, "/__emulator/clock", { key: "k2" })).json).toMatchObject({ offset_seconds: 3600 })
          // an SMS code of k1 is not expired by k2's clock
          const id = yield* createUser(url, "k1")
          yield* raw(url, `/protected/json/sms/${id}`)
          const { control } = yield* Emulator
          const code = yield* control.lastCode(id, "k1")
          yield* control.advanceClock("1 hour", "k2")
          expect((yield* raw(url, `/protected/json/verify/${code}/${id}?force=true`)).status).toBe(200)
        }))

      it.effect("a clock advance past the bound answers 400 and breaks nothing", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          for (const seconds of [1e308, "1e308", -1, "NaN", "Infinity", "abc", null, 3_153_600_001]) {
            expectAuthyError(yield* post(url, "/__emulator/clock/advance", { seconds }), 400, "60004")
          }
          expectAuthyError(yield* raw(url, "/__emulator/clock/advance", { method: "POST" }), 400, "60004")
          // up to the bound is fine, one second more is not
          expect((yield* post(url, "/__emulator/clock/advance", { seconds: 3_153_600_000 - 10 })).status).toBe(200)
          expectAuthyError(yield* post(url, "/__emulator/clock/advance", { seconds: 11 }), 400, "60004")
          const clock = yield* raw(url, "/__emulator/clock")
          expect(clock.status).toBe(200)
          expect(clock.json.now).toMatch(/^\d{4}-\d\d-\d\dT/)
          const started = yield* post(url, "/protected/json/phones/verification/start", { via: "sms", phone_number: "305-342-5699", country_code: 57 })
          expect(started.json.seconds_to_expire).toBe(599)
          expect((yield* raw(url, "/__emulator/messages")).status).toBe(200)
          const { control } = yield* Emulator
          expect(yield* Effect.exit(control.advanceClock(Infinity))).toMatchObject({ _tag: "Failure" })
        }))

      it.effect("every numeric fault input is bounded", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const refused = [
            { path: "/x", times: 1e308 },
            { path: "/x", times: 1_000_001 },
            { path: "/x", type: "status", status: 1e308 },
            { path: "/x", type: "delay", ms: 1e308 },
            { path: "/x", type: "hang", ms: 600_001 },
            { path: "/x", type: "rate_limit", retry_after: "1\r\nx-injected: yes" },
            { path: "/x", type: "rate_limit", retry_after: "9".repeat(65) },
            { path: `/${"*a".repeat(200)}` }
          ]
          for (const body of refused) expectAuthyError(yield* post(url, "/__emulator/faults", body), 400, "60004")
          for (const rate of [1e308, "1e308", -0.1, "NaN"]) {
            expectAuthyError(yield* post(url, "/__emulator/faults/random", { rate }), 400, "60004")
          }
          expect((yield* raw(url, "/__emulator/faults")).json).toMatchObject({ faults: [], random: { rate: 0 } })
          expect((yield* raw(url, "/protected/json/app/details")).status).toBe(200)
        }))

      it.effect("an application holds at most 100 scripted faults", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          for (let i = 0; i < 100; i++) expect((yield* post(url, "/__emulator/faults", { path: `/n${i}` })).status).toBe(200)
          expectAuthyError(yield* post(url, "/__emulator/faults", { path: "/one-more" }), 400, "60004")
          expect((yield* post(url, "/__emulator/faults", { path: "/other-app" }, "k2")).status).toBe(200)
        }))

      it.effect("seconds_to_expire past ten years is refused, so a record always prints", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* createUser(url)
          const huge = yield* post(url, `/onetouch/json/users/${id}/approval_requests`, { message: "m", seconds_to_expire: "1" + "0".repeat(20) })
          expectAuthyError(huge, 400, "60004")
          const ok = yield* post(url, `/onetouch/json/users/${id}/approval_requests`, { message: "m", seconds_to_expire: 315_360_000 })
          const uuid = ok.json.approval_request.uuid as string
          expect((yield* raw(url, `/onetouch/json/approval_requests/${uuid}`)).status).toBe(200)
        }))
    })

    describe("4. answers that say what they are", () => {
      it.effect("an HTML fault page is titled with its own status", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          for (const status of [503, 502, 500, 418]) {
            yield* post(url, "/__emulator/faults", { path: "/protected/json/app/details", type: "status", status, body: "html" })
            const r = yield* raw(url, "/protected/json/app/details")
            expect(r.status).toBe(status)
            expect(r.headers["content-type"]).toMatch(/text\/html/)
            const title = status === 418 ? "418 I'm a Teapot" : `${status} ${{ 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable" }[status]}`
            expect(r.text).toContain(`<title>${title}</title>`)
            expect(r.text).toContain(`<h1>${title}</h1>`)
          }
        }))

      it.effect("every control answer carries success: true, messages and callbacks included", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const gets = ["/__emulator/messages", "/__emulator/callbacks", "/__emulator/callback", "/__emulator/clock", "/__emulator/counters", "/__emulator/faults"]
          for (const path of gets) {
            const r = yield* raw(url, path)
            expect(r.status).toBe(200)
            expect(r.json).toMatchObject({ success: true })
          }
          expect((yield* raw(url, "/__emulator/messages")).json).toEqual({ messages: [], success: true })
          expect((yield* raw(url, "/__emulator/callbacks")).json).toEqual({ deliveries: [], success: true })
        }))
    })

    describe("5. fuzzing the parameter parser", () => {
      /** Keys with Rails brackets, dangerous names included. */
      const segment = fc.oneof(
        fc.constantFrom("", "__proto__", "constructor", "prototype", "user", "details", "logos", "force", "0", "1"),
        fc.string({ maxLength: 6 })
      )
      const bracketKey = fc.tuple(segment, fc.array(segment, { maxLength: 40 }), fc.boolean()).map(([head, rest, open]) =>
        `${head}${rest.map((s) => `[${s}]`).join("")}${open ? "[" : ""}`
      )
      const pairs = fc.array(fc.tuple(bracketKey, fc.string({ maxLength: 8 })), { maxLength: 30 })
      const encode = (list: ReadonlyArray<readonly [string, string]>) =>
        list.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")
      /** Strings that look like forms or queries, taken apart: `=`, `&`, `%`, brackets and garbage. */
      const rawText = fc.stringMatching(/^[a-z_[\]=&%0-9+.;\s]{0,120}$/)
      /** What node:http lets through in a request target: no spaces or control characters. */
      const asTarget = (query: string) => query.replace(/[^\u0021-\u007e]/g, encodeURIComponent)
      const jsonBody = fc.oneof(
        fc.jsonValue({ maxDepth: 40 }).map((v) => JSON.stringify(v)),
        // written out: an object literal's `__proto__` would set its prototype, not a key
        fc.jsonValue().map((v) => {
          const text = JSON.stringify(v)
          return `{"__proto__":${text},"constructor":{"prototype":${text}},"user":${text}}`
        }),
        fc.string({ maxLength: 40 }).map((s) => `{${s}`)
      )
      const routes = [
        ["POST", "/protected/json/users/new"],
        ["GET", "/protected/json/sms/1"],
        ["POST", "/onetouch/json/users/1/approval_requests"],
        ["POST", "/protected/json/phones/verification/start"],
        ["GET", "/protected/json/phones/verification/check"],
        ["POST", "/protected/json/users/1/register_activity"],
        ["POST", "/__emulator/faults"],
        ["POST", "/__emulator/faults/random"],
        ["POST", "/__emulator/clock/advance"],
        ["POST", "/__emulator/callback"]
      ] as const
      const request = fc.record({
        route: fc.constantFrom(...routes),
        key: fc.constantFrom<string | null>("k1", null, "nobody"),
        query: fc.oneof(pairs.map(encode), rawText),
        body: fc.oneof(
          pairs.map((p) => ({ type: "application/x-www-form-urlencoded", text: encode(p) })),
          rawText.map((text) => ({ type: "application/x-www-form-urlencoded", text })),
          jsonBody.map((text) => ({ type: "application/json", text })),
          jsonBody.map((text) => ({ type: "", text }))
        )
      })

      it.effect("any query, form or JSON answers an Authy-shaped 2xx or 4xx, and Object.prototype is untouched", () =>
        Effect.gen(function*() {
          const url = yield* fresh
          const id = yield* createUser(url)
          yield* post(url, `/__emulator/users/${id}/devices`, {})
          const before = prototypeSnapshot()
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(request, async ({ body, key, query, route: [method, path] }) => {
                const r = await Effect.runPromise(raw(url, `${path}?${asTarget(query)}`, {
                  method,
                  key,
                  body: body.text,
                  ...(body.type === "" ? {} : { headers: { "content-type": body.type } })
                }))
                expect(r.status).toBeGreaterThanOrEqual(200)
                expect(r.status).toBeLessThan(500)
                expect(typeof r.json?.success === "boolean" || r.json?.success === "true").toBe(true)
                if (r.status >= 400) expect(r.json).toMatchObject({ error_code: expect.stringMatching(/^600\d\d$/), message: expect.any(String) })
              }),
              { numRuns: 300 }
            )
          )
          yield* raw(url, "/__emulator/faults", { method: "DELETE" })
          yield* post(url, "/__emulator/faults/random", { rate: 0 })
          expect(prototypeSnapshot()).toEqual(before)
          expect(({} as Record<string, unknown>).force).toBeUndefined()
          // a user with the app still gets `ignored`: nothing leaked into the defaults
          expect((yield* raw(url, `/protected/json/sms/${id}`)).json).toMatchObject({ ignored: true })
        }))
    })
  })

  describe("the parser on its own", () => {
    const depth = (value: unknown): number =>
      Array.isArray(value)
        ? 1 + Math.max(0, ...value.map(depth))
        : typeof value === "object" && value !== null
        ? 1 + Math.max(0, ...Object.values(value).map(depth))
        : 0

    it("keeps parsed objects free of prototypes, and drops __proto__, constructor and prototype", () => {
      const before = prototypeSnapshot()
      const parsed = Params.fromRequest(
        new URLSearchParams("__proto__[a]=1&constructor[prototype][b]=2&user[__proto__][c]=3&user[email]=e&x[prototype]=4"),
        `{"__proto__":{"d":1},"details":{"constructor":{"prototype":{"e":1}},"k":"v"}}`,
        "application/json"
      )
      expect(parsed).not.toBeInstanceOf(Params.MalformedBody)
      const params = parsed as Params.Params
      expect(Object.getPrototypeOf(params)).toBeNull()
      expect(Object.getPrototypeOf(params.user)).toBeNull()
      expect(Object.getPrototypeOf(params.details)).toBeNull()
      expect(JSON.parse(JSON.stringify(params))).toEqual({ user: { email: "e" }, details: { k: "v" } })
      expect(prototypeSnapshot()).toEqual(before)
    })

    it("any input parses within the limits, or is refused", () => {
      const key = fc.tuple(fc.string({ maxLength: 4 }), fc.array(fc.constantFrom("", "a", "0", "__proto__"), { maxLength: 60 }))
        .map(([head, rest]) => `${head}${rest.map((s) => `[${s}]`).join("")}`)
      fc.assert(
        fc.property(fc.array(fc.tuple(key, fc.string({ maxLength: 3 })), { maxLength: 1100 }), fc.jsonValue({ maxDepth: 50 }), (pairs, json) => {
          const form = new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, v]))
          const parsed = Params.fromRequest(form, JSON.stringify({ json }), "application/json")
          if (parsed instanceof Params.MalformedBody) return
          expect(depth(parsed)).toBeLessThanOrEqual(Params.limits.maxDepth)
        }),
        { numRuns: 200 }
      )
    })
  })
})

describe("fault path patterns", () => {
  it("match * within a segment and ** across segments, nothing else", () => {
    const match = (pattern: string, path: string) => PathPattern.matches(PathPattern.compile(pattern), path)
    expect(match("/protected/json/sms/*", "/protected/json/sms/12")).toBe(true)
    expect(match("/protected/json/sms/*", "/protected/json/sms/12/x")).toBe(false)
    expect(match("/protected/json/users/*/status", "/protected/json/users/1/status")).toBe(true)
    expect(match("/onetouch/**", "/onetouch/json/approval_requests/x")).toBe(true)
    expect(match("/**", "/")).toBe(true)
    expect(match("/a.b", "/aXb")).toBe(false)
    expect(match("/a*", "/a")).toBe(true)
    expect(match("/x", "/x/")).toBe(false)
  })

  it("match in steps linear in the path, whatever the pattern (a backtracking regex would not return here)", () => {
    const pattern = PathPattern.compile(`/${"*a".repeat(120)}`)
    expect(PathPattern.matches(pattern, `/${"a".repeat(2000)}b`)).toBe(false)
    expect(PathPattern.matches(PathPattern.compile(`/${"**a".repeat(80)}`), `/${"a/".repeat(1000)}b`)).toBe(false)
  })
})
