/**
 * Bad input never crashes the emulator: malformed and oversized bodies,
 * unknown paths, wrong methods, missing or wrong keys, garbage on the socket,
 * invalid fault specs — each gets an Authy-shaped error (or, below HTTP, the
 * connection is closed), and the same server keeps answering. A crash would
 * take the test worker down with it, so the last request of each test is a
 * normal one that must still succeed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { connect } from "node:net"
import { Emulator, layer } from "effect-authy/emulator"
import * as Cli from "../src/emulator/cli.js"
import * as Faults from "../src/emulator/core/faults.js"
import { maxBodyBytes } from "../src/emulator/core/server.js"
import { type RawOutcome, type RawResponse, rawOutcome as raw } from "./util/raw.js"

type Outcome = RawOutcome

const response = (outcome: Outcome): RawResponse => {
  if ("error" in outcome) throw new Error(`expected an answer, got ${outcome.error}`)
  return outcome
}

/** An Authy error body: `success: false`, a message, a string `error_code`. */
const expectAuthyError = (outcome: Outcome, status: number, code: string) => {
  const r = response(outcome)
  expect(r.status).toBe(status)
  expect(r.json).toMatchObject({ success: false, error_code: code, message: expect.any(String) })
}

const url = Effect.map(Emulator, (e) => e.url)

/** The server still answers a normal request. */
const stillServing = Effect.gen(function*() {
  const r = response(yield* raw(yield* url, "/protected/json/app/details"))
  expect(r.status).toBe(200)
  expect(r.json).toMatchObject({ success: true })
})

const jsonType = { "content-type": "application/json" }
const formType = { "content-type": "application/x-www-form-urlencoded" }

describe("emulator robustness", () => {
  it.layer(layer({ apiKeys: ["k1"] }))((it) => {
    it.effect("malformed bodies get 400 60002", () =>
      Effect.gen(function*() {
        const base = yield* url
        for (const body of ["{", `{"user":`, "[1,2", "\u0000\u0001garbage", "null", "\"just a string\""]) {
          const r = yield* raw(base, "/protected/json/users/new", { method: "POST", headers: jsonType, body })
          expect(response(r).status).toBeGreaterThanOrEqual(400)
          expect(response(r).status).toBeLessThan(500)
          expect(response(r).json).toMatchObject({ success: false, error_code: expect.any(String) })
        }
        expectAuthyError(
          yield* raw(base, "/protected/json/users/new", { method: "POST", headers: jsonType, body: "{" }),
          400,
          "60002"
        )
        const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3])
        const r = response(yield* raw(base, "/protected/json/users/new", { method: "POST", headers: formType, body: binary }))
        expect(r.status).toBe(400)
        yield* stillServing
      }))

    it.effect("a body declared larger than 1 MiB gets 413, unread", () =>
      Effect.gen(function*() {
        const big = Buffer.alloc(maxBodyBytes + 1, "a")
        expectAuthyError(
          yield* raw(yield* url, "/protected/json/users/new", { method: "POST", headers: jsonType, body: big }),
          413,
          "60002"
        )
        // exactly at the cap is read (and refused as an invalid user, not as too large)
        const atCap = Buffer.alloc(maxBodyBytes, " ")
        expectAuthyError(
          yield* raw(yield* url, "/protected/json/users/new", { method: "POST", headers: formType, body: atCap }),
          400,
          "60027"
        )
        yield* stillServing
      }))

    it.effect("a chunked body over the cap is cut off: the connection is closed, the server lives", () =>
      Effect.gen(function*() {
        const big = Buffer.alloc(maxBodyBytes * 2, "a")
        const outcome = yield* raw(yield* url, "/protected/json/users/new", {
          method: "POST",
          headers: jsonType,
          body: big,
          chunked: true
        })
        if ("error" in outcome) expect(["ECONNRESET", "EPIPE"]).toContain(outcome.error)
        else expectAuthyError(outcome, 400, "60002")
        yield* stillServing
      }))

    it.effect("unknown paths and wrong methods get 404 Authy errors", () =>
      Effect.gen(function*() {
        const base = yield* url
        // `/` is the web inbox (test/emulator-ui.test.ts; with `ui: false` it is unknown too).
        for (const path of ["/nope", "/protected/json/users", "/protected/xml/app/details", "/%2e%2e/etc/passwd"]) {
          expectAuthyError(yield* raw(base, path), 404, "60000")
        }
        const wrongMethods: ReadonlyArray<readonly [string, string]> = [
          ["DELETE", "/protected/json/users/new"],
          ["PUT", "/protected/json/users/new"],
          ["PATCH", "/protected/json/app/details"],
          ["DELETE", "/protected/json/users/1/status"],
          ["PUT", "/onetouch/json/approval_requests/8d031630-d15b-0134-b0a8-0a77bbe8093e"],
          ["POST", "/protected/json/app/details"]
        ]
        for (const [method, path] of wrongMethods) {
          const r = response(yield* raw(base, path, { method }))
          expect(r.status).toBe(404)
          expect(r.json).toMatchObject({ success: false, error_code: "60000", message: `Not found: ${method} ${path}` })
        }
        // the message names the path, never the query (which may hold a key)
        const r = response(yield* raw(base, "/nope?api_key=secret"))
        expect(r.text).not.toContain("secret")
        yield* stillServing
      }))

    it.effect("a missing or wrong key gets 401 60001, on the API and on the control API", () =>
      Effect.gen(function*() {
        const base = yield* url
        for (const path of ["/protected/json/app/details", "/__emulator/faults", "/__emulator/counters"]) {
          expectAuthyError(yield* raw(base, path, { key: null }), 401, "60001")
          expectAuthyError(yield* raw(base, path, { key: "wrong" }), 401, "60001")
          expectAuthyError(yield* raw(base, path, { key: "" }), 401, "60001")
        }
        expectAuthyError(
          yield* raw(base, "/__emulator/faults", { method: "POST", key: "wrong", headers: jsonType, body: `{"path":"/x"}` }),
          401,
          "60001"
        )
        yield* stillServing
      }))

    it.effect("garbage below HTTP is refused by the parser; the server lives", () =>
      Effect.gen(function*() {
        const port = Number(new URL(yield* url).port)
        for (const garbage of ["GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "\u0000\u0001\u0002\r\n\r\n"]) {
          const answer = yield* Effect.async<string>((resume) => {
            let text = ""
            const socket = connect(port, "127.0.0.1", () => socket.write(garbage))
            socket.on("data", (chunk) => (text += chunk.toString("latin1")))
            socket.on("error", () => {})
            socket.on("close", () => resume(Effect.succeed(text)))
          })
          expect(answer === "" || answer.startsWith("HTTP/1.1 400") || answer.startsWith("HTTP/1.1 505")).toBe(true)
        }
        yield* stillServing
      }))

    it.effect("a burst of bad requests alongside good ones", () =>
      Effect.gen(function*() {
        const base = yield* url
        const bad = [
          raw(base, "/protected/json/users/new", { method: "POST", headers: jsonType, body: "{" }),
          raw(base, "/protected/json/users/new", { method: "PUT" }),
          raw(base, "/protected/json/app/details", { key: "wrong" }),
          raw(base, "/protected/json/sms/abc"),
          raw(base, "/protected/json/verify/12/34"),
          raw(base, "/__emulator/faults", { method: "POST", headers: jsonType, body: `{"type":"nope"}` })
        ]
        const good = raw(base, "/protected/json/app/details")
        const results = yield* Effect.all([...bad, ...bad, good, good], { concurrency: "unbounded" })
        for (const outcome of results) {
          const r = response(outcome)
          expect(r.json).toMatchObject({ success: expect.any(Boolean) })
        }
        yield* stillServing
      }))

    it.effect("invalid fault specs get 400, and nothing is injected", () =>
      Effect.gen(function*() {
        const base = yield* url
        const post = (body: unknown) =>
          raw(base, "/__emulator/faults", { method: "POST", headers: jsonType, body: JSON.stringify(body) })
        expectAuthyError(yield* post({}), 400, "60004")
        expectAuthyError(yield* post({ path: "no-slash" }), 400, "60004")
        expectAuthyError(yield* post({ path: "/x", type: "explode" }), 400, "60004")
        expectAuthyError(yield* post({ path: "/x", type: "status", status: 99 }), 400, "60004")
        expectAuthyError(yield* post({ path: "/x", type: "status", body: "xml" }), 400, "60004")
        expectAuthyError(yield* post({ path: "/x", times: 0 }), 400, "60004")
        expectAuthyError(yield* post({ path: "/x", times: "many" }), 400, "60004")
        expectAuthyError(yield* post({ path: "/x", type: "delay", ms: -1 }), 400, "60004")
        expectAuthyError(yield* post({ path: "/x", type: "reset", when: "during" }), 400, "60004")
        const random = (body: unknown) =>
          raw(base, "/__emulator/faults/random", { method: "POST", headers: jsonType, body: JSON.stringify(body) })
        expectAuthyError(yield* random({}), 400, "60004")
        expectAuthyError(yield* random({ rate: 2 }), 400, "60004")
        expectAuthyError(yield* random({ rate: 0.1, kinds: ["meteor"] }), 400, "60004")
        expectAuthyError(yield* raw(base, "/__emulator/faults/f999"), 404, "60000")
        const list = response(yield* raw(base, "/__emulator/faults"))
        expect(list.json).toMatchObject({ faults: [], random: { rate: 0 }, success: true })
        yield* stillServing
      }))
  })

  describe("the --fault-rate flag", () => {
    it("parses a rate and kinds, and refuses bad ones", () => {
      expect(Cli.parse([])).not.toHaveProperty("faultRate")
      expect(Cli.parse(["--fault-rate", "0.05"])).toMatchObject({ faultRate: 0.05 })
      expect(Cli.parse(["--fault-rate", "1", "--fault-kinds", "reset_after,truncate"])).toMatchObject({
        faultRate: 1,
        faultKinds: ["reset_after", "truncate"]
      })
      expect(() => Cli.parse(["--fault-rate", "1.5"])).toThrow(/--fault-rate/)
      expect(() => Cli.parse(["--fault-rate", "lots"])).toThrow(/--fault-rate/)
      expect(() => Cli.parse(["--fault-kinds", "meteor"])).toThrow(/meteor/)
      expect(Cli.usage).toContain("--fault-rate")
    })

    it.effect("the random mode fails the API at the given rate, never the control API", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator
        const results = yield* Effect.forEach(
          Array.from({ length: 20 }, () => raw(emulator.url, "/protected/json/app/details", { key: "test-key" })),
          (r) => r,
          { concurrency: 5 }
        )
        for (const r of results) expect(response(r).status).toBe(503)
        const control = response(yield* raw(emulator.url, "/__emulator/faults", { key: "test-key" }))
        expect(control.status).toBe(200)
        expect(control.json).toMatchObject({ random: { rate: 1, kinds: ["status"], injected: { status: 20 } } })
        // turned off over the wire
        const off = yield* raw(emulator.url, "/__emulator/faults/random", {
          method: "POST",
          key: "test-key",
          headers: formType,
          body: "rate=0"
        })
        expect(response(off).json).toMatchObject({ random: { rate: 0 } })
        expect(response(yield* raw(emulator.url, "/protected/json/app/details", { key: "test-key" })).status).toBe(200)
      }).pipe(Effect.provide(layer({ randomFaults: { rate: 1, kinds: ["status"] } }))))

    it("every random kind is a valid fault", () => {
      for (const kind of Faults.randomKinds) {
        expect(Faults.validate({ path: "/", fault: Faults.randomFault[kind] })).toBeUndefined()
      }
      expect(Faults.defaultRandomKinds).not.toContain("hang")
    })
  })
})
