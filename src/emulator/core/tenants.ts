/**
 * A store of tenants (Authy applications, Twilio accounts), each with its
 * own clock: the real clock plus an offset that tests advance instead of
 * sleeping, so that no tenant's control calls change another's world.
 *
 * Every change happens inside one synchronous function run by
 * {@link Store.use}, so a request's reads and writes are atomic without
 * locks: JavaScript runs it to the end before serving anything else. Events
 * a step queues (an approval answered, a challenge approved) are handed to
 * the listeners after the step, so that a listener sees the state complete.
 *
 * @since 0.2.0
 */
import { Effect, type Scope } from "effect"

/**
 * What the store needs of a tenant: its clock offset.
 *
 * @since 0.2.0
 * @category models
 */
export interface Tenant {
  /**
   * How far the tenant's clock is ahead of the real clock, in milliseconds
   * (see {@link advanceClock}).
   */
  clockOffset: number
}

/**
 * How far a tenant's clock may run ahead of real time: 100 years of 365
 * days. Far beyond any expiry a test needs, and far inside the range of a
 * JavaScript `Date`, so that every time the emulator prints stays valid.
 *
 * @since 0.2.0
 * @category clock
 */
export const maxClockOffsetMillis = 100 * 365 * 86_400_000

/**
 * Moves the tenant's clock forward by `millis`; answers why not (and
 * changes nothing) when `millis` is not a finite, non-negative number or
 * would put the clock more than {@link maxClockOffsetMillis} ahead.
 *
 * @since 0.2.0
 * @category clock
 */
export const advanceClock = (tenant: Tenant, millis: number): string | undefined => {
  if (!Number.isFinite(millis) || millis < 0) return "must be a non-negative number"
  if (tenant.clockOffset + millis > maxClockOffsetMillis) {
    const left = Math.floor((maxClockOffsetMillis - tenant.clockOffset) / 1000)
    return `must be at most ${left}: the emulator clock runs at most ${maxClockOffsetMillis / 1000} seconds (100 years) ahead`
  }
  tenant.clockOffset += millis
  return undefined
}

/**
 * The id names no tenant of the store.
 *
 * @since 0.2.0
 * @category errors
 */
export class UnknownTenant {
  /** @since 0.2.0 */
  readonly _tag = "UnknownTenant"
}

/**
 * Told of every event a step queued, right after the step, with that step's
 * tenant time.
 *
 * @since 0.2.0
 * @category models
 */
export type Listener<T, E> = (tenant: T, event: E, now: number) => void

/**
 * How to build, keep and drain one kind of tenant.
 *
 * @since 0.2.0
 * @category models
 */
export interface Definition<T extends Tenant, E> {
  /** A fresh tenant for `id`, the `index`-th of the store, at tenant time `now`. */
  readonly empty: (id: string, index: number, now: number) => T
  /**
   * What a reset of one tenant keeps (its configuration; the store itself
   * keeps the clock offset, so that the tenant's time never runs backwards).
   */
  readonly keep: (previous: T, next: T) => void
  /** What a reset of every tenant keeps (the clocks go back to real time). */
  readonly keepOnResetAll: (previous: T, next: T) => void
  /** Takes the events the last step queued, oldest first. */
  readonly drain: (tenant: T) => ReadonlyArray<E>
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Store<T extends Tenant, E> {
  /** The tenant ids, in the order given; the first is the default of control calls. */
  readonly ids: ReadonlyArray<string>
  /** Runs `f` on a tenant at its current time, atomically. */
  readonly use: <A>(id: string, f: (tenant: T, now: number) => A) => Effect.Effect<A, UnknownTenant>
  /** Empties one tenant (its id, configuration and clock stay). */
  readonly reset: (id: string) => Effect.Effect<void, UnknownTenant>
  /**
   * Replaces one tenant with what `build` makes at the tenant's time (a
   * state file's import); the clock keeps its offset, so time never runs
   * backwards.
   */
  readonly replace: (id: string, build: (now: number) => T) => Effect.Effect<void, UnknownTenant>
  /** Empties every tenant and puts every clock back to real time. */
  readonly resetAll: Effect.Effect<void>
  /** Calls `listener` for every event, for the life of the scope. */
  readonly listen: (listener: Listener<T, E>) => Effect.Effect<void, never, Scope.Scope>
  /**
   * Runs `f` on a tenant at its current time without telling the watchers:
   * for readers that must not wake themselves up (the web inbox's snapshot).
   * `f` must only read.
   */
  readonly peek: <A>(id: string, f: (tenant: T, now: number) => A) => Effect.Effect<A, UnknownTenant>
  /**
   * Calls `watcher` with a tenant's id after every step, reset or import of
   * it (each may have changed it), for the life of the scope: the web
   * inbox's live updates. Cheap when nobody watches: one size check a step.
   */
  readonly watch: (watcher: Watcher) => Effect.Effect<void, never, Scope.Scope>
}

/**
 * Told that a tenant may have changed.
 *
 * @since 0.3.0
 * @category models
 */
export type Watcher = (id: string) => void

/**
 * Builds a store of the tenants `ids` (duplicates dropped; at least one).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <T extends Tenant, E>(ids: ReadonlyArray<string>, definition: Definition<T, E>): Store<T, E> => {
  const keys = [...new Set(ids)]
  if (keys.length === 0) throw new Error("The emulator needs at least one tenant")
  const fresh = () => new Map(keys.map((key, i) => [key, definition.empty(key, i + 1, Date.now())]))
  let tenants = fresh()
  const listeners = new Set<Listener<T, E>>()
  const watchers = new Set<Watcher>()
  const changed = (id: string) => {
    if (watchers.size > 0) watchers.forEach((watcher) => watcher(id))
  }
  const run = <A>(id: string, tenant: T, f: (tenant: T, now: number) => A): A => {
    const now = Date.now() + tenant.clockOffset
    try {
      return f(tenant, now)
    } finally {
      for (const event of definition.drain(tenant)) listeners.forEach((listener) => listener(tenant, event, now))
      changed(id)
    }
  }
  const find = (id: string) => {
    const tenant = tenants.get(id)
    return tenant === undefined ? Effect.fail(new UnknownTenant()) : Effect.succeed(tenant)
  }
  return {
    ids: keys,
    // One step, evaluated when the effect runs: this is on every request's path.
    use: (id, f) =>
      Effect.suspend(() => {
        const tenant = tenants.get(id)
        return tenant === undefined ? Effect.fail(new UnknownTenant()) : Effect.succeed(run(id, tenant, f))
      }),
    peek: (id, f) =>
      Effect.flatMap(Effect.suspend(() => find(id)), (tenant) => Effect.sync(() => f(tenant, Date.now() + tenant.clockOffset))),
    reset: (id) =>
      Effect.flatMap(Effect.suspend(() => find(id)), (previous) =>
        Effect.sync(() => {
          const next = definition.empty(id, keys.indexOf(id) + 1, Date.now() + previous.clockOffset)
          definition.keep(previous, next)
          next.clockOffset = previous.clockOffset
          tenants.set(id, next)
          changed(id)
        })),
    replace: (id, build) =>
      Effect.flatMap(Effect.suspend(() => find(id)), (previous) =>
        Effect.sync(() => {
          const next = build(Date.now() + previous.clockOffset)
          next.clockOffset = previous.clockOffset
          tenants.set(id, next)
          changed(id)
        })),
    resetAll: Effect.sync(() => {
      const previous = tenants
      tenants = fresh()
      tenants.forEach((next, id) => definition.keepOnResetAll(previous.get(id)!, next))
      keys.forEach(changed)
    }),
    listen: (listener) =>
      Effect.acquireRelease(
        Effect.sync(() => void listeners.add(listener)),
        () => Effect.sync(() => listeners.delete(listener))
      ),
    watch: (watcher) =>
      Effect.acquireRelease(
        Effect.sync(() => void watchers.add(watcher)),
        () => Effect.sync(() => watchers.delete(watcher))
      )
  }
}
