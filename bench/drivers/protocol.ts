import type { Effect, Runtime } from "effect"

/**
 * What the orchestrator hands a driver process (as JSON in `BENCH_INPUT`) and
 * what the driver prints back (one `RESULT {json}` line on stdout).
 */

/**
 * The calls a driver can make: one per Authy endpoint the bench covers (the
 * request each one sends is in paths.ts). A driver need not make all of them
 * (the npm clients lack some); its {@link DriverSpec} lists the ones it makes.
 */
export const allOperations = [
  "verify",
  "status",
  "create",
  "sms",
  "oneTouchCreate",
  "oneTouchStatus",
  "phoneStart",
  "appDetails"
] as const

export type Operation = typeof allOperations[number]

/** Where to send requests: one of the loopback servers. */
export interface Target {
  /** Base URL, e.g. `https://127.0.0.1:43121`. Always loopback. */
  readonly url: string
  readonly apiKey: string
  readonly authyId: number
  /** A token the server accepts (the stub accepts any). */
  readonly token: string
}

export interface DriverInput {
  readonly target: Target
  readonly operations: ReadonlyArray<Operation>
  readonly concurrencies: ReadonlyArray<number>
  /** Warm-up before the first cell: lets the JIT and the connection pool settle. */
  readonly firstWarmupMs: number
  /** Warm-up before every cell: opens the connections this concurrency needs. */
  readonly warmupMs: number
  /** Each cell's loop stops at this time or at `maxRequests`, whichever comes first. */
  readonly measureMs: number
  readonly maxRequests: number
}

/** The figures of one (operation, concurrency) cell. */
export interface CellResult {
  readonly operation: Operation
  readonly concurrency: number
  readonly requests: number
  readonly requestsPerSecond: number
  /** User + system CPU of the driver process over the loop, per request. */
  readonly cpuMicrosPerRequest: number
  readonly p50Ms: number
  readonly p99Ms: number
}

export interface DriverResult {
  readonly cells: ReadonlyArray<CellResult>
  /** `maxRSS` of the driver process at its end. */
  readonly peakRssMb: number
}

/** One request: resolves when the answer is received and decoded, rejects on any failure. */
export type PromiseCall = () => Promise<unknown>

/**
 * One request as an Effect program, run on `runtime`: its workers are fibers
 * looping inside that runtime, as the calls of an Effect application are, not
 * one `runPromise` per call (a fiber made, started and bridged to a promise
 * for each request, which no Effect backend pays per client call).
 */
export interface EffectCall {
  readonly _tag: "EffectCall"
  readonly program: Effect.Effect<unknown, unknown>
  /** The runtime that provides what `program` needs (see {@link effectCall}). */
  readonly runtime: Runtime.Runtime<never>
}

export type Call = PromiseCall | EffectCall

export const effectCall = <R>(program: Effect.Effect<unknown, unknown, R>, runtime: Runtime.Runtime<R>): EffectCall => ({
  _tag: "EffectCall",
  program: program as Effect.Effect<unknown, unknown>,
  runtime: runtime as Runtime.Runtime<never>
})

/** What each driver builds once, before any loop: one call per operation it makes. */
export type Calls = Readonly<Partial<Record<Operation, Call>>>

export const resultPrefix = "RESULT "

/**
 * Paired mode (`BENCH_PAIRED=1`): the driver stays up, warm, and measures one
 * window per command line on stdin, answering each with a `WINDOW {cell}`
 * line; it prints `READY` once warm, and exits on `exit`.
 */
export interface WindowCommand {
  readonly operation: Operation
  readonly concurrency: number
}

export const readyLine = "READY"
export const windowPrefix = "WINDOW "
