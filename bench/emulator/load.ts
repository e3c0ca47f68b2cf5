/**
 * The load driver: one cell against one server, from a process of its own,
 * with undici's keep-alive pool at the given concurrency (one connection per
 * worker). Warms up, then measures throughput, the driver's CPU and the
 * server's CPU (from /proc, Linux only: NaN elsewhere) over a fixed number of
 * requests. Every answer's status is checked; a wrong one fails the run.
 *
 * Input: JSON in `EMUBENCH_INPUT`; output: one `EMUBENCH {json}` line.
 */
import { readFileSync } from "node:fs"
import { performance } from "node:perf_hooks"
import { undici } from "../lib/undici.js"
import { type Cell, resultPrefix } from "./cells.js"

export interface LoadInput {
  readonly url: string
  readonly serverPid: number
  readonly cell: Cell
  readonly concurrency: number
  readonly warmupRequests: number
  readonly requests: number
}

export interface LoadResult {
  readonly requests: number
  readonly requestsPerSecond: number
  /** User + system CPU of the server process per request, µs. */
  readonly serverCpuMicros: number
  /** User + system CPU of this driver per request, µs. */
  readonly driverCpuMicros: number
}

/** The server's user + system CPU time so far, µs (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
const serverCpu = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return Number.NaN
  }
}

const input = JSON.parse(process.env.EMUBENCH_INPUT ?? "{}") as LoadInput
const { cell } = input
const pool = new undici.Pool(input.url, { connections: input.concurrency, pipelining: 1 })

const call = async (): Promise<void> => {
  const { statusCode, body } = await pool.request({
    path: cell.path,
    method: cell.method,
    headers: cell.headers,
    ...(cell.body === undefined ? {} : { body: cell.body })
  })
  await body.text()
  if (statusCode !== cell.status) throw new Error(`${cell.name}: HTTP ${statusCode}, expected ${cell.status}`)
}

const run = async (count: number): Promise<void> => {
  let issued = 0
  const worker = async () => {
    while (issued < count) {
      issued++
      await call()
    }
  }
  await Promise.all(Array.from({ length: input.concurrency }, worker))
}

await run(input.warmupRequests)
const serverBefore = serverCpu(input.serverPid)
const driverBefore = process.cpuUsage()
const start = performance.now()
await run(input.requests)
const seconds = (performance.now() - start) / 1000
const driver = process.cpuUsage(driverBefore)
const serverMicros = serverCpu(input.serverPid) - serverBefore
await pool.close()

const result: LoadResult = {
  requests: input.requests,
  requestsPerSecond: input.requests / seconds,
  serverCpuMicros: serverMicros / input.requests,
  driverCpuMicros: (driver.user + driver.system) / input.requests
}
process.stdout.write(`${resultPrefix}${JSON.stringify(result)}\n`)
