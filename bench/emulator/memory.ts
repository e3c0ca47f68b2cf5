/**
 * Memory per stored user: the emulator in this process (run with
 * `--expose-gc`) is sent `users/new` for distinct valid phone numbers over
 * HTTP; the heap after a full collection, minus the heap before, divided by
 * the users stored. The HTTP client's own garbage is collected before both
 * readings.
 *
 * Input: the number of users in `EMUBENCH_USERS`; output: one `EMUBENCH {json}` line.
 */
import { ManagedRuntime } from "effect"
import type * as EmulatorModule from "../../src/emulator/Emulator.js"
import { importLibrary } from "../lib/library.js"
import { undici } from "../lib/undici.js"
import { apiKey, resultPrefix } from "./cells.js"

const { Emulator, layer } = await importLibrary<typeof EmulatorModule>("emulator/Emulator")

export interface MemoryResult {
  readonly users: number
  readonly bytesPerUser: number
}

const users = Number(process.env.EMUBENCH_USERS ?? "10000")
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")

const heap = (): number => {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

const runtime = ManagedRuntime.make(layer({ apiKeys: [apiKey] }))
const emulator = await runtime.runPromise(Emulator)

const pool = new undici.Pool(emulator.url, { connections: 16 })
const headers = { "x-authy-api-key": apiKey, "content-type": "application/json" }

/** US numbers 201-555-0000 onwards, then other area codes: all valid, all distinct. */
const phone = (i: number): string => `${[201, 202, 203, 205, 206][Math.floor(i / 10_000)]}555${String(i % 10_000).padStart(4, "0")}`

const create = async (i: number): Promise<void> => {
  const body = JSON.stringify({ user: { email: `u${i}@example.com`, cellphone: phone(i), country_code: 1 } })
  const { statusCode, body: answer } = await pool.request({ path: "/protected/json/users/new", method: "POST", headers, body })
  const text = await answer.text()
  if (statusCode !== 200) throw new Error(`users/new ${phone(i)}: HTTP ${statusCode} ${text}`)
}

const createAll = async (from: number, to: number): Promise<void> => {
  let next = from
  const worker = async () => {
    while (next < to) await create(next++)
  }
  await Promise.all(Array.from({ length: 16 }, worker))
}

// One user first: whatever the first request allocates once is not counted.
await createAll(0, 100)
const before = heap()
await createAll(100, 100 + users)
const after = heap()
await pool.close()
await runtime.dispose()

const result: MemoryResult = { users, bytesPerUser: (after - before) / users }
process.stdout.write(`${resultPrefix}${JSON.stringify(result)}\n`)
