/**
 * What every Verify program shares: the executors, the service's SID, the
 * span and error stamping of a program, and paging.
 *
 * @internal
 */
import { Chunk, Effect, Either, Option, Schema, Stream } from "effect"
import { type ServiceName, ValidationError } from "../../AuthyError.js"
import type { Endpoint, Executor } from "../core/http.js"
import { traced } from "../core/span.js"

/**
 * The service's executors: Verify's and Lookup's base URLs, one dialect.
 *
 * @internal
 */
export interface Context {
  readonly verify: Executor
  readonly lookup: Executor
  /** The service the programs act on, checked when the service was built. */
  readonly serviceSid: string
}

/**
 * The checks are the core's, and name no service; a Verify program's
 * refusals say whose they are.
 *
 * @internal
 */
export const stamp = (service: ServiceName) => <E>(error: E): E =>
  error instanceof ValidationError && error.service !== service
    ? new ValidationError({ field: error.field, message: error.message, service }) as E
    : error

/**
 * A program: `Verify.<group>.<op>` spans (none while only Effect's own tracer
 * is installed), and its `ValidationError`s naming `service`.
 *
 * @internal
 */
export const program = <Args extends ReadonlyArray<unknown>, A, E>(
  name: string,
  body: (...args: Args) => Effect.Effect<A, E>,
  service: ServiceName = "Verify"
) => traced(name, (...args: Args) => Effect.mapError(body(...args), stamp(service)))

/** A stream whose setup (validation) may fail, its refusals stamped like a program's. */
export const streamProgram = <A, E, E2>(
  setup: Effect.Effect<Stream.Stream<A, E>, E2>
): Stream.Stream<A, E | E2> => Stream.unwrap(Effect.mapError(setup, stamp("Verify")))

const Meta = Schema.Struct({
  nextPageUrl: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }).pipe(Schema.fromKey("next_page_url"))
})

/**
 * The items of a list, page after page: follows `meta.next_page_url` until
 * it is null. Only its path and query are used, against the service's own
 * base URL: the credentials are never sent to a host a page names, and a
 * link to another resource than the list's is not followed (the stream ends).
 *
 * @internal
 */
export const paged = <A, I>(
  http: Executor,
  first: Omit<Endpoint<unknown>, "decode" | "method" | "safety">,
  key: string,
  item: Schema.Schema<A, I>
): Stream.Stream<A, Effect.Effect.Error<ReturnType<Executor["execute"]>>> => {
  const decode = Schema.decodeUnknownEither(Schema.Struct({
    meta: Schema.optionalWith(Meta, { exact: true }),
    items: Schema.propertySignature(Schema.Array(item)).pipe(Schema.fromKey(key))
  }))
  const endpoint = (params: Endpoint<unknown>["params"]) =>
    ({ ...first, method: "GET", safety: "read-only", params, decode }) as const
  return Stream.paginateChunkEffect(endpoint(first.params), (current) =>
    Effect.map(http.execute(current), (page) => [Chunk.fromIterable(page.items), nextPage(page.meta?.nextPageUrl, first.path).pipe(Option.map(endpoint))]))
}

const nextPage = (url: string | null | undefined, path: string): Option.Option<Record<string, string>> => {
  if (url === null || url === undefined || url === "") return Option.none()
  try {
    const next = new URL(url, "https://verify.twilio.com")
    if (next.pathname !== path) return Option.none()
    return Option.some(Object.fromEntries(next.searchParams))
  } catch {
    return Option.none()
  }
}

/** A path segment, percent-encoded. */
export const seg = encodeURIComponent

/**
 * A DELETE's answer (204, or any body): nothing to decode.
 *
 * @internal
 */
export const decodeNothing = (): Either.Either<void, never> => Either.right(undefined)
