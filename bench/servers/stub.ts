/**
 * The loopback Authy stub: answers instantly from precomputed bodies, so that
 * what the benchmark measures is the client. Runs in its own process:
 *
 *   tsx bench/servers/stub.ts http
 *   tsx bench/servers/stub.ts https CERT_PEM KEY_PEM
 *
 * and prints `listening <url>` once it accepts connections.
 */
import { readFileSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import { answer } from "./bodies.js"

const respond = (request: http.IncomingMessage, response: http.ServerResponse) => {
  const [status, body] = answer(request.method ?? "GET", request.url ?? "/")
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": body.length })
  response.end(body)
}

/** A POST's body is read (and dropped) before the answer, as a real server would. */
const handle = (request: http.IncomingMessage, response: http.ServerResponse) => {
  if (request.method === "GET") return respond(request, response)
  request.on("data", () => {})
  request.on("end", () => respond(request, response))
}

const [protocol, certFile, keyFile] = process.argv.slice(2)
const server = protocol === "https"
  ? https.createServer({ cert: readFileSync(certFile ?? ""), key: readFileSync(keyFile ?? "") }, handle)
  : http.createServer(handle)

// Clients keep connections open between cells; the server must not close them first.
server.keepAliveTimeout = 120_000
server.headersTimeout = 121_000
server.requestTimeout = 0

// A deep accept queue: thousands of simultaneous connects must not be dropped and retried.
server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  const { port } = server.address() as AddressInfo
  process.stdout.write(`listening ${protocol === "https" ? "https" : "http"}://127.0.0.1:${port}\n`)
})
process.on("SIGTERM", () => process.exit(0))
