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
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
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
 * Sends `request` and reads its whole answer within `timeoutMillis`
 * (`Infinity`: no deadline). Interrupting the effect aborts the request.
 *
 * @internal
 */
export type DirectSend = (
  request: HttpClientRequest.HttpClientRequest,
  timeoutMillis: number
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | DeadlineExceeded>

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
