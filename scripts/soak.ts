/**
 * A bounded soak: thousands of mixed Authy operations at a concurrency of 50
 * against the emulator, with a few percent of requests failed at random
 * (the emulator's random fault mode). Checks that every operation ends in a
 * success or a typed error, that the emulator's records agree with what the
 * client saw (no SMS, token, push or verification twice for one call), that
 * every approval request is in the state it was put in, and that the heap
 * does not grow.
 *
 *   npm run soak -- [--ops 5000] [--concurrency 50] [--fault-rate 0.03]
 *
 * `soak` is also run with a small count by test/soak.test.ts, so it cannot rot.
 *
 * @since 0.1.0
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Exit, Layer, Random } from "effect"
import { pathToFileURL } from "node:url"
import { parseArgs } from "node:util"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Emulator, layerAuthy } from "../src/emulator/index.js"
import {
  ApiError,
  App,
  type AuthyService,
  NetworkError,
  OneTouch,
  Phones,
  RetryPolicy,
  Tokens,
  Users,
  ValidationError
} from "../src/index.js"

/**
 * @since 0.1.0
 */
export interface SoakOptions {
  readonly operations: number
  readonly concurrency: number
  /** Share of Authy requests the emulator fails at random (0–1). */
  readonly faultRate: number
  /** Users created before the run; operations pick among them. */
  readonly users?: number
  /** Largest heap growth tolerated, bytes (default 16 MiB). */
  readonly maxHeapGrowth?: number
}

type OpName =
  | "users.create"
  | "users.status"
  | "app.details"
  | "users.requestSms"
  | "tokens.verify"
  | "oneTouch.sendRequest"
  | "phones.startVerification"

/** What the client saw for one kind of operation. */
interface Tally {
  calls: number
  successes: number
  /** Errors after which the request may still have been processed (no answer). */
  ambiguous: number
}

/**
 * @since 0.1.0
 */
export interface SoakReport {
  readonly operations: number
  readonly concurrency: number
  readonly faultRate: number
  readonly millis: number
  readonly opsPerSecond: number
  readonly byOperation: Readonly<Record<string, Tally>>
  /** `ApiError/NotJson/502`, `NetworkError/ConnectionReset`... → count. */
  readonly errors: Readonly<Record<string, number>>
  readonly defects: number
  readonly faultsInjected: Readonly<Record<string, number>>
  readonly emulator: {
    readonly sms: number
    readonly verifications: number
    readonly pushes: number
    readonly tokensConsumed: number
  }
  readonly duplicates: number
  /** Everything that is not as it should be; empty on a good run. */
  readonly problems: ReadonlyArray<string>
  readonly heapAfterWarmup: number
  readonly heapAtEnd: number
}

/** A GC the script can call without `--expose-gc` on the command line. */
const collectGarbage: () => void = (() => {
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
})()

const heapUsed = () => {
  collectGarbage()
  collectGarbage()
  return process.memoryUsage().heapUsed
}

const phoneOf = (i: number) => `305-${String(100 + Math.floor(i / 1000)).padStart(3, "0")}-${String(i % 1000).padStart(3, "0")}7`

/** The run's shared bookkeeping. */
interface Book {
  readonly users: Array<number>
  /** Phone index → the id Authy gave it: the same phone must always get the same id. */
  readonly idsByPhone: Map<number, number>
  readonly approvals: Map<string, "pending" | "approved">
  readonly tallies: Record<OpName, Tally>
  readonly errors: Record<string, number>
  readonly problems: Array<string>
  defects: number
}

const newBook = (): Book => ({
  users: [],
  idsByPhone: new Map(),
  approvals: new Map(),
  tallies: {
    "users.create": { calls: 0, successes: 0, ambiguous: 0 },
    "users.status": { calls: 0, successes: 0, ambiguous: 0 },
    "app.details": { calls: 0, successes: 0, ambiguous: 0 },
    "users.requestSms": { calls: 0, successes: 0, ambiguous: 0 },
    "tokens.verify": { calls: 0, successes: 0, ambiguous: 0 },
    "oneTouch.sendRequest": { calls: 0, successes: 0, ambiguous: 0 },
    "phones.startVerification": { calls: 0, successes: 0, ambiguous: 0 }
  },
  errors: {},
  problems: [],
  defects: 0
})

const errorKey = (error: unknown): string | undefined => {
  if (error instanceof ApiError) return `ApiError/${error.reason}/${error.status}`
  if (error instanceof NetworkError) return `NetworkError/${error.reason}`
  if (error instanceof ValidationError) return `ValidationError/${error.field}`
  return undefined
}

/** Runs one operation and records how it ended. */
const record = <A>(book: Book, name: OpName, op: Effect.Effect<A, unknown, AuthyService>) =>
  Effect.gen(function*() {
    const tally = book.tallies[name]
    tally.calls += 1
    const exit = yield* Effect.exit(op)
    if (Exit.isSuccess(exit)) {
      tally.successes += 1
      return exit.value
    }
    const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    const key = errorKey(failure)
    if (key === undefined) {
      book.defects += 1
      book.problems.push(`${name} ended in a defect or interruption: ${String(exit.cause)}`)
      return undefined
    }
    book.errors[key] = (book.errors[key] ?? 0) + 1
    if (failure instanceof NetworkError) tally.ambiguous += 1
    return undefined
  })

const pick = <A>(items: ReadonlyArray<A>) => Effect.map(Random.nextIntBetween(0, items.length), (i) => items[i]!)

/** One random operation. */
const operation = (book: Book, n: number, poolSize: number) =>
  Effect.gen(function*() {
    const { control } = yield* Emulator
    const id = yield* pick(book.users)
    const roll = yield* Random.nextIntBetween(0, 100)
    if (roll < 15) {
      const phone = yield* Random.nextIntBetween(0, poolSize * 2)
      const created = yield* record(book, "users.create", Users.create({ email: `u${phone}@example.com`, cellphone: phoneOf(phone), countryCode: 57 }))
      if (created !== undefined) {
        const known = book.idsByPhone.get(phone)
        if (known !== undefined && known !== created.user.id) {
          book.problems.push(`phone ${phone} got id ${created.user.id}, earlier ${known}: a duplicate user`)
        }
        book.idsByPhone.set(phone, created.user.id)
      }
    } else if (roll < 30) {
      yield* record(book, "users.status", Users.status(id))
    } else if (roll < 40) {
      yield* record(book, "app.details", App.details())
    } else if (roll < 60) {
      yield* record(book, "users.requestSms", Users.requestSms(id, { force: true }))
    } else if (roll < 75) {
      const last = (yield* control.messages({ authyId: id })).filter((m) => m.channel === "sms").at(-1)
      yield* record(book, "tokens.verify", Tokens.verify(id, last?.code ?? "0000000"))
    } else if (roll < 90) {
      const sent = yield* record(book, "oneTouch.sendRequest", OneTouch.sendRequest(id, { message: `Soak operation ${n}` }))
      if (sent !== undefined) {
        const uuid = sent.approvalRequest.uuid
        if (book.approvals.has(uuid)) book.problems.push(`approval request ${uuid} answered twice`)
        // approve half of them (out of band, like the user's phone), so both states are checked
        if (n % 2 === 0) yield* control.approve(uuid)
        book.approvals.set(uuid, n % 2 === 0 ? "approved" : "pending")
      }
    } else {
      const phone = yield* Random.nextIntBetween(0, 1000)
      yield* record(
        book,
        "phones.startVerification",
        Phones.startVerification({ phoneNumber: `+1 201-555-${String(phone).padStart(4, "0")}`, via: "sms" })
      )
    }
  })

/** The state of each approval request the client created, read over the (never faulted) control API. */
const checkApprovals = (book: Book) =>
  Effect.gen(function*() {
    const { apiKeys, url } = yield* Emulator
    yield* Effect.forEach(
      book.approvals,
      ([uuid, expected]) =>
        Effect.promise(async () => {
          const response = await fetch(`${url}/__emulator/approval_requests/${uuid}`, { headers: { "x-authy-api-key": apiKeys[0]! } })
          const body = (await response.json()) as { approval_request?: { status?: string } }
          const status = body.approval_request?.status
          if (status !== expected) book.problems.push(`approval request ${uuid} is ${status}, expected ${expected}`)
        }),
      { concurrency: 20, discard: true }
    )
  })

/** Client-observed successes against the emulator's counts, for one side effect. */
const checkEffect = (book: Book, label: string, tally: Tally, count: number): number => {
  if (count < tally.successes) book.problems.push(`${label}: ${count} recorded but ${tally.successes} calls succeeded`)
  const duplicates = Math.max(0, count - tally.successes - tally.ambiguous)
  if (duplicates > 0) {
    book.problems.push(`${label}: ${count} recorded for ${tally.successes} successes and ${tally.ambiguous} unanswered calls`)
  }
  return duplicates
}

const clientLayer = layerAuthy({
  // generous: at a concurrency of 50 on a busy machine an answer can take a
  // second or two, and a timeout here would only blur the figures
  timeout: "5 seconds",
  totalTimeout: "30 seconds",
  retry: RetryPolicy.make({ baseDelay: "20 millis", maxDelay: "200 millis" })
}).pipe(Layer.provide(NodeHttpClient.layerUndici))

const setup = (book: Book, count: number) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => i),
    (i) =>
      Effect.map(
        Users.create({ email: `u${i}@example.com`, cellphone: phoneOf(i), countryCode: 57 }),
        ({ user }) => {
          book.users.push(user.id)
          book.idsByPhone.set(i, user.id)
        }
      ),
    { concurrency: 20, discard: true }
  )

/** Fresh users, then `count` operations with random faults at `options.faultRate`. */
const run = (book: Book, count: number, options: SoakOptions) =>
  Effect.gen(function*() {
    const { control } = yield* Emulator
    const poolSize = options.users ?? 100
    yield* Effect.orDie(setup(book, poolSize))
    yield* control.setRandomFaults({ rate: options.faultRate })
    yield* Effect.forEach(
      Array.from({ length: count }, (_, n) => n),
      (n) => operation(book, n, poolSize),
      { concurrency: options.concurrency, discard: true }
    )
  })

/**
 * Runs the soak against a fresh in-process emulator and reports.
 *
 * @since 0.1.0
 */
export const soak = (options: SoakOptions): Effect.Effect<SoakReport> =>
  Effect.gen(function*() {
    const { control } = yield* Emulator
    // warm-up: a tenth of the run on its own data, dropped before the heap
    // baseline (the emulator's data grows with a run by design)
    yield* run(newBook(), Math.max(1, Math.floor(options.operations / 10)), options)
    yield* control.clearFaults
    yield* control.reset
    const heapAfterWarmup = heapUsed()

    const book = newBook()
    const started = Date.now()
    yield* run(book, options.operations, options)
    const millis = Date.now() - started

    const random = yield* control.randomFaults
    yield* control.clearFaults
    yield* checkApprovals(book)
    const counters = yield* control.counters()
    const t = book.tallies
    const duplicates = checkEffect(book, "SMS", t["users.requestSms"], counters.messages.sms) +
      checkEffect(book, "verifications", t["phones.startVerification"], counters.messages.verification) +
      checkEffect(book, "pushes", t["oneTouch.sendRequest"], counters.pushes) +
      checkEffect(book, "tokens consumed", t["tokens.verify"], counters.tokensConsumed)

    yield* control.reset
    const heapAtEnd = heapUsed()
    const maxGrowth = options.maxHeapGrowth ?? 16 * 1024 * 1024
    if (heapAtEnd - heapAfterWarmup > maxGrowth) {
      book.problems.push(`the heap grew by ${mb(heapAtEnd - heapAfterWarmup)} MiB`)
    }
    return {
      operations: options.operations,
      concurrency: options.concurrency,
      faultRate: options.faultRate,
      millis,
      opsPerSecond: Math.round((options.operations / Math.max(millis, 1)) * 1000),
      byOperation: book.tallies,
      errors: book.errors,
      defects: book.defects,
      faultsInjected: random.injected,
      emulator: {
        sms: counters.messages.sms,
        verifications: counters.messages.verification,
        pushes: counters.pushes,
        tokensConsumed: counters.tokensConsumed
      },
      duplicates,
      problems: book.problems,
      heapAfterWarmup,
      heapAtEnd
    }
  }).pipe(Effect.provide(clientLayer), Effect.orDie)

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

/**
 * The report as text.
 *
 * @since 0.1.0
 */
export const format = (report: SoakReport): string => {
  const lines = [
    `soak: ${report.operations} operations, concurrency ${report.concurrency}, fault rate ${report.faultRate * 100}%`,
    `time: ${(report.millis / 1000).toFixed(1)} s (after a warm-up of a tenth as many), ${report.opsPerSecond} ops/s`,
    "operations (calls / successes / unanswered):",
    ...Object.entries(report.byOperation).map(([name, t]) => `  ${name.padEnd(26)} ${t.calls} / ${t.successes} / ${t.ambiguous}`),
    "typed errors:",
    ...Object.entries(report.errors).sort().map(([key, n]) => `  ${key.padEnd(30)} ${n}`),
    `faults injected: ${JSON.stringify(report.faultsInjected)}`,
    `emulator: ${report.emulator.sms} SMS, ${report.emulator.verifications} verifications, ${report.emulator.pushes} pushes, ${report.emulator.tokensConsumed} tokens consumed`,
    `defects=${report.defects} duplicates=${report.duplicates}`,
    `heap after warm-up ${mb(report.heapAfterWarmup)} MiB, at the end ${mb(report.heapAtEnd)} MiB`,
    report.problems.length === 0 ? "OK" : `PROBLEMS:\n  ${report.problems.join("\n  ")}`
  ]
  return lines.join("\n")
}

const main = async () => {
  const { values } = parseArgs({
    options: {
      ops: { type: "string", default: "5000" },
      concurrency: { type: "string", default: "50" },
      "fault-rate": { type: "string", default: "0.03" }
    }
  })
  const report = await Effect.runPromise(
    soak({ operations: Number(values.ops), concurrency: Number(values.concurrency), faultRate: Number(values["fault-rate"]) })
  )
  console.log(format(report))
  process.exitCode = report.problems.length === 0 ? 0 : 1
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main()
}
