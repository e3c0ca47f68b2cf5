/**
 * A lean `HttpClient` on undici's dispatcher, made for small JSON APIs such as
 * Authy: the transport to pick on Node when speed matters.
 *
 * Why it exists. `NodeHttpClient.layerUndici` costs about three times the CPU
 * of the undici request it makes (see bench/results.md): every request gets an
 * `AbortController`, a `FinalizationRegistry` entry, a streaming body and a
 * wrapper around the response. An Authy answer is a few hundred bytes of JSON,
 * so this client reads the whole answer on undici's callback API before
 * handing it over, and needs none of that: interrupting the request aborts it
 * directly, and the body is already in memory.
 *
 * What it does not do, by design:
 * - stream: the answer is buffered, up to `maxResponseBytes` (1 MiB by
 *   default); a larger one fails with a `ResponseError`;
 * - send streams or multipart forms: only in-memory bodies (JSON, text, bytes,
 *   url-encoded forms), anything else fails with a `RequestError` ("Encode");
 * - follow redirects or trace: no span per request (effect-authy's endpoint
 *   spans say what the request was for, without its URL).
 *
 * @since 0.1.0
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Undici from "@effect/platform-node/Undici"
import { Effect, Inspectable, Layer, Option, Stream } from "effect"
import * as DirectSend from "../internal/core/directSend.js"
import { maxTimerMillis } from "../internal/core/timeout.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The largest answer body read into memory, in bytes. Default: 1 MiB. */
  readonly maxResponseBytes?: number | undefined
}

const defaultMaxResponseBytes = 1024 * 1024

/**
 * An `HttpClient` sending every request through `dispatcher` (an undici
 * `Agent`, `Pool` or `Client`). The dispatcher is the caller's: it is not
 * closed by the client.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Undici from "@effect/platform-node/Undici"
 * import { UndiciHttpClient } from "effect-authy/node"
 *
 * const agent = new Undici.Agent({ connections: 32 })
 * const client = UndiciHttpClient.make(agent)
 * const program = Effect.flatMap(client.get("https://api.authy.com/protected/json/app/details"), (r) => r.json)
 * ```
 */
export const make = (dispatcher: Undici.Dispatcher, options: Options = {}): HttpClient.HttpClient => {
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes
  const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (request) => Effect.flatMap(request, (request) => send(dispatcher, request, maxResponseBytes)),
    Effect.succeed
  )
  return DirectSend.attach(client, (wire, timeoutMillis, reader) =>
    dispatch(dispatcher, wire, maxResponseBytes, {
      answer: (_request, status, headers, body) => reader.onAnswer(status, utf8.decode(body), (name) => headerValue(headers[name])),
      failure: reader.onFailure
    }, {
      millis: timeoutMillis,
      onExceeded: () => reader.onFailure(new DirectSend.DeadlineExceeded())
    }))
}

/**
 * At most this many sockets per origin unless `agent.connections` says
 * otherwise. undici's own default is no limit: a burst of 10,000 calls (say,
 * pending `OneTouch.awaitApproval` waits polling together) would open 10,000
 * sockets, past the usual limit of 1,024 open files, each holding its buffers
 * and TLS state. 64 keep-alive sockets carry 64 requests at once, which at
 * Authy's round trip of tens of milliseconds is well over a thousand requests
 * a second, beyond what one API key is allowed; further requests wait in
 * undici's queue, at the cost of the request alone.
 */
const defaultConnections = 64

/**
 * The client on an undici `Agent` of its own, with the agent's options
 * (`connections`, `pipelining`, `keepAliveTimeout`, `connect.ca`…);
 * `connections` defaults to 64 sockets per origin, rather than undici's
 * unlimited. The agent is closed when the layer is released.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { AuthyService } from "effect-authy"
 * import { UndiciHttpClient } from "effect-authy/node"
 *
 * const AuthyLive = AuthyService.layer({ apiKey: Redacted.make("key") }).pipe(
 *   Layer.provide(UndiciHttpClient.layerWith({ agent: { connections: 32 } }))
 * )
 * ```
 */
export const layerWith = (
  options: Options & { readonly agent?: Undici.Agent.Options | undefined } = {}
): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new Undici.Agent({ connections: defaultConnections, ...options.agent })),
        (agent) => Effect.promise(() => agent.destroy())
      ),
      (agent) => make(agent, options)
    )
  )

/**
 * The client on an undici `Agent` of its own: keep-alive, at most 64
 * connections per origin (further requests wait in undici's queue), no
 * pipelining.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { AuthyService } from "effect-authy"
 * import { UndiciHttpClient } from "effect-authy/node"
 *
 * const AuthyLive = AuthyService.layer({ apiKey: Redacted.make("key") }).pipe(
 *   Layer.provide(UndiciHttpClient.layer)
 * )
 * ```
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = layerWith()

/** What to do when the whole answer has not been read within `millis`. */
interface Deadline<E> {
  readonly millis: number
  readonly onExceeded: () => E
}

type RawHeaders = Record<string, string | Array<string> | undefined>

/** What an exchange ends with: its answer, read whole, or its failure. */
interface Settle<A, E> {
  readonly answer: (
    request: () => HttpClientRequest.HttpClientRequest,
    status: number,
    headers: RawHeaders,
    body: Uint8Array
  ) => Effect.Effect<A, E>
  readonly failure: (error: HttpClientError.HttpClientError) => E
}

/** As an `HttpClient` answers: the response, or the platform's error. */
const asResponse: Settle<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> = {
  answer: (request, status, headers, body) => Effect.succeed(new BufferedResponse(request, status, headers, body)),
  failure: (error) => error
}

/** A header as `Headers` gives it: several values joined by a comma. */
const headerValue = (value: string | Array<string> | undefined): string | undefined =>
  Array.isArray(value) ? value.join(", ") : value

/** An `HttpClientRequest`, taken apart for the wire. */
const send = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  maxResponseBytes: number
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  if (url._tag === "Left") {
    return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
  }
  const body = inMemoryBody(request.body)
  if (body === unsupported) {
    return Effect.fail(
      new HttpClientError.RequestError({
        request,
        reason: "Encode",
        description: `UndiciHttpClient sends in-memory bodies only, not ${request.body._tag}`
      })
    )
  }
  const wire: DirectSend.WireRequest = {
    method: request.method,
    origin: url.right.origin,
    path: url.right.pathname + url.right.search,
    headers: request.headers,
    body,
    request: () => request
  }
  return dispatch(dispatcher, wire, maxResponseBytes, asResponse)
}

const dispatch = <A, E>(
  dispatcher: Undici.Dispatcher,
  wire: DirectSend.WireRequest,
  maxResponseBytes: number,
  settle: Settle<A, E>,
  deadline?: Deadline<E>
): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    const handler = new BufferingHandler(wire.request, maxResponseBytes, settle, resume)
    if (deadline !== undefined && deadline.millis <= maxTimerMillis) {
      handler.expireAfter(deadline.millis, deadline.onExceeded)
    }
    dispatcher.dispatch({
      origin: wire.origin,
      path: wire.path,
      method: wire.method,
      headers: wire.headers,
      body: wire.body
    }, handler)
    return Effect.sync(() => handler.abort())
  })

const unsupported: unique symbol = Symbol("unsupported")

const inMemoryBody = (body: HttpBody.HttpBody): string | Uint8Array | null | typeof unsupported => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array ? body.body : unsupported
    default:
      return unsupported
  }
}

class ResponseTooLarge extends Error {}

class RequestAborted extends Error {}

/**
 * Collects one answer on undici's callback API and resumes the waiting fiber
 * once, with what `settle` makes of the whole answer or of the error.
 */
class BufferingHandler<A, E> implements Undici.Dispatcher.DispatchHandler {
  private controller: Undici.Dispatcher.DispatchController | undefined
  private aborted = false
  private finished = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private status = 0
  private headers: RawHeaders = {}
  private readonly chunks: Array<Buffer> = []
  private size = 0

  constructor(
    private readonly request: () => HttpClientRequest.HttpClientRequest,
    private readonly maxResponseBytes: number,
    private readonly settle: Settle<A, E>,
    private readonly resume: (effect: Effect.Effect<A, E>) => void
  ) {}

  /** Gives up with `onExceeded()`, and aborts the request, unless it is done within `millis`. */
  expireAfter(millis: number, onExceeded: () => E): void {
    this.timer = setTimeout(() => {
      this.finish(() => Effect.fail(onExceeded()))
      this.abort()
    }, millis)
  }

  /** The fiber was interrupted, or the deadline passed: drop the request wherever it is. */
  abort(): void {
    this.aborted = true
    this.controller?.abort(new RequestAborted("The request was aborted"))
  }

  onRequestStart(controller: Undici.Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.aborted) controller.abort(new RequestAborted("The request was aborted"))
  }

  onResponseStart(_controller: Undici.Dispatcher.DispatchController, statusCode: number, headers: RawHeaders): void {
    this.status = statusCode
    this.headers = headers
  }

  onResponseData(controller: Undici.Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length
    if (this.size > this.maxResponseBytes) {
      controller.abort(new ResponseTooLarge(`The answer is larger than ${this.maxResponseBytes} bytes`))
      return
    }
    this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size)
    this.finish(() => this.settle.answer(this.request, this.status, this.headers, body))
  }

  onResponseError(_controller: Undici.Dispatcher.DispatchController, error: Error): void {
    if (error instanceof ResponseTooLarge) {
      const response = new BufferedResponse(this.request, this.status, this.headers, new Uint8Array(0))
      const failure = new HttpClientError.ResponseError({
        request: response.request,
        response,
        reason: "Decode",
        description: error.message
      })
      this.finish(() => Effect.fail(this.settle.failure(failure)))
      return
    }
    const failure = new HttpClientError.RequestError({ request: this.request(), reason: "Transport", cause: error })
    this.finish(() => Effect.fail(this.settle.failure(failure)))
  }

  /**
   * Resumes the fiber once. `outcome` runs here, in undici's callback: a
   * throw in it is a defect of the fiber, never an exception in undici.
   */
  private finish(outcome: () => Effect.Effect<A, E>): void {
    if (this.finished) return
    this.finished = true
    clearTimeout(this.timer)
    let effect: Effect.Effect<A, E>
    try {
      effect = outcome()
    } catch (defect) {
      effect = Effect.die(defect)
    }
    this.resume(effect)
  }
}

const utf8 = new TextDecoder()

/** An answer read whole: every accessor works on the bytes in memory, as often as asked. */
class BufferedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  private cachedHeaders: Headers.Headers | undefined
  private cachedRequest: HttpClientRequest.HttpClientRequest | undefined

  constructor(
    private readonly makeRequest: () => HttpClientRequest.HttpClientRequest,
    readonly status: number,
    private readonly rawHeaders: Record<string, string | Array<string> | undefined>,
    private readonly body: Uint8Array
  ) {
    super()
  }

  /** Built when asked for: on the hot path nobody does. */
  get request(): HttpClientRequest.HttpClientRequest {
    return this.cachedRequest ??= this.makeRequest()
  }

  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.rawHeaders)
  }

  get cookies(): Cookies.Cookies {
    const header = this.rawHeaders["set-cookie"]
    return header === undefined ? Cookies.empty : Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.sync(() => utf8.decode(this.body))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => JSON.parse(utf8.decode(this.body)) as unknown,
      catch: (cause) => this.decodeError(cause)
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.sync(() => UrlParams.fromInput(new URLSearchParams(utf8.decode(this.body))))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    // A copy: undici's chunks may be views into a larger, shared buffer.
    return Effect.sync(() => new Uint8Array(this.body).buffer)
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.succeed(this.body)
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.tryPromise({
      try: () => new Response(this.body, { headers: this.headers as Record<string, string> }).formData(),
      catch: (cause) => this.decodeError(cause)
    })
  }

  /** Status and headers only: the request's URL and the body may carry secrets (a token, a phone number). */
  toJSON(): unknown {
    return { _id: "@effect/platform/HttpClientResponse", status: this.status, headers: Inspectable.redact(this.headers) }
  }

  private decodeError(cause: unknown) {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }
}
