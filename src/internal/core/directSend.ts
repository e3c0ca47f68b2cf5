/**
 * A side door between the executor (`./http.ts`) and effect-authy's own
 * transport (`effect-authy/node`'s `UndiciHttpClient`): when the application's
 * client is ours, an attempt is sent with its deadline, which the transport
 * enforces with a timer of its own, instead of through the generic
 * `HttpClient` wrappers (a tracing switch, fetch options, a timeout fiber) that
 * the platform's transports need and ours does not.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import type { Effect } from "effect"

const TypeId: unique symbol = Symbol.for("effect-authy/DirectSend")

/**
 * The attempt's deadline passed before the whole answer was read; the request
 * has been aborted.
 *
 * @internal
 */
export class DeadlineExceeded {
  readonly _tag = "DeadlineExceeded"
}

/**
 * A request as it goes on the wire: built by the executor against the API's
 * origin, parsed once, instead of as an `HttpClientRequest` (URL parameters,
 * a `Headers` object, a body object) that the transport would take apart
 * again with `new URL` on every call. `request` builds that
 * `HttpClientRequest` all the same, only when something asks for it (an
 * error, `response.request`).
 *
 * @internal
 */
export interface WireRequest {
  readonly method: HttpMethod.HttpMethod
  /** `https://api.authy.com`. */
  readonly origin: string
  /** The path and the query string, percent-encoded. */
  readonly path: string
  /** Lower-case names, content type and length of the body included. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array | null
  readonly request: () => HttpClientRequest.HttpClientRequest
}

/**
 * What the executor makes of an attempt's end, called once by the transport
 * in its own callback: the waiting fiber is resumed with the attempt's final
 * outcome, so that an attempt is one asynchronous step with nothing chained
 * after it (no response object to read in further steps, no error to map).
 *
 * @internal
 */
export interface Reader<A, E> {
  /** The whole answer: its status, its body as text, a header by lower-case name. */
  readonly onAnswer: (status: number, text: string, header: (name: string) => string | undefined) => Effect.Effect<A, E>
  /** The request failed, or the deadline passed first (the request is then aborted). */
  readonly onFailure: (error: HttpClientError.HttpClientError | DeadlineExceeded) => E
}

/**
 * Sends `request`, reads its whole answer within `timeoutMillis` (`Infinity`:
 * no deadline) and succeeds or fails as `reader` says. Interrupting the effect
 * aborts the request.
 *
 * @internal
 */
export type DirectSend = <A, E>(request: WireRequest, timeoutMillis: number, reader: Reader<A, E>) => Effect.Effect<A, E>

/**
 * Marks `client` as able to send directly. A client derived from it
 * (`HttpClient.mapRequest`…) is a new object, without the mark: it is sent
 * through like any other.
 *
 * @internal
 */
export const attach = (client: HttpClient.HttpClient, send: DirectSend): HttpClient.HttpClient =>
  Object.assign(client, { [TypeId]: send })

/** @internal */
export const get = (client: HttpClient.HttpClient): DirectSend | undefined =>
  (client as Partial<Record<typeof TypeId, DirectSend>>)[TypeId]
