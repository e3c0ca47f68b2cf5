/**
 * The fault matrix: every endpoint class × every fault the emulator can
 * inject, over real HTTP on loopback. Each cell checks the outcome (a success
 * or the right typed error), the number of attempts that reached the
 * emulator, the side effects the emulator recorded (never a duplicate SMS,
 * push, verification or consumed token), the time taken, and that nothing is
 * left running.
 *
 * Why `it.live` with small real timeouts rather than `TestClock`: the faults
 * happen on real sockets, so a `TestClock` run would have to interleave
 * `TestClock.adjust` with socket events it cannot observe (has the hang
 * started yet? has the reset reached the client?), which is racy. Real time
 * with 10 ms retry delays (no jitter) is deterministic in outcome: the cells
 * whose fault is about time (a hang, a slow answer) use a 1 s attempt
 * timeout that the fault outlasts by a second on the same event loop, the
 * others a generous 60 s that even a loaded machine never reaches, so that no
 * cell can fail by a spurious timeout. Nothing asserts that a cell was quick,
 * only that it waited at least what the policy and the fault say (a lower
 * bound holds on any machine). Cells run concurrently, each against its own
 * emulator.
 */
import { FetchHttpClient } from "@effect/platform"
import type * as HttpClient from "@effect/platform/HttpClient"
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Supervisor } from "effect"
import {
  ApiError,
  App,
  type AuthyError,
  type AuthyService,
  NetworkError,
  OneTouch,
  Phones,
  RetryPolicy,
  Tokens,
  Users
} from "effect-authy"
import { Emulator, layerAuthy } from "effect-authy/emulator"
import { UndiciHttpClient } from "effect-authy/node"
import type { Counters } from "../src/emulator/control.js"
import type { Fault } from "../src/emulator/core/faults.js"

/** The attempt timeout of the cells whose fault is a hang or a slow answer. */
const shortTimeout = 1000
/** The attempt timeout of the other cells: never reached on loopback. */
const longTimeout = 60_000
const policy = RetryPolicy.make({
  maxAttempts: 3,
  baseDelay: "10 millis",
  maxDelay: "20 millis",
  maxElapsed: "8 seconds",
  jitter: false
})

const emulatorWith = (transport: Layer.Layer<HttpClient.HttpClient>, timeout = longTimeout) =>
  layerAuthy({ timeout: Duration.millis(timeout), totalTimeout: "5 minutes", retry: policy }).pipe(
    Layer.provide(transport)
  )

const transports = {
  undici: NodeHttpClient.layerUndici,
  UndiciHttpClient: UndiciHttpClient.layer,
  "node:http": NodeHttpClient.layer,
  fetch: FetchHttpClient.layer
} as const

// ---------------------------------------------------------------------------
// Endpoints, one or two per safety class
// ---------------------------------------------------------------------------

type Safety = RetryPolicy.Safety

/** What a cell needs before the fault is set: the user and, for verify, a code. */
interface Setup {
  readonly id: number
  readonly code: string
}

interface EndpointCase {
  readonly name: string
  readonly safety: Safety
  readonly method: "GET" | "POST"
  readonly path: (setup: Setup) => string
  readonly run: (setup: Setup) => Effect.Effect<unknown, AuthyError, AuthyService>
  /** The emulator's record of this endpoint's side effect, if it has one. */
  readonly effect: ((counters: Counters, users: number) => number) | undefined
}

const newPhone = { email: "new@example.com", cellphone: "305-342-0001", countryCode: 57 }

const endpoints: ReadonlyArray<EndpointCase> = [
  {
    name: "users.status",
    safety: "read-only",
    method: "GET",
    path: ({ id }) => `/protected/json/users/${id}/status`,
    run: ({ id }) => Users.status(id),
    effect: undefined
  },
  {
    name: "app.details",
    safety: "read-only",
    method: "GET",
    path: () => "/protected/json/app/details",
    run: () => App.details(),
    effect: undefined
  },
  {
    name: "users.create",
    safety: "idempotent",
    method: "POST",
    path: () => "/protected/json/users/new",
    run: () => Users.create(newPhone),
    effect: (_, users) => users
  },
  {
    name: "users.requestSms",
    safety: "side-effecting",
    method: "GET",
    path: ({ id }) => `/protected/json/sms/${id}`,
    run: ({ id }) => Users.requestSms(id, { force: true }),
    effect: (c) => c.messages.sms
  },
  {
    name: "tokens.verify",
    safety: "side-effecting",
    method: "GET",
    path: ({ id }) => `/protected/json/verify/*/${id}`,
    run: ({ code, id }) => Tokens.verify(id, code),
    effect: (c) => c.tokensConsumed
  },
  {
    name: "oneTouch.sendRequest",
    safety: "side-effecting",
    method: "POST",
    path: ({ id }) => `/onetouch/json/users/${id}/approval_requests`,
    run: ({ id }) => OneTouch.sendRequest(id, { message: "Log in?" }),
    effect: (c) => c.pushes
  },
  {
    name: "phones.startVerification",
    safety: "side-effecting",
    method: "POST",
    path: () => "/protected/json/phones/verification/start",
    run: () => Phones.startVerification({ phoneNumber: "+1 775-461-5609", via: "sms" }),
    effect: (c) => c.messages.verification
  }
]

// ---------------------------------------------------------------------------
// Faults and what each must produce
// ---------------------------------------------------------------------------

const transient = new Set([429, 502, 503, 504])

interface FaultCase {
  readonly name: string
  readonly fault: Fault
  /** Whether a faulted attempt ran the endpoint (its side effect happened). */
  readonly reached: boolean
  /** The error a faulted attempt ends in; `undefined`: it succeeds. */
  readonly error: Partial<ApiError> | Partial<NetworkError> | undefined
  /** Added to the time a retry may take (a `Retry-After`). */
  readonly waitMillis?: number
  /** The fault is about time: its cells use the short attempt timeout, which it outlasts. */
  readonly slow?: boolean
}

const faultCases: ReadonlyArray<FaultCase> = [
  {
    name: "503 with an Authy error body",
    fault: { type: "status", status: 503, body: "authy" },
    reached: false,
    error: { _tag: "ApiError", reason: "ErrorResponse", status: 503, errorCode: "60000" }
  },
  {
    name: "502 with an HTML page",
    fault: { type: "status", status: 502, body: "html" },
    reached: false,
    error: { _tag: "ApiError", reason: "NotJson", status: 502 }
  },
  {
    name: "503 with plain text",
    fault: { type: "status", status: 503, body: "text" },
    reached: false,
    error: { _tag: "ApiError", reason: "NotJson", status: 503 }
  },
  {
    name: "500 with an empty body",
    fault: { type: "status", status: 500, body: "empty" },
    reached: false,
    error: { _tag: "ApiError", reason: "NotJson", status: 500 }
  },
  {
    name: "429 with Retry-After: 1",
    fault: { type: "rate_limit", retryAfter: "1" },
    reached: false,
    error: { _tag: "ApiError", reason: "ErrorResponse", status: 429, errorCode: "60003", retryAfterMillis: 1000 },
    waitMillis: 1000
  },
  {
    name: "a short delay",
    fault: { type: "delay", ms: 50, when: "before" },
    reached: true,
    error: undefined
  },
  {
    name: "an answer slower than the timeout (processed)",
    fault: { type: "delay", ms: shortTimeout + 1000, when: "after" },
    reached: true,
    error: { _tag: "NetworkError", reason: "Timeout" },
    slow: true
  },
  {
    name: "a hang",
    fault: { type: "hang", ms: 60_000 },
    reached: false,
    error: { _tag: "NetworkError", reason: "Timeout" },
    slow: true
  },
  {
    name: "a reset before processing",
    fault: { type: "reset", when: "before" },
    reached: false,
    error: { _tag: "NetworkError", reason: "ConnectionReset" }
  },
  {
    name: "a reset after processing",
    fault: { type: "reset", when: "after" },
    reached: true,
    error: { _tag: "NetworkError", reason: "ConnectionReset" }
  },
  {
    name: "a truncated body",
    fault: { type: "truncate" },
    reached: true,
    error: { _tag: "NetworkError", reason: "ConnectionReset" }
  }
]

/** What the retry policy says about a faulted attempt, as RetryPolicy.ts documents it. */
const retryable = (safety: Safety, error: FaultCase["error"]): boolean => {
  if (error === undefined) return false
  if (error._tag === "NetworkError") return safety !== "side-effecting"
  const status = (error as Partial<ApiError>).status ?? 0
  return safety === "side-effecting" ? status === 429 : transient.has(status)
}

interface Expected {
  readonly attempts: number
  readonly succeeds: boolean
  /** Attempts that ran the endpoint. */
  readonly handled: number
  /** Attempts that timed out. */
  readonly timedOut: number
}

const expected = (safety: Safety, fault: FaultCase, times: number): Expected => {
  if (fault.error === undefined) {
    return { attempts: 1, succeeds: true, handled: 1, timedOut: 0 }
  }
  const retries = retryable(safety, fault.error)
  const attempts = retries ? Math.min(times + 1, policy.maxAttempts) : 1
  const succeeds = retries && times < policy.maxAttempts
  const faulted = Math.min(times, attempts)
  const handled = (fault.reached ? faulted : 0) + (succeeds ? 1 : 0)
  const timedOut = fault.slow === true ? faulted : 0
  return { attempts, succeeds, handled, timedOut }
}

// ---------------------------------------------------------------------------
// One cell
// ---------------------------------------------------------------------------

const setup = Effect.gen(function*() {
  const { control } = yield* Emulator
  const { user } = yield* Users.create({ email: "ada@example.com", cellphone: "305-342-5699", countryCode: 57 })
  yield* Users.requestSms(user.id, { force: true })
  return { id: user.id, code: yield* control.lastCode(user.id) }
})

const totalUsers = Effect.map(App.stats(), (s) => s.totalUsers)

/** Polls until the emulator holds no request of the fault any more (a hang ends when the client gives up). */
const settled = (id: string) =>
  Effect.gen(function*() {
    const { control } = yield* Emulator
    for (let i = 0; i < 1000; i++) {
      const view = yield* control.fault(id)
      if (view.open === 0) return view
      yield* Effect.sleep("10 millis")
    }
    return yield* control.fault(id)
  })

/** Every fiber forked by `effect` has ended once it has. */
const withoutLeftovers = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const supervisor = yield* Supervisor.track
    const result = yield* Effect.supervised(effect, supervisor)
    const alive = (yield* supervisor.value).filter((fiber) => fiber.unsafePoll() === null)
    expect(alive).toHaveLength(0)
    return result
  })

const timeoutOf = (fault: FaultCase) => (fault.slow === true ? shortTimeout : longTimeout)

const runCell = (endpoint: EndpointCase, fault: FaultCase, times: number) =>
  Effect.gen(function*() {
    const { control } = yield* Emulator
    const ready = yield* setup
    // App.stats is an API call itself: read it before the counters, and after them at the end
    const usersBefore = yield* totalUsers
    const countersBefore = yield* control.counters()
    const view = yield* control.injectFault({ method: endpoint.method, path: endpoint.path(ready), times, fault: fault.fault })

    const started = Date.now()
    const result = yield* withoutLeftovers(Effect.either(endpoint.run(ready)))
    const elapsed = Date.now() - started

    const after = yield* settled(view.id)
    yield* control.clearFaults
    const countersAfter = yield* control.counters()
    const usersAfter = yield* totalUsers
    const want = expected(endpoint.safety, fault, times)

    // the outcome: a success, or the fault's own typed error
    if (want.succeeds) {
      expect(result._tag).toBe("Right")
    } else {
      expect(result._tag).toBe("Left")
      if (result._tag === "Left") {
        expect(result.left).toBeInstanceOf(fault.error?._tag === "ApiError" ? ApiError : NetworkError)
        expect(result.left).toMatchObject(fault.error ?? {})
      }
    }
    // the attempts the policy allows, as the emulator saw them
    expect(after.matched).toBe(want.attempts)
    expect(countersAfter.apiCalls - countersBefore.apiCalls).toBe(want.handled)
    expect(after.open).toBe(0)
    // side effects: at most once, and exactly as often as the endpoint ran
    const effectBefore = endpoint.effect?.(countersBefore, usersBefore) ?? 0
    const effectAfter = endpoint.effect?.(countersAfter, usersAfter) ?? 0
    if (endpoint.safety === "side-effecting") expect(effectAfter - effectBefore).toBeLessThanOrEqual(1)
    if (endpoint.safety === "idempotent") expect(effectAfter - effectBefore).toBe(want.handled > 0 ? 1 : 0)
    if (endpoint.safety === "side-effecting") expect(effectAfter - effectBefore).toBe(want.handled)
    if (endpoint.safety === "read-only") {
      expect({ ...countersAfter, apiCalls: 0 }).toEqual({ ...countersBefore, apiCalls: 0 })
    }
    // each timed-out attempt waited for its timeout, and retries waited what
    // the policy and Retry-After say (lower bounds: they hold on any machine)
    expect(elapsed).toBeGreaterThanOrEqual(want.timedOut * shortTimeout - 50)
    if (fault.waitMillis !== undefined && want.attempts > 1) expect(elapsed).toBeGreaterThanOrEqual(fault.waitMillis)
  })

// Baseline of the process' timers and sockets, compared once every cell has
// closed its emulator and client.
const resources = () => {
  const all = process.getActiveResourcesInfo()
  return { sockets: all.filter((r) => r === "TCPSocketWrap").length, timers: all.filter((r) => r === "Timeout").length }
}
let baseline = resources()
beforeAll(() => {
  baseline = resources()
})
afterAll(async () => {
  for (let i = 0; i < 250; i++) {
    const now = resources()
    if (now.sockets <= baseline.sockets && now.timers <= baseline.timers) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const now = resources()
  expect(now.sockets).toBeLessThanOrEqual(baseline.sockets)
  expect(now.timers).toBeLessThanOrEqual(baseline.timers)
})

/** The full matrix runs on both undici transports: the platform's, and effect-authy's own. */
const undiciTransports = ["undici", "UndiciHttpClient"] as const

for (const name of undiciTransports) {
  describe.concurrent(`fault matrix (${name})`, () => {
    for (const fault of faultCases) {
      describe(fault.name, () => {
        for (const endpoint of endpoints) {
          const want = expected(endpoint.safety, fault, 1)
          const outcome = want.succeeds ? "succeeds" : `fails with ${fault.error?._tag}`
          it.live(`${endpoint.name} (${endpoint.safety}): ${outcome} after ${want.attempts} attempt(s)`, () =>
            runCell(endpoint, fault, 1).pipe(Effect.provide(emulatorWith(transports[name], timeoutOf(fault)))))
        }
      })
    }
  })

  describe.concurrent(`fault matrix, fault on every attempt (${name})`, () => {
    for (const fault of faultCases.filter((f) => f.error !== undefined)) {
      for (const endpoint of endpoints.filter((e) => e.safety !== "side-effecting")) {
        const want = expected(endpoint.safety, fault, 5)
        it.live(`${fault.name} / ${endpoint.name}: fails after ${want.attempts} attempt(s)`, () =>
          runCell(endpoint, fault, 5).pipe(Effect.provide(emulatorWith(transports[name], timeoutOf(fault)))))
      }
    }
  })
}

describe.concurrent("fault matrix, network faults on the other transports", () => {
  const networkFaults = faultCases.filter((f) => f.error?._tag === "NetworkError")
  const sample = endpoints.filter((e) => e.name === "app.details" || e.name === "users.requestSms")
  const others = Object.entries(transports).filter(([name]) => !(undiciTransports as ReadonlyArray<string>).includes(name))
  for (const [name, transport] of others) {
    for (const fault of networkFaults) {
      for (const endpoint of sample) {
        it.live(`${name}: ${fault.name} / ${endpoint.name}`, () =>
          runCell(endpoint, fault, 1).pipe(Effect.provide(emulatorWith(transport, timeoutOf(fault)))))
      }
    }
  }
})

// ---------------------------------------------------------------------------
// The control API over the wire
// ---------------------------------------------------------------------------

const call = (url: string, method: string, path: string, body?: string, contentType = "application/json") =>
  Effect.promise(async () => {
    const response = await fetch(new URL(path, url), {
      method,
      headers: { "x-authy-api-key": "test-key", ...(body === undefined ? {} : { "content-type": contentType }) },
      ...(body === undefined ? {} : { body })
    })
    return { status: response.status, json: (await response.json()) as Record<string, unknown> }
  })

describe("the /__emulator/faults API", () => {
  it.live("adds, matches, counts, lists and clears scripted faults", () =>
    Effect.gen(function*() {
      const { url } = yield* Emulator
      const added = yield* call(
        url,
        "POST",
        "/__emulator/faults",
        JSON.stringify({ method: "get", path: "/protected/json/users/*/status", times: 2, type: "status", status: 502, body: "html" })
      )
      expect(added).toMatchObject({
        status: 200,
        json: {
          fault: { id: "f1", method: "GET", path: "/protected/json/users/*/status", times: 2, type: "status", status: 502, body: "html", remaining: 2, matched: 0, injected: 0, open: 0 },
          success: true
        }
      })
      // a form works too; `**` spans segments
      const form = yield* call(url, "POST", "/__emulator/faults", "path=/onetouch/**&type=rate_limit&retry_after=7", "application/x-www-form-urlencoded")
      expect(form.json).toMatchObject({ fault: { id: "f2", method: null, type: "rate_limit", retry_after: "7" } })

      const statuses: Array<number> = []
      for (let i = 0; i < 3; i++) {
        statuses.push((yield* Effect.promise(() => fetch(`${url}/protected/json/users/1/status`, { headers: { "x-authy-api-key": "test-key" } }))).status)
      }
      expect(statuses).toEqual([502, 502, 404]) // two faults, then the real answer (no such user)
      // another method, and another segment count, do not match
      expect((yield* call(url, "POST", "/protected/json/users/1/status")).status).toBe(404)
      const rateLimited = yield* Effect.promise(() => fetch(`${url}/onetouch/json/approval_requests/x`, { headers: { "x-authy-api-key": "test-key" } }))
      expect(rateLimited.status).toBe(429)
      expect(rateLimited.headers.get("retry-after")).toBe("7")
      expect(yield* Effect.promise(() => rateLimited.json())).toMatchObject({ error_code: "60003", success: false })

      const one = yield* call(url, "GET", "/__emulator/faults/f1")
      expect(one.json).toMatchObject({ fault: { remaining: 0, matched: 3, injected: 2 } })
      const list = yield* call(url, "GET", "/__emulator/faults")
      expect(list.json).toMatchObject({ faults: [{ id: "f1" }, { id: "f2", matched: 1, injected: 1 }], random: { rate: 0 } })

      expect((yield* call(url, "DELETE", "/__emulator/faults")).json).toMatchObject({ success: true })
      expect((yield* call(url, "GET", "/__emulator/faults")).json).toMatchObject({ faults: [] })
      yield* call(url, "POST", "/__emulator/faults", JSON.stringify({ path: "/**" }))
      expect((yield* call(url, "POST", "/__emulator/faults/clear")).status).toBe(200)
      expect((yield* call(url, "GET", "/__emulator/faults")).json).toMatchObject({ faults: [] })
    }).pipe(Effect.provide(emulatorWith(transports.undici))))

  it.live("never faults the control API, so a catch-all can be cleared", () =>
    Effect.gen(function*() {
      const { control, url } = yield* Emulator
      yield* control.injectFault({ path: "/**", times: 100, fault: { type: "reset", when: "before" } })
      expect((yield* call(url, "GET", "/__emulator/counters")).status).toBe(200)
      expect((yield* call(url, "GET", "/__emulator/faults")).json).toMatchObject({ faults: [{ matched: 0 }] })
      const failed = yield* Effect.either(App.details())
      expect(failed).toMatchObject({ _tag: "Left", left: { _tag: "NetworkError", reason: "ConnectionReset" } })
      yield* control.clearFaults
      expect((yield* App.details()).app.name).toMatch(/Authy Emulator/)
    }).pipe(Effect.provide(emulatorWith(transports.undici))))

  it.live("sets and reports the random mode over the wire", () =>
    Effect.gen(function*() {
      const { control, url } = yield* Emulator
      const set = yield* call(url, "POST", "/__emulator/faults/random", JSON.stringify({ rate: 0.5, kinds: "status,truncate" }))
      expect(set.json).toMatchObject({ random: { rate: 0.5, kinds: ["status", "truncate"], injected: {} } })
      const outcomes = yield* Effect.forEach(Array.from({ length: 40 }), () => Effect.either(App.details().pipe(RetryPolicy.withPolicy(RetryPolicy.disabled))))
      const failures = outcomes.filter((o) => o._tag === "Left").length
      const random = yield* control.randomFaults
      const injected = (random.injected.status ?? 0) + (random.injected.truncate ?? 0)
      expect(failures).toBe(injected)
      expect(injected).toBeGreaterThan(0)
      expect(injected).toBeLessThan(40)
    }).pipe(Effect.provide(emulatorWith(transports.undici))))
})
