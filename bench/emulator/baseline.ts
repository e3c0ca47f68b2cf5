/**
 * The baseline: a minimal `node:http` server answering the emulator's own
 * recorded bodies (same status, content type and bytes) for the same
 * requests, from a table keyed by method and URL. It reads each request body
 * to its end, as any server must, and writes each answer with one `end`.
 *
 * Usage: `baseline.ts <recorded.json>`; prints `listening <url> pid <pid>`.
 */
import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { Recorded } from "./cells.js"

const recorded = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as ReadonlyArray<Recorded>
const table = new Map(recorded.map((r) => [`${r.method} ${r.path}`, r]))

const server = createServer((request, response) => {
  const answer = table.get(`${request.method} ${request.url}`)
  request.resume()
  request.on("end", () => {
    if (answer === undefined) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(answer.status, {
      "content-type": answer.contentType,
      "content-length": Buffer.byteLength(answer.body)
    })
    response.end(answer.body)
  })
})

server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  process.stdout.write(`listening http://127.0.0.1:${address.port} pid ${process.pid}\n`)
})
