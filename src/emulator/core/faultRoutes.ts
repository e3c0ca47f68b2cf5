/**
 * The control API of injected failures, `/__emulator/faults`: JSON (or a
 * form), authenticated like the rest of `/__emulator` and scoped to the
 * caller's tenant (an Authy application's key, a Twilio account's Basic
 * credentials): its faults fail only that tenant's requests. Answers are in
 * the caller's dialect.
 *
 * - `POST /__emulator/faults` adds a scripted fault:
 *   `{"method":"GET","path":"/protected/json/sms/*","times":1,"type":"status","status":503,"body":"html"}`
 * - `GET /__emulator/faults` lists them with their counts, and the random mode.
 * - `GET /__emulator/faults/{id}` one fault.
 * - `DELETE /__emulator/faults/{id}` (or `POST /__emulator/faults/{id}/delete`) removes one fault.
 * - `POST /__emulator/faults/random` `{"rate":0.05,"kinds":["reset_after","status"]}` sets the random mode.
 * - `DELETE /__emulator/faults` (or `POST /__emulator/faults/clear`) removes every fault.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import { Effect } from "effect"
import { authenticated } from "./control.js"
import type { Dialect, Reply } from "./dialect.js"
import * as Faults from "./faults.js"
import * as Params from "./params.js"

/**
 * A parameter refused, with the 400 to answer. A class rather than a bare
 * reply, so it cannot be mistaken for a parsed value that has a `status`.
 *
 * @since 0.1.0
 * @category parsing
 */
export class Invalid {
  constructor(readonly reply: (dialect: Dialect) => Reply) {}
}

const invalid = (name: string, reason: string): Invalid =>
  new Invalid((dialect) => dialect.invalidParameter(name, reason))

const missing = (name: string): Invalid => new Invalid((dialect) => dialect.missingParameter(name))

/** An integer parameter with a default; a reply when it is not an integer. */
const integerOr = (params: Params.Params, key: string, fallback: number): number | Invalid => {
  const value = Params.integer(params, key)
  if (value === undefined) return fallback
  return Number.isNaN(value) ? invalid(key, "must be an integer") : value
}

const oneOf = <A extends string>(
  params: Params.Params,
  key: string,
  allowed: ReadonlyArray<A>,
  fallback: A
): A | Invalid => {
  const value = Params.string(params, key) ?? fallback
  return (allowed as ReadonlyArray<string>).includes(value)
    ? value as A
    : invalid(key, `must be one of ${allowed.join(", ")}`)
}

const isInvalid = (u: unknown): u is Invalid => u instanceof Invalid

const faultTypes = ["status", "rate_limit", "delay", "hang", "reset", "truncate"] as const
const bodies: ReadonlyArray<Faults.FaultBody> = ["authy", "html", "text", "empty"]
const whens = ["before", "after"] as const

/** The fault part of a spec, from its flat wire form. */
const parseFault = (params: Params.Params): Faults.Fault | Invalid => {
  const type = oneOf(params, "type", faultTypes, "status")
  if (isInvalid(type)) return type
  switch (type) {
    case "status": {
      const status = integerOr(params, "status", 503)
      const body = oneOf(params, "body", bodies, "authy")
      if (isInvalid(status)) return status
      if (isInvalid(body)) return body
      const errorCode = Params.string(params, "error_code")
      const message = Params.string(params, "message")
      return {
        type,
        status,
        body,
        ...(errorCode === undefined ? {} : { errorCode }),
        ...(message === undefined ? {} : { message })
      }
    }
    case "rate_limit":
      return { type, retryAfter: Params.string(params, "retry_after") ?? "1" }
    case "delay": {
      const ms = integerOr(params, "ms", 1000)
      const when = oneOf(params, "when", whens, "before")
      if (isInvalid(ms)) return ms
      return isInvalid(when) ? when : { type, ms, when }
    }
    case "hang": {
      const ms = integerOr(params, "ms", 60_000)
      return isInvalid(ms) ? ms : { type, ms }
    }
    case "reset": {
      const when = oneOf(params, "when", whens, "before")
      return isInvalid(when) ? when : { type, when }
    }
    case "truncate":
      return { type }
  }
}

/** The spec as a whole is refused (the reason names the field). */
const invalidSpec = (problem: string): Invalid =>
  new Invalid((dialect) => dialect.error(400, dialect.name === "authy" ? "60004" : "60200", `Invalid parameter: ${problem}`))

/**
 * A scripted fault from its wire form, or the 400 to answer.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseSpec = (params: Params.Params): Faults.FaultSpec | Invalid => {
  const path = Params.string(params, "path")
  if (path === undefined) return missing("path")
  const times = integerOr(params, "times", 1)
  if (isInvalid(times)) return times
  const fault = parseFault(params)
  if (isInvalid(fault)) return fault
  const method = Params.string(params, "method")
  const spec: Faults.FaultSpec = { path, times, fault, ...(method === undefined ? {} : { method }) }
  const problem = Faults.validate(spec)
  return problem === undefined ? spec : invalidSpec(problem)
}

/** The fault in the flat snake_case form it was given in. */
const faultBody = (fault: Faults.Fault): Record<string, unknown> => {
  switch (fault.type) {
    case "status":
      return {
        type: fault.type,
        status: fault.status,
        body: fault.body,
        ...(fault.errorCode === undefined ? {} : { error_code: fault.errorCode }),
        ...(fault.message === undefined ? {} : { message: fault.message })
      }
    case "rate_limit":
      return { type: fault.type, retry_after: fault.retryAfter }
    default:
      return { ...fault }
  }
}

/**
 * A fault as the control API shows it: its spec, flat, and its counts.
 *
 * @since 0.1.0
 * @category encoding
 */
export const viewBody = (view: Faults.FaultView): Record<string, unknown> => ({
  id: view.id,
  method: view.method ?? null,
  path: view.path,
  times: view.times,
  ...faultBody(view.fault),
  remaining: view.remaining,
  matched: view.matched,
  injected: view.injected,
  open: view.open
})

/**
 * The random mode as the control API shows it.
 *
 * @since 0.3.0
 * @category encoding
 */
export const randomBody = (random: Faults.RandomView) => ({
  rate: random.rate,
  kinds: random.kinds,
  injected: random.injected
})

/** A route running `f` on the faults of the caller's tenant. */
const withFaults = <R>(
  f: (faults: Faults.AppFaults, params: Params.Params, dialect: Dialect) => Effect.Effect<Reply, never, R>
) =>
  authenticated(({ dialect, params, tenant }) =>
    Effect.flatMap(Faults.EmulatorFaults, (store) => {
      const faults = store.forApp(tenant)
      return faults === undefined ? Effect.succeed(dialect.unauthorized) : f(faults, params, dialect)
    })
  )

const list = withFaults((faults, _, dialect) =>
  Effect.zipWith(
    faults.faults,
    faults.randomFaults,
    (all, random) => dialect.ok({ faults: all.map(viewBody), random: randomBody(random) })
  )
)

/**
 * Adds the fault `params` describe to a tenant's faults: the step behind
 * `POST /__emulator/faults` and the web inbox's fault form.
 *
 * @since 0.3.0
 * @category steps
 */
export const injectStep = (faults: Faults.AppFaults, params: Params.Params, dialect: Dialect): Effect.Effect<Reply> => {
  const spec = parseSpec(params)
  if (isInvalid(spec)) return Effect.succeed(spec.reply(dialect))
  return faults.add(spec).pipe(
    Effect.map((view) => dialect.ok({ fault: viewBody(view) })),
    Effect.catchTag("InvalidFault", (e) => Effect.succeed(invalidSpec(e.reason).reply(dialect)))
  )
}

const inject = withFaults(injectStep)

const faultNotFound = (dialect: Dialect, id: string): Reply => dialect.error(404, undefined, `Fault not found: ${id}`)

const one = withFaults((faults, _, dialect) =>
  Effect.gen(function*() {
    const id = (yield* HttpRouter.params).id ?? ""
    const view = (yield* faults.faults).find((v) => v.id === id)
    return view === undefined ? faultNotFound(dialect, id) : dialect.ok({ fault: viewBody(view) })
  })
)

/**
 * Removes one fault of a tenant, or answers the 404 of an id it does not
 * hold (another tenant's included): the step behind
 * `DELETE /__emulator/faults/{id}` and the web inbox's "Remove".
 *
 * @since 0.3.0
 * @category steps
 */
export const removeStep = (faults: Faults.AppFaults, id: string, dialect: Dialect): Effect.Effect<Reply> =>
  Effect.map(
    faults.removeFault(id),
    (removed) => removed ? dialect.ok({ message: "Fault removed." }) : faultNotFound(dialect, id)
  )

const remove = withFaults((faults, _, dialect) =>
  Effect.flatMap(HttpRouter.params, (params) => removeStep(faults, params.id ?? "", dialect))
)

/**
 * Removes every fault of a tenant and turns its random mode off: the step
 * behind `DELETE /__emulator/faults` and the web inbox's "clear faults".
 *
 * @since 0.3.0
 * @category steps
 */
export const clearStep = (faults: Faults.AppFaults, dialect: Dialect): Effect.Effect<Reply> =>
  Effect.as(faults.clearFaults, dialect.ok({ message: "Faults cleared." }))

const clear = withFaults((faults, _, dialect) => clearStep(faults, dialect))

/** `kinds` as a JSON array or a comma-separated list. */
const kindsOf = (params: Params.Params): ReadonlyArray<string> | undefined => {
  const value = params.kinds
  // Not `String(k)`: a parsed object has no prototype, hence no toString.
  if (Array.isArray(value)) return value.map((k) => (typeof k === "string" ? k : JSON.stringify(k)))
  const text = Params.string(params, "kinds")
  return text === undefined || text.trim() === "" ? undefined : text.split(",").map((k) => k.trim())
}

/**
 * The random mode from its wire form, or the 400 to answer.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRandom = (params: Params.Params): Faults.RandomFaults | Invalid => {
  const text = Params.string(params, "rate")
  if (text === undefined) return missing("rate")
  const rate = Number(text)
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) return invalid("rate", "must be a number from 0 to 1")
  const kinds = kindsOf(params)
  if (kinds === undefined) return { rate }
  const unknown = kinds.filter((k) => !(Faults.randomKinds as ReadonlyArray<string>).includes(k))
  if (unknown.length > 0) return invalid("kinds", `unknown kinds ${unknown.join(", ")}`)
  return { rate, kinds: kinds as ReadonlyArray<Faults.RandomKind> }
}

const setRandom = withFaults((faults, params, dialect) => {
  const random = parseRandom(params)
  if (isInvalid(random)) return Effect.succeed(random.reply(dialect))
  return Effect.zipRight(
    faults.setRandomFaults(random),
    Effect.map(faults.randomFaults, (r) => dialect.ok({ random: randomBody(r) }))
  )
})

/**
 * The `/__emulator/faults` routes.
 *
 * @since 0.1.0
 * @category routers
 */
export const router = HttpRouter.empty.pipe(
  HttpRouter.get("/__emulator/faults", list),
  HttpRouter.post("/__emulator/faults", inject),
  HttpRouter.del("/__emulator/faults", clear),
  HttpRouter.post("/__emulator/faults/clear", clear),
  HttpRouter.post("/__emulator/faults/random", setRandom),
  HttpRouter.get("/__emulator/faults/:id", one),
  HttpRouter.del("/__emulator/faults/:id", remove),
  HttpRouter.post("/__emulator/faults/:id/delete", remove)
)
