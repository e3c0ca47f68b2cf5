/**
 * The emulator's web inbox without a browser (the browser drives it in
 * test/browser/inbox.test.ts, `npm run test:browser`): what it serves, to
 * whom, the live stream, and that its actions are the control API's.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Deferred, Effect, Layer } from "effect"
import { request as httpRequest } from "node:http"
import { OneTouch, Users } from "effect-authy"
import { Emulator } from "effect-authy/emulator"
import { raw, type RawRequest } from "./util/raw.js"

const TestLayer = Emulator.layerAuthy({ apiKeys: ["k1", "k2"] }).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))

const json = { "content-type": "application/json" }
const port = (url: string) => new URL(url).port

/** A request of the inbox: no API key (the inbox needs none). */
const ui = (url: string, path: string, options: RawRequest = {}) => raw(url, path, { ...options, key: null })

/** A POST as the inbox's own page sends it: JSON, same origin. */
const pagePost = (url: string, path: string, body: unknown = {}) =>
  ui(url, path, {
    method: "POST",
    headers: { ...json, origin: url, "sec-fetch-site": "same-origin" },
    body: JSON.stringify(body)
  })

/** Opens the event stream and resolves with its first `change` event naming `tenant`. */
const firstChange = (url: string, tenant: string) =>
  Effect.gen(function*() {
    const opened = yield* Deferred.make<void>()
    const seen = yield* Deferred.make<string>()
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        const req = httpRequest(new URL("/__inbox/events", url), (res) => {
          expect(res.statusCode).toBe(200)
          expect(res.headers["content-type"]).toBe("text/event-stream; charset=utf-8")
          let text = ""
          res.setEncoding("utf8")
          res.on("data", (chunk: string) => {
            text += chunk
            if (text.includes("event: ready")) Deferred.unsafeDone(opened, Effect.void)
            const change = text.split("\n\n").find((e) => e.startsWith("event: change") && e.includes(`"${tenant}"`))
            if (change !== undefined) Deferred.unsafeDone(seen, Effect.succeed(change))
          })
        })
        req.on("error", () => {})
        req.end()
        return req
      }),
      (req) => Effect.sync(() => req.destroy())
    )
    yield* Deferred.await(opened)
    return Deferred.await(seen)
  })

layer(TestLayer)("the web inbox", (it) => {
  it.effect("serves the page, its script and style with their content types and a strict CSP", () =>
    Effect.gen(function*() {
      const { url } = yield* Emulator
      const page = yield* ui(url, "/")
      expect(page.status).toBe(200)
      expect(page.headers["content-type"]).toBe("text/html; charset=utf-8")
      expect(page.text).toContain("<!doctype html>")
      expect(page.headers["content-security-policy"]).toContain("default-src 'none'")
      expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'")
      expect(page.headers["x-frame-options"]).toBe("DENY")
      const script = yield* ui(url, "/__inbox/app.js")
      expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8")
      expect(script.text).toContain("new EventSource(\"/__inbox/events\")")
      const style = yield* ui(url, "/__inbox/app.css")
      expect(style.headers["content-type"]).toBe("text/css; charset=utf-8")
      expect(style.text).toContain("prefers-color-scheme: dark")
    }))

  it.effect("answers unknown paths in the API's dialect, under the inbox's prefix too", () =>
    Effect.gen(function*() {
      const { url } = yield* Emulator
      const unknown = yield* ui(url, "/__inbox/nope")
      expect(unknown.status).toBe(404)
      expect(unknown.json.error_code).toBe("60000")
      const api = yield* ui(url, "/protected/json/nope")
      expect(api.json.error_code).toBe("60000")
    }))

  it.effect("answers only to a loopback Host or the configured one (DNS rebinding), the API too", () =>
    Effect.gen(function*() {
      const { url } = yield* Emulator
      const p = port(url)
      for (const host of [`localhost:${p}`, `127.0.0.1:${p}`, `[::1]:${p}`, "LOCALHOST", "localhost:1"]) {
        expect((yield* ui(url, "/", { headers: { host } })).status).toBe(200)
      }
      for (const host of [`evil.example:${p}`, "evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "[::2]"]) {
        const page = yield* ui(url, "/", { headers: { host } })
        expect(page.status).toBe(403)
        expect((yield* ui(url, "/__inbox/api/a0", { headers: { host } })).status).toBe(403)
        expect((yield* ui(url, "/__inbox/events", { headers: { host } })).status).toBe(403)
        // The API, in its own dialect.
        const authy = yield* raw(url, "/protected/json/app/details", { key: "k1", headers: { host } })
        expect(authy.status).toBe(403)
        expect(authy.json.success).toBe(false)
        const twilio = yield* raw(url, `/v2/Services`, {
          key: null,
          headers: { host, authorization: `Basic ${Buffer.from(`AC${"0".repeat(32)}:test-auth-token`).toString("base64")}` }
        })
        expect(twilio.status).toBe(403)
        expect(twilio.json.status).toBe(403)
      }
    }))

  it.effect("refuses a cross-site action: a foreign Origin, a cross-site fetch, a form", () =>
    Effect.gen(function*() {
      const { control, url } = yield* Emulator
      const { user } = yield* Users.create({ email: "ada@example.com", cellphone: "+57 305 342 5699" })
      const sent = yield* OneTouch.sendRequest(user.id, { message: "Log in?" })
      const path = `/__inbox/api/a0/approvals/${sent.approvalRequest.uuid}/approve`
      const attempts: ReadonlyArray<RawRequest> = [
        { headers: { ...json, origin: "http://evil.example" }, body: "{}" },
        { headers: { ...json, origin: "null" }, body: "{}" },
        { headers: { ...json, "sec-fetch-site": "cross-site" }, body: "{}" },
        { headers: { ...json, "sec-fetch-site": "same-site", origin: url }, body: "{}" },
        { headers: { "content-type": "application/x-www-form-urlencoded", origin: url }, body: "a=1" },
        { headers: { "content-type": "text/plain" }, body: "{}" }
      ]
      for (const attempt of attempts) {
        const refused = yield* ui(url, path, { ...attempt, method: "POST" })
        expect(refused.status).toBe(403)
      }
      const status = yield* OneTouch.getApprovalStatus(sent.approvalRequest.uuid)
      expect(status.approvalRequest.status).toBe("pending")
      // The page itself (and a client with no browser headers at all) may.
      const approved = yield* pagePost(url, path)
      expect(approved.status).toBe(200)
      expect(approved.json.approval_request.status).toBe("approved")
      expect((yield* OneTouch.getApprovalStatus(sent.approvalRequest.uuid)).approvalRequest.status).toBe("approved")
      yield* control.reset
    }))

  it.scoped("streams a change event when a tenant's state changes, naming the tenant", () =>
    Effect.gen(function*() {
      const { control, url } = yield* Emulator
      const authyChange = yield* firstChange(url, "a0")
      yield* Users.create({ email: "ada@example.com", cellphone: "+57 305 342 5699" })
      expect(yield* authyChange).toContain(`"tenants":["a0"]`)
      const verifyChange = yield* firstChange(url, "t0")
      yield* control.verify.advanceClock("1 second")
      expect(yield* verifyChange).toContain("t0")
      // Faults live outside the state: a change over the control API is told too.
      const faultChange = yield* firstChange(url, "a1")
      const added = yield* raw(url, "/__emulator/faults", {
        method: "POST",
        key: "k2",
        headers: json,
        body: JSON.stringify({ path: "/protected/json/sms/*" })
      })
      expect(added.status).toBe(200)
      expect(yield* faultChange).toContain("a1")
      yield* control.faultsFor("k2").clearFaults
      yield* control.reset
    }))

  it.effect("lists the applications and accounts by position, never by key", () =>
    Effect.gen(function*() {
      const { url } = yield* Emulator
      const listed = yield* ui(url, "/__inbox/api/tenants")
      expect(listed.json.tenants.map((t: { id: string }) => t.id)).toEqual(["a0", "a1", "t0"])
      expect(listed.text).not.toContain("\"k1\"")
      expect((yield* ui(url, "/__inbox/api/a2")).status).toBe(404)
    }))

  it.effect("shows what was sent, newest first, with the code, its state and its expiry", () =>
    Effect.gen(function*() {
      const { control, url } = yield* Emulator
      const { user } = yield* Users.create({ email: "ada@example.com", cellphone: "+57 305 342 5699" })
      yield* Users.requestSms(user.id, { force: true })
      yield* Users.requestCall(user.id, { force: true })
      const snapshot = (yield* ui(url, "/__inbox/api/a0")).json
      const codes = (yield* control.messages()).map((m) => m.code)
      expect(snapshot.messages.map((m: { code: string }) => m.code)).toEqual([...codes].reverse())
      expect(snapshot.messages[0]).toMatchObject({ channel: "call", to: "+573053425699", state: "pending" })
      expect(snapshot.messages[0].expiresAt - snapshot.messages[0].sentAt).toBe(10 * 60 * 1000)
      // The other application sees none of it.
      expect((yield* ui(url, "/__inbox/api/a1")).json.messages).toEqual([])
      // A long run: the newest 200 only, and how many there are.
      yield* Effect.repeatN(Users.requestSms(user.id, { force: true }), 200)
      const long = (yield* ui(url, "/__inbox/api/a0")).json
      expect(long.totals.messages).toBe(203)
      expect(long.messages).toHaveLength(200)
      expect(long.messages[0].code).toBe((yield* control.messages()).at(-1)!.code)
      yield* control.reset
    }))

  it.effect("acts as the control API does: the same replies, the same state", () =>
    Effect.gen(function*() {
      const { control, url } = yield* Emulator
      const { user } = yield* Users.create({ email: "ada@example.com", cellphone: "+57 305 342 5699" })
      const viaUi = (yield* OneTouch.sendRequest(user.id, { message: "Log in?" })).approvalRequest.uuid
      const viaControl = (yield* OneTouch.sendRequest(user.id, { message: "Log in?" })).approvalRequest.uuid
      const a = yield* pagePost(url, `/__inbox/api/a0/approvals/${viaUi}/approve`)
      const b = yield* raw(url, `/__emulator/approval_requests/${viaControl}/approve`, { method: "POST" })
      const same = (body: { approval_request: Record<string, unknown> }) => ({
        ...body,
        approval_request: { ...body.approval_request, uuid: "-", created_at: "-", processed_at: "-", expires_at: "-" }
      })
      expect([a.status, same(a.json)]).toEqual([b.status, same(b.json)])
      // Answering again: the control API's 409, from either.
      const again = yield* pagePost(url, `/__inbox/api/a0/approvals/${viaUi}/deny`)
      const againControl = yield* raw(url, `/__emulator/approval_requests/${viaControl}/deny`, { method: "POST" })
      expect([again.status, again.json.error_code]).toEqual([againControl.status, againControl.json.error_code])
      // The clock, with the control API's bounds.
      const before = yield* control.now
      expect((yield* pagePost(url, "/__inbox/api/a0/clock/advance", { seconds: 60 })).json.offset_seconds).toBe(60)
      expect((yield* control.now) - before).toBeGreaterThanOrEqual(60_000)
      const tooFar = yield* pagePost(url, "/__inbox/api/a0/clock/advance", { seconds: 1e12 })
      const tooFarControl = yield* raw(url, "/__emulator/clock/advance", { method: "POST", headers: json, body: JSON.stringify({ seconds: 1e12 }) })
      expect([tooFar.status, tooFar.json.error_code]).toEqual([tooFarControl.status, tooFarControl.json.error_code])
      // Settings and faults, read back through the control API and the handle.
      expect((yield* pagePost(url, "/__inbox/api/a0/settings", { sms_enabled: false })).status).toBe(200)
      expect((yield* raw(url, "/__emulator/app")).json.app.sms_enabled).toBe(false)
      expect((yield* pagePost(url, "/__inbox/api/a0/settings", { sms_enabled: "maybe" })).status).toBe(400)
      yield* pagePost(url, "/__inbox/api/a0/settings", { sms_enabled: true })
      const fault = yield* pagePost(url, "/__inbox/api/a0/faults", { path: "/protected/json/sms/*", type: "status", status: 503 })
      expect(fault.json.fault).toMatchObject({ path: "/protected/json/sms/*", status: 503 })
      expect((yield* control.faults).map((f) => f.path)).toEqual(["/protected/json/sms/*"])
      expect((yield* control.faultsFor("k2").faults)).toEqual([])
      yield* pagePost(url, "/__inbox/api/a0/faults/clear")
      expect(yield* control.faults).toEqual([])
      // Another application's fault, while this one holds none: the same 404 from either, and it stays.
      const otherApp = (yield* control.faultsFor("k2").injectFault({ path: "/**", fault: { type: "truncate" } })).id
      const foreign = yield* pagePost(url, `/__inbox/api/a0/faults/${otherApp}/delete`)
      const foreignRoute = yield* raw(url, `/__emulator/faults/${otherApp}`, { method: "DELETE" })
      expect([foreign.status, foreign.json]).toEqual([foreignRoute.status, foreignRoute.json])
      expect(foreign.status).toBe(404)
      expect((yield* control.faultsFor("k2").faults).map((f) => f.id)).toEqual([otherApp])
      // Removing one fault: the control route's reply, from either; the others stay.
      const addFault = (path: string) =>
        Effect.map(pagePost(url, "/__inbox/api/a0/faults", { path }), (r) => r.json.fault.id as string)
      const viaPage = yield* addFault("/protected/json/sms/*")
      const viaRoute = yield* addFault("/protected/json/call/*")
      yield* addFault("/protected/json/app/*")
      const removedByPage = yield* pagePost(url, `/__inbox/api/a0/faults/${viaPage}/delete`)
      const removedByRoute = yield* raw(url, `/__emulator/faults/${viaRoute}`, { method: "DELETE" })
      expect([removedByPage.status, removedByPage.json]).toEqual([removedByRoute.status, removedByRoute.json])
      expect(removedByPage.json).toEqual({ message: "Fault removed.", success: true })
      expect((yield* control.faults).map((f) => f.path)).toEqual(["/protected/json/app/*"])
      expect((yield* control.faultsFor("k2").faults).map((f) => f.id)).toEqual([otherApp])
      // Gone once removed: the same 404 from either.
      const gone = yield* pagePost(url, `/__inbox/api/a0/faults/${viaPage}/delete`)
      const goneRoute = yield* raw(url, `/__emulator/faults/${viaPage}`, { method: "DELETE" })
      expect([gone.status, gone.json]).toEqual([goneRoute.status, goneRoute.json])
      expect(gone.status).toBe(404)
      yield* control.faultsFor("k2").clearFaults
      yield* control.clearFaults
      // Reset: the application only.
      expect((yield* pagePost(url, "/__inbox/api/a0/reset")).json.message).toBe("Application reset.")
      expect(yield* control.messages()).toEqual([])
      expect((yield* pagePost(url, "/__inbox/api/a0/nonsense")).status).toBe(404)
      yield* control.reset
    }))

  it.effect("approves a Verify challenge through the control API's step", () =>
    Effect.gen(function*() {
      const { url } = yield* Emulator
      const missing = yield* pagePost(url, `/__inbox/api/t0/challenges/YC${"0".repeat(32)}/approve`)
      const missingControl = yield* raw(url, `/__emulator/challenges/YC${"0".repeat(32)}/approve`, {
        method: "POST",
        key: null,
        headers: { authorization: `Basic ${Buffer.from(`AC${"0".repeat(32)}:test-auth-token`).toString("base64")}` }
      })
      expect([missing.status, missing.json]).toEqual([missingControl.status, missingControl.json])
    }))
})

describe("the web inbox's event stream", () => {
  it.live("ends when the emulator stops, so that an open page never holds up its shutdown", () =>
    Effect.gen(function*() {
      const ended = yield* Deferred.make<void>()
      yield* Effect.gen(function*() {
        const { url } = yield* Emulator
        const opened = yield* Deferred.make<void>()
        httpRequest(new URL("/__inbox/events", url), (res) => {
          res.on("data", () => Deferred.unsafeDone(opened, Effect.void))
          res.on("end", () => Deferred.unsafeDone(ended, Effect.void))
        }).end()
        yield* Deferred.await(opened)
      }).pipe(Effect.scoped, Effect.provide(Emulator.layer()))
      // The layer is closed (its server too): the stream was ended, not left hanging.
      yield* Deferred.await(ended)
    }))
})

describe("the web inbox turned off", () => {
  it.scoped("ui: false answers its paths like any unknown one", () =>
    Effect.gen(function*() {
      const { url } = yield* Emulator
      for (const path of ["/", "/__inbox/app.js", "/__inbox/events", "/__inbox/api/tenants"]) {
        const answer = yield* ui(url, path)
        expect(answer.status).toBe(404)
        expect(answer.json.error_code).toBe("60000")
      }
      // The Host check stays.
      expect((yield* ui(url, "/", { headers: { host: "evil.example" } })).status).toBe(403)
    }).pipe(Effect.provide(Emulator.layer({ ui: false }))))

  it.scoped("a wildcard bind lets the API answer any Host, the inbox still only loopback", () =>
    Effect.gen(function*() {
      const { url } = yield* Emulator
      const local = `http://127.0.0.1:${port(url)}`
      const host = `emulator.internal:${port(url)}`
      expect((yield* raw(local, "/protected/json/app/details", { key: "test-key", headers: { host } })).status).toBe(200)
      expect((yield* ui(local, "/", { headers: { host } })).status).toBe(403)
      expect((yield* ui(local, "/")).status).toBe(200)
    }).pipe(Effect.provide(Emulator.layer({ host: "0.0.0.0" }))))
})
