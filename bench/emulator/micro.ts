/**
 * The emulator's own CPU per request, without the network: the same listener
 * the server installs (`Server` app, `listener`), driven in-process by fake
 * Node requests and responses, one request at a time. What it measures is
 * everything between Node's parsed request and `end`: the app, the routing,
 * the handlers, the encoding of the answer. Much steadier than the socket
 * benchmark on a shared machine, so it is the one to iterate with; `run.ts`
 * stays the judge.
 *
 * `npx tsx bench/emulator/micro.ts [requests per cell] [rounds]` prints
 * µs of CPU per request for each cell, per round, then the minimum.
 */
import { Effect, Layer } from "effect"
import { EventEmitter } from "node:events"
import type { IncomingMessage, ServerResponse } from "node:http"
import { PassThrough } from "node:stream"
import * as App from "../../src/emulator/app.js"
import * as State from "../../src/emulator/authy/State.js"
import * as Faults from "../../src/emulator/core/faults.js"
import * as CoreServer from "../../src/emulator/core/server.js"
import * as VerifyState from "../../src/emulator/verify/State.js"
import { apiKey } from "./cells.js"

interface Sent {
  status: number
  body: string
}

/** A `ServerResponse` as far as the listener uses one; resolves when it ends. */
const fakeResponse = (done: (sent: Sent) => void): ServerResponse => {
  const res = new EventEmitter() as EventEmitter & Record<string, unknown>
  let status = 0
  Object.assign(res, {
    writableEnded: false,
    destroyed: false,
    headersSent: false,
    shouldKeepAlive: true,
    writeHead(code: number) {
      status = code
      res.headersSent = true
      return res
    },
    setHeader() {},
    end(body?: string | Uint8Array) {
      res.writableEnded = true
      done({ status, body: body === undefined ? "" : typeof body === "string" ? body : Buffer.from(body).toString() })
    }
  })
  return res as unknown as ServerResponse
}

/** An `IncomingMessage` with its headers and body (streamed, as Node does). */
const fakeRequest = (method: string, url: string, headers: Record<string, string>, body?: string): IncomingMessage => {
  const stream = new PassThrough()
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  if (body !== undefined) lower["content-length"] = String(Buffer.byteLength(body))
  lower.host = "127.0.0.1:4010"
  Object.assign(stream, { method, url, headers: lower, socket: { remoteAddress: "127.0.0.1" } })
  if (body !== undefined) stream.end(body)
  return stream as unknown as IncomingMessage
}

const json = { "x-authy-api-key": apiKey, "content-type": "application/json", accept: "application/json" }
const form = { "x-authy-api-key": apiKey, "content-type": "application/x-www-form-urlencoded", accept: "application/json" }
const get = { "x-authy-api-key": apiKey, accept: "application/json" }
const newUser = JSON.stringify({ user: { email: "bench@example.com", cellphone: "2015550123", country_code: 1 } })
const approvalBody = "message=Login+requested&details%5Busername%5D=bench&seconds_to_expire=600"

const main = Effect.gen(function*() {
  const runtime = yield* Effect.runtime<State.EmulatorState | VerifyState.VerifyState | Faults.EmulatorFaults>()
  const listen = CoreServer.listener(App.makeHttpApp(), runtime, App.servicesOf)
  const send = (method: string, url: string, headers: Record<string, string>, body?: string) =>
    new Promise<Sent>((resolve) => listen(fakeRequest(method, url, headers, body), fakeResponse(resolve)))
  const created = JSON.parse((yield* Effect.promise(() => send("POST", "/protected/json/users/new", json, newUser))).body)
  const id = created.user.id as number
  const approvalPath = `/onetouch/json/users/${id}/approval_requests`
  const approval = JSON.parse((yield* Effect.promise(() => send("POST", approvalPath, form, approvalBody))).body)
  const uuid = approval.approval_request.uuid as string
  const cells = [
    { name: "verify", method: "GET", path: `/protected/json/verify/1234567/${id}`, headers: get },
    { name: "users/new", method: "POST", path: "/protected/json/users/new", headers: json, body: newUser },
    { name: "OneTouch status", method: "GET", path: `/onetouch/json/approval_requests/${uuid}`, headers: get },
    { name: "OneTouch create", method: "POST", path: approvalPath, headers: form, body: approvalBody }
  ]
  const requests = Number(process.argv[2] ?? 20_000)
  const rounds = Number(process.argv[3] ?? 5)
  const best = new Map<string, number>()
  for (let round = 0; round < rounds; round++) {
    const line: Array<string> = []
    for (const cell of cells) {
      const before = process.cpuUsage()
      for (let i = 0; i < requests; i++) {
        const sent = yield* Effect.promise(() => send(cell.method, cell.path, cell.headers, cell.body))
        if (sent.status !== 200) throw new Error(`${cell.name}: ${sent.status} ${sent.body}`)
      }
      const used = process.cpuUsage(before)
      const micros = (used.user + used.system) / requests
      best.set(cell.name, Math.min(best.get(cell.name) ?? Infinity, micros))
      line.push(`${cell.name} ${micros.toFixed(1)}`)
    }
    process.stdout.write(`round ${round + 1}: ${line.join(" | ")} µs/req\n`)
  }
  process.stdout.write(`min: ${[...best].map(([name, micros]) => `${name} ${micros.toFixed(1)}`).join(" | ")} µs/req\n`)
})

const services = Layer.mergeAll(
  State.layer([apiKey]),
  VerifyState.layer([VerifyState.defaultAccount]),
  Layer.effect(Faults.EmulatorFaults, Faults.make([apiKey, VerifyState.defaultAccount.accountSid]))
)

Effect.runPromise(Effect.provide(main, services))
