/**
 * Injected failures: a store of scripted faults ("the next N requests
 * matching GET /protected/json/sms/* fail this way") plus an optional random
 * rate, and the middleware that applies them on the wire — error statuses
 * with Authy, HTML, text or empty bodies, delays, hangs, connection resets
 * before or after the request was processed, truncated bodies and 429s with
 * `Retry-After`.
 *
 * Faults belong to one tenant, an Authy application or a Twilio account:
 * those set with an API key apply only to requests carrying that key (in the
 * header, the query or the body), those set with an account's credentials
 * only to requests authenticated as that account, and a request without
 * served credentials is never faulted, so that no tenant can break another's
 * requests. Every injected error is written in the dialect of the request.
 *
 * Faults act on the transport, so they use the real clock (never the emulator
 * clock, nor a `TestClock` the emulator may have been started under) and the
 * raw Node socket. The control API (`/__emulator/...`) is never faulted, so a
 * test can always clear what it set.
 *
 * @since 0.1.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Context, Effect } from "effect"
import { STATUS_CODES } from "node:http"
import type { Socket } from "node:net"
import { type Dialect, respond } from "./dialect.js"
import * as PathPattern from "./pathPattern.js"
import { isControlPath, pathOf, RequestScope, type Scope } from "./request.js"

/**
 * The body of an injected error status: the API's own JSON error (`authy`:
 * Authy's body on an Authy request, Twilio's on a Verify or Lookup request),
 * a gateway's HTML page, plain text, or nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultBody = "authy" | "html" | "text" | "empty"

/**
 * One way to fail a request.
 *
 * - `status`: answer `status` with a `body` of the given kind, without running the endpoint.
 * - `rate_limit`: 429 (Authy `60003`, Twilio `20429`) with `Retry-After: retryAfter`, without running the endpoint.
 * - `delay`: wait `ms` (real time) before (`when: "before"`) or after running the endpoint.
 * - `hang`: never answer; the connection is reset after `ms` if the client has not given up.
 * - `reset`: reset the connection before the endpoint runs, or after it ran (its answer lost).
 * - `truncate`: run the endpoint, send the headers and half the body with the full
 *   `Content-Length`, then close the connection.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault =
  | {
    readonly type: "status"
    readonly status: number
    readonly body: FaultBody
    readonly errorCode?: string
    readonly message?: string
  }
  | { readonly type: "rate_limit"; readonly retryAfter: string }
  | { readonly type: "delay"; readonly ms: number; readonly when: "before" | "after" }
  | { readonly type: "hang"; readonly ms: number }
  | { readonly type: "reset"; readonly when: "before" | "after" }
  | { readonly type: "truncate" }

/**
 * A scripted fault: the next `times` requests (default 1) whose method and
 * path match fail with `fault`.
 *
 * `path` is matched against the path without its query: `*` stands for any
 * characters within one segment, `**` for anything. `method` is `GET`,
 * `POST`... or absent for any.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultSpec {
  readonly method?: string
  readonly path: string
  readonly times?: number
  readonly fault: Fault
}

/**
 * A scripted fault as reported: `matched` counts every request its pattern
 * matched while it was set (faulted or not, so it is the number of attempts
 * that reached the emulator), `injected` the requests it failed.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultView {
  readonly id: string
  readonly method: string | undefined
  readonly path: string
  readonly times: number
  readonly remaining: number
  readonly matched: number
  readonly injected: number
  /** Requests held right now by a `delay` or `hang` of this fault. */
  readonly open: number
  readonly fault: Fault
}

/**
 * The kinds of fault the random mode draws from.
 *
 * @since 0.1.0
 * @category models
 */
export type RandomKind =
  | "status"
  | "html"
  | "text"
  | "empty"
  | "rate_limit"
  | "delay"
  | "hang"
  | "reset_before"
  | "reset_after"
  | "truncate"

/**
 * Every random kind, in a stable order.
 *
 * @since 0.1.0
 * @category constants
 */
export const randomKinds: ReadonlyArray<RandomKind> = [
  "status",
  "html",
  "text",
  "empty",
  "rate_limit",
  "delay",
  "hang",
  "reset_before",
  "reset_after",
  "truncate"
]

/**
 * The default mix of the random mode: everything but `hang`, which only ends
 * when the client gives up and would stall a client without timeouts.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRandomKinds: ReadonlyArray<RandomKind> = randomKinds.filter((kind) => kind !== "hang")

/**
 * The fault each random kind stands for.
 *
 * @since 0.1.0
 * @category constants
 */
export const randomFault: Readonly<Record<RandomKind, Fault>> = {
  status: { type: "status", status: 503, body: "authy" },
  html: { type: "status", status: 502, body: "html" },
  text: { type: "status", status: 503, body: "text" },
  empty: { type: "status", status: 500, body: "empty" },
  rate_limit: { type: "rate_limit", retryAfter: "1" },
  delay: { type: "delay", ms: 50, when: "before" },
  hang: { type: "hang", ms: 60_000 },
  reset_before: { type: "reset", when: "before" },
  reset_after: { type: "reset", when: "after" },
  truncate: { type: "truncate" }
}

/**
 * The random mode: each Authy request fails with probability `rate` (0–1),
 * with a kind drawn uniformly from `kinds` (default {@link defaultRandomKinds}).
 *
 * @since 0.1.0
 * @category models
 */
export interface RandomFaults {
  readonly rate: number
  readonly kinds?: ReadonlyArray<RandomKind>
}

/**
 * The random mode as reported, with how many faults of each kind it injected.
 *
 * @since 0.1.0
 * @category models
 */
export interface RandomView {
  readonly rate: number
  readonly kinds: ReadonlyArray<RandomKind>
  readonly injected: Readonly<Partial<Record<RandomKind, number>>>
}

/**
 * What the control handle offers over one application's faults.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultControl {
  /** Adds a scripted fault; dies on an invalid spec (see {@link validate}). */
  readonly injectFault: (spec: FaultSpec) => Effect.Effect<FaultView>
  /** The scripted faults, oldest first, spent ones included until cleared. */
  readonly faults: Effect.Effect<ReadonlyArray<FaultView>>
  /** One scripted fault; dies if there is none with that id. */
  readonly fault: (id: string) => Effect.Effect<FaultView>
  /**
   * Removes one scripted fault (its pending and spent uses alike); answers
   * whether there was one with that id. Requests it holds right now run on.
   */
  readonly removeFault: (id: string) => Effect.Effect<boolean>
  /** Removes every scripted fault and turns the random mode off. */
  readonly clearFaults: Effect.Effect<void>
  /** Sets the random mode (`rate: 0` turns it off); dies on a rate outside 0–1. */
  readonly setRandomFaults: (options: RandomFaults) => Effect.Effect<void>
  readonly randomFaults: Effect.Effect<RandomView>
}

/**
 * Why a fault spec was refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidFault {
  /** @since 0.1.0 */
  readonly _tag = "InvalidFault"
  constructor(readonly reason: string) {}
}

/**
 * One application's faults: the control operations, `add` (which fails
 * rather than dies, for the control API), and `take`, which the middleware
 * calls once per request of the application.
 *
 * @since 0.1.0
 * @category models
 */
export interface AppFaults extends FaultControl {
  /** Adds a scripted fault, or fails with why it cannot be used. */
  readonly add: (spec: FaultSpec) => Effect.Effect<FaultView, InvalidFault>
  /** The fault to apply to a request, if any; counts the request in every matching fault. */
  readonly take: (method: string, path: string) => Taken | undefined
}

/**
 * The store: the faults of every application the emulator serves.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * The faults of a tenant (an application's API key, an account's SID);
   * `undefined` for one the emulator does not serve.
   */
  readonly forApp: (tenant: string) => AppFaults | undefined
}

/**
 * A fault chosen for one request, with `hold`/`release` to call around the
 * time the request is held (the `open` count of its {@link FaultView}).
 *
 * @since 0.1.0
 * @category models
 */
export interface Taken {
  readonly fault: Fault
  readonly hold: () => void
  readonly release: () => void
}

/**
 * The fault store as a service, shared by the middleware, the control routes
 * and the control handle of one emulator.
 *
 * @since 0.1.0
 * @category tags
 */
export class EmulatorFaults extends Context.Tag("effect-authy/emulator/EmulatorFaults")<EmulatorFaults, Service>() {}

/**
 * The bounds of a fault spec: `ms` of a delay or hang (10 minutes), `times`
 * (a million), `retry_after` (64 printable characters, as it becomes a
 * header), the length of `path`, and the scripted faults one application may
 * hold at a time.
 *
 * @since 0.1.0
 * @category limits
 */
export const limits = {
  maxMillis: 10 * 60 * 1000,
  maxTimes: 1_000_000,
  maxRetryAfterLength: 64,
  maxPathLength: PathPattern.maxPatternLength,
  maxFaults: 100
} as const

/** Printable ASCII only: the value is written into a `Retry-After` header. */
const headerValue = /^[\x20-\x7e]+$/

const checkTimes = (times: number | undefined): string | undefined =>
  times === undefined || (Number.isInteger(times) && times >= 1 && times <= limits.maxTimes)
    ? undefined
    : `times must be an integer from 1 to ${limits.maxTimes}`

const checkFault = (fault: Fault): string | undefined => {
  switch (fault.type) {
    case "status":
      return Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599
        ? undefined
        : "status must be 200 to 599"
    case "delay":
    case "hang":
      return Number.isInteger(fault.ms) && fault.ms >= 0 && fault.ms <= limits.maxMillis
        ? undefined
        : `ms must be 0 to ${limits.maxMillis}`
    case "rate_limit":
      return fault.retryAfter.trim() !== "" && fault.retryAfter.length <= limits.maxRetryAfterLength &&
          headerValue.test(fault.retryAfter)
        ? undefined
        : `retry_after must be 1 to ${limits.maxRetryAfterLength} printable characters`
    case "reset":
    case "truncate":
      return undefined
  }
}

/**
 * Why a spec cannot be used, or `undefined` when it can.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (spec: FaultSpec): string | undefined => {
  if (!spec.path.startsWith("/")) return "path must start with /"
  if (spec.path.length > limits.maxPathLength) return `path must be at most ${limits.maxPathLength} characters`
  return checkTimes(spec.times) ?? checkFault(spec.fault)
}

interface Entry {
  readonly view: Omit<FaultView, "remaining" | "matched" | "injected" | "open">
  readonly pattern: PathPattern.PathPattern
  remaining: number
  matched: number
  injected: number
  open: number
}

const toView = (entry: Entry): FaultView => ({
  ...entry.view,
  remaining: entry.remaining,
  matched: entry.matched,
  injected: entry.injected,
  open: entry.open
})

const checkRate = (options: RandomFaults): string | undefined =>
  Number.isFinite(options.rate) && options.rate >= 0 && options.rate <= 1 ? undefined : "rate must be 0 to 1"

/** One application's store, with the random mode set when given (already checked). */
const makeApp = (random: RandomFaults | undefined): AppFaults => {
  let entries: Array<Entry> = []
  let nextId = 1
  let rate = 0
  let kinds: ReadonlyArray<RandomKind> = defaultRandomKinds
  let randomInjected: Partial<Record<RandomKind, number>> = {}

  const setRandom = (options: RandomFaults) => {
    rate = options.rate
    kinds = options.kinds !== undefined && options.kinds.length > 0 ? options.kinds : defaultRandomKinds
    randomInjected = {}
  }
  if (random !== undefined) setRandom(random)

  const find = (id: string) => {
    const entry = entries.find((e) => e.view.id === id)
    return entry === undefined ? Effect.dieMessage(`No fault ${id} in the emulator`) : Effect.succeed(toView(entry))
  }

  const takeScripted = (method: string, path: string): Taken | undefined => {
    const matching = entries.filter((e) =>
      (e.view.method === undefined || e.view.method === method) && PathPattern.matches(e.pattern, path)
    )
    for (const entry of matching) entry.matched += 1
    const entry = matching.find((e) => e.remaining > 0)
    if (entry === undefined) return undefined
    entry.remaining -= 1
    entry.injected += 1
    return {
      fault: entry.view.fault,
      hold: () => {
        entry.open += 1
      },
      release: () => {
        entry.open -= 1
      }
    }
  }

  const takeRandom = (): Taken | undefined => {
    if (rate === 0 || Math.random() >= rate) return undefined
    const kind = kinds[Math.floor(Math.random() * kinds.length)] ?? "status"
    randomInjected[kind] = (randomInjected[kind] ?? 0) + 1
    return { fault: randomFault[kind], hold: () => {}, release: () => {} }
  }

  const add = (spec: FaultSpec): Effect.Effect<FaultView, InvalidFault> =>
    Effect.suspend(() => {
      const invalid = validate(spec)
      if (invalid !== undefined) return Effect.fail(new InvalidFault(invalid))
      if (entries.length >= limits.maxFaults) {
        return Effect.fail(new InvalidFault(`an application holds at most ${limits.maxFaults} faults; clear them first`))
      }
      const method = spec.method === undefined || spec.method === "*" ? undefined : spec.method.toUpperCase()
      const times = spec.times ?? 1
      const entry: Entry = {
        view: { id: `f${nextId++}`, method, path: spec.path, times, fault: spec.fault },
        pattern: PathPattern.compile(spec.path),
        remaining: times,
        matched: 0,
        injected: 0,
        open: 0
      }
      entries.push(entry)
      return Effect.succeed(toView(entry))
    })

  return {
    take: (method, path) => takeScripted(method, path) ?? takeRandom(),
    add,
    injectFault: (spec) =>
      add(spec).pipe(Effect.catchTag("InvalidFault", (e) => Effect.dieMessage(`Invalid fault: ${e.reason}`))),
    faults: Effect.sync(() => entries.map(toView)),
    fault: (id) => Effect.suspend(() => find(id)),
    removeFault: (id) =>
      Effect.sync(() => {
        const before = entries.length
        entries = entries.filter((e) => e.view.id !== id)
        return entries.length < before
      }),
    clearFaults: Effect.sync(() => {
      entries = []
      setRandom({ rate: 0 })
    }),
    setRandomFaults: (options) =>
      Effect.suspend(() => {
        const invalid = checkRate(options)
        return invalid === undefined ? Effect.sync(() => setRandom(options)) : Effect.dieMessage(invalid)
      }),
    randomFaults: Effect.sync(() => ({ rate, kinds, injected: { ...randomInjected } }))
  }
}

/**
 * Builds an empty store for the tenants named (API keys, account SIDs), each
 * with the random mode `random` when given (the owner's setting, from the CLI
 * or the layer: every tenant starts with it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (tenants: ReadonlyArray<string>, random?: RandomFaults): Effect.Effect<Service> =>
  Effect.sync(() => {
    if (random !== undefined) {
      const invalid = checkRate(random)
      if (invalid !== undefined) throw new Error(invalid)
    }
    const apps = new Map(tenants.map((tenant) => [tenant, makeApp(random)]))
    return { forApp: (apiKey) => apps.get(apiKey) }
  })

// ---------------------------------------------------------------------------
// Applying a fault
// ---------------------------------------------------------------------------

/**
 * Sleeps on the real clock: a delay is about the wire, and the emulator may
 * run under a `TestClock` that nobody advances. Interruptible, because the
 * platform runs handlers uninterruptibly and interrupts them only where they
 * allow it: a client that gives up must release the request at once.
 */
const realSleep = (ms: number) =>
  Effect.interruptible(Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), ms)
    return Effect.sync(() => clearTimeout(timer))
  }))

const socketOf = (request: HttpServerRequest.HttpServerRequest): Socket =>
  NodeHttpServerRequest.toIncomingMessage(request).socket

/**
 * Resets the connection (a TCP RST, as a crashed proxy would), then answers an
 * empty response that the platform writes into the void: returning normally
 * leaves no fiber waiting on a socket that is gone.
 */
const resetConnection = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => {
    const socket = socketOf(request)
    try {
      socket.resetAndDestroy()
    } catch {
      socket.destroy()
    }
    return HttpServerResponse.empty()
  })

/** A gateway's error page for `status`, titled with that status (`503 Service Unavailable`). */
const html = (status: number) => {
  const title = `${status} ${STATUS_CODES[status] ?? "Error"}`
  return `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>\n`
}

const statusResponse = (dialect: Dialect, fault: Extract<Fault, { readonly type: "status" }>) => {
  switch (fault.body) {
    case "authy":
      return respond(dialect.error(fault.status, fault.errorCode, fault.message ?? "An error occurred"))
    case "html":
      return HttpServerResponse.text(html(fault.status), { status: fault.status, contentType: "text/html" })
    case "text":
      return HttpServerResponse.text(fault.message ?? `${STATUS_CODES[fault.status] ?? "Error"}\n`, {
        status: fault.status,
        contentType: "text/plain"
      })
    case "empty":
      return HttpServerResponse.empty({ status: fault.status })
  }
}

const rateLimited = (dialect: Dialect, retryAfter: string) => {
  const reply = dialect.rateLimited
  return HttpServerResponse.text(reply.body, {
    status: 429,
    contentType: "application/json; charset=utf-8",
    headers: { "retry-after": retryAfter }
  })
}

const bodyBytes = (response: HttpServerResponse.HttpServerResponse): Uint8Array =>
  response.body._tag === "Uint8Array" ? response.body.body : new Uint8Array()

/**
 * Writes the status line, the headers with the full `Content-Length` and half
 * of the body straight to the socket, then closes it: the client sees a body
 * that ends early. The platform's own response is bypassed, so it never sees
 * headers it did not send.
 */
const truncate = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
) =>
  Effect.async<HttpServerResponse.HttpServerResponse>((resume) => {
    const socket = socketOf(request)
    const body = bodyBytes(response)
    const headers = Object.entries(response.headers)
      .filter(([name]) => name !== "content-length")
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("")
    // An empty body still announces a byte, so that it too ends early.
    const head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}\r\n${headers}` +
      `content-length: ${Math.max(body.length, 1)}\r\n\r\n`
    socket.write(Buffer.concat([Buffer.from(head, "latin1"), body.subarray(0, Math.floor(body.length / 2))]), () => {
      socket.destroy()
      resume(Effect.succeed(HttpServerResponse.empty()))
    })
  })

/**
 * Runs `app` under `fault`.
 *
 * @since 0.1.0
 * @category middleware
 */
export const apply = <E, R>(
  taken: Taken,
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
  request: HttpServerRequest.HttpServerRequest,
  dialect: Dialect
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R> => {
  const fault = taken.fault
  const held = <A, E2, R2>(effect: Effect.Effect<A, E2, R2>) =>
    Effect.acquireUseRelease(Effect.sync(taken.hold), () => effect, () => Effect.sync(taken.release))
  switch (fault.type) {
    case "status":
      return Effect.succeed(statusResponse(dialect, fault))
    case "rate_limit":
      return Effect.succeed(rateLimited(dialect, fault.retryAfter))
    case "delay":
      return fault.when === "before"
        ? Effect.zipRight(held(realSleep(fault.ms)), app)
        : Effect.flatMap(app, (response) => Effect.as(held(realSleep(fault.ms)), response))
    case "hang":
      return Effect.zipRight(held(realSleep(fault.ms)), resetConnection(request))
    case "reset":
      return fault.when === "before" ? resetConnection(request) : Effect.zipRight(app, resetConnection(request))
    case "truncate":
      return Effect.flatMap(app, (response) => truncate(request, response))
  }
}

/**
 * The fault to apply to a request of `scope`, if any: never on the control
 * API, never without served credentials, else the next one of its tenant
 * (counting the request in every fault that matches). Synchronous, so that
 * the server decides it before running anything.
 *
 * @since 0.3.0
 * @category middleware
 */
export const take = (faults: Service, scope: Scope, method: string, path: string): Taken | undefined =>
  isControlPath(path) || scope.tenant === undefined ? undefined : faults.forApp(scope.tenant)?.take(method, path)

/**
 * Applies to every request but the control API's the faults of its tenant
 * (the one its credentials name); a request without served credentials is
 * never faulted.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  R | EmulatorFaults | RequestScope | HttpServerRequest.HttpServerRequest
> =>
  Effect.contextWithEffect((context: Context.Context<EmulatorFaults | RequestScope | HttpServerRequest.HttpServerRequest>) => {
    const request = Context.get(context, HttpServerRequest.HttpServerRequest)
    const scope = Context.get(context, RequestScope)
    const taken = take(Context.get(context, EmulatorFaults), scope, request.method, pathOf(request))
    return taken === undefined ? app : apply(taken, app, request, scope.dialect)
  })
