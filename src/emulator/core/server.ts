/**
 * The emulator's server, whatever the API: a body cap, the recovery that
 * never lets a failure reach a default 500, and the Node server itself.
 * Every answer it writes itself is in the dialect of the request, so the
 * routers of both APIs run on one server and one port.
 *
 * The Node server is a lean adapter rather than `NodeHttpServer`: it runs
 * the same `HttpApp` (the routers stay the only routing), but reads each body
 * with plain stream events before the app's fiber starts, hands the app a
 * request whose body is already there, and writes each response with its
 * headers set at once and one `end`. The platform's adapter spends several
 * times the CPU of the emulator's own work per request on a wrapper per
 * request, a fiber run just to cache the body read, and a fiber that waits
 * for the write to flush (see bench/emulator).
 *
 * @since 0.1.0
 */
import * as Cookies from "@effect/platform/Cookies"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Headers from "@effect/platform/Headers"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Multipart from "@effect/platform/Multipart"
import type * as Path from "@effect/platform/Path"
import * as UrlParams from "@effect/platform/UrlParams"
import * as NodeMultipart from "@effect/platform-node/NodeMultipart"
import { Cause, Chunk, Context, Effect, Exit, type Fiber, Inspectable, Option, Runtime, type Scope, Stream } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { type Dialect, respond } from "./dialect.js"
import { parsedUrl, readBody, urlOf } from "./request.js"

/**
 * The largest request body read, 1 MiB: far above any Authy or Twilio
 * request, small enough that a flood of big bodies cannot exhaust memory.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodyBytes = 1024 * 1024

/**
 * The dialect a request is answered in, decided from its method, path and
 * headers alone (never its body), so that even a refused body is answered
 * in the right one.
 *
 * @since 0.2.0
 * @category models
 */
export type DialectOf = (request: HttpServerRequest.HttpServerRequest) => Dialect

/** Whether the request declares a body larger than {@link maxBodyBytes}. */
const declaresTooLarge = (headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>): boolean =>
  Number(headers["content-length"] ?? 0) > maxBodyBytes

/**
 * A body declared larger than {@link maxBodyBytes} is refused with a 413 in
 * the request's dialect before it is read; an undeclared (chunked) one is
 * cut off at the cap, and its connection closed.
 */
const limitBody = <E, R>(dialectOf: DialectOf, app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.contextWithEffect((context: Context.Context<HttpServerRequest.HttpServerRequest>) => {
    const request = Context.get(context, HttpServerRequest.HttpServerRequest)
    return declaresTooLarge(request.headers)
      ? Effect.succeed(respond(dialectOf(request).tooLarge("the body is larger than 1 MiB")))
      : app
  })

const isRouteNotFound = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "RouteNotFound"

/**
 * Never lets a failure reach a default 500: an unknown path is 404 and
 * anything else 500, both in the request's dialect (the path only, never the
 * query, which may hold a key).
 */
const recover = (dialectOf: DialectOf) => (cause: Cause.Cause<unknown>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const dialect = dialectOf(request)
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure) && isRouteNotFound(failure.value)) {
      return Effect.succeed(respond(dialect.notFound(request.method, urlOf(request).pathname)))
    }
    return Effect.as(
      Effect.logError("Emulator request failed", cause),
      respond(dialect.error(500, undefined, "An error occurred"))
    )
  })

/**
 * Wraps an app (the routers behind their fronts and the faults) with the body
 * cap and the recovery: the result never fails.
 *
 * @since 0.2.0
 * @category apps
 */
export const protect = <E, R>(
  dialectOf: DialectOf,
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest> =>
  Effect.catchAllCause(limitBody(dialectOf, app), recover(dialectOf))

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/** A request body as read before the app runs. */
type Body =
  | { readonly _tag: "Read"; readonly bytes: Buffer }
  /** Declared past the cap: never read (the app answers 413 first). */
  | { readonly _tag: "Unread" }
  /** Cut off at the cap, or the stream failed. */
  | { readonly _tag: "Failed"; readonly description: string }

/**
 * An `HttpServerRequest` over a Node request whose body has been read. It
 * keeps the platform's `source` and `response` fields, so that
 * `NodeHttpServerRequest.toIncomingMessage` and `toServerResponse` work on
 * it; the body's effects succeed at once, with no fiber run to cache them.
 */
class NodeRequest extends Inspectable.Class implements HttpServerRequest.HttpServerRequest {
  /** The parsed URL, once per request: see `urlOf`. */
  [parsedUrl]: URL | undefined = undefined
  readonly [HttpServerRequest.TypeId]: HttpServerRequest.TypeId = HttpServerRequest.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId

  constructor(
    readonly source: IncomingMessage,
    readonly response: ServerResponse,
    readonly body: Body,
    readonly url: string = source.url ?? "/",
    private readonly headersOverride?: Headers.Headers,
    private readonly remoteAddressOverride?: string
  ) {
    super()
  }

  get originalUrl(): string {
    return this.source.url ?? "/"
  }

  get method(): HttpMethod {
    return (this.source.method ?? "GET").toUpperCase() as HttpMethod
  }

  get headers(): Headers.Headers {
    return this.headersOverride ?? (this.source.headers as Headers.Headers)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.remoteAddressOverride ?? this.source.socket.remoteAddress)
  }

  get cookies(): Readonly<Record<string, string>> {
    return Cookies.parseHeader(this.headers.cookie ?? "")
  }

  private fail(description: string) {
    return new HttpServerError.RequestError({ request: this, reason: "Decode", description })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpServerError.RequestError> {
    const body = this.body
    return body._tag === "Read"
      ? Effect.succeed(new Uint8Array(body.bytes).buffer)
      : Effect.fail(this.fail(body._tag === "Unread" ? "the body is larger than the cap" : body.description))
  }

  private decoded: string | undefined = undefined

  /** The body as text, decoded once; `undefined` when it was not read (see `bodyRead`). */
  get [readBody](): string | undefined {
    return this.body._tag === "Read" ? (this.decoded ??= this.body.bytes.toString("utf8")) : undefined
  }

  get text(): Effect.Effect<string, HttpServerError.RequestError> {
    const text = this[readBody]
    const body = this.body
    return text !== undefined
      ? Effect.succeed(text)
      : Effect.fail(this.fail(body._tag === "Failed" ? body.description : "the body is larger than the cap"))
  }

  get json(): Effect.Effect<unknown, HttpServerError.RequestError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : JSON.parse(text) as unknown),
        catch: () => this.fail("malformed JSON")
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpServerError.RequestError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }

  get stream(): Stream.Stream<Uint8Array, HttpServerError.RequestError> {
    return Stream.fromEffect(Effect.map(this.arrayBuffer, (buffer) => new Uint8Array(buffer)))
  }

  private get bodyReadable(): Readable {
    return Readable.from(this.body._tag === "Read" ? [this.body.bytes] : [])
  }

  get multipart(): Effect.Effect<
    Multipart.Persisted,
    Multipart.MultipartError,
    Scope.Scope | FileSystem.FileSystem | Path.Path
  > {
    return NodeMultipart.persisted(this.bodyReadable, this.source.headers)
  }

  get multipartStream(): Stream.Stream<Multipart.Part, Multipart.MultipartError> {
    return NodeMultipart.stream(this.bodyReadable, this.source.headers)
  }

  get upgrade(): HttpServerRequest.HttpServerRequest["upgrade"] {
    return Effect.fail(this.fail("not an upgradeable request"))
  }

  modify(options: { readonly url?: string; readonly headers?: Headers.Headers; readonly remoteAddress?: string }) {
    return new NodeRequest(
      this.source,
      this.response,
      this.body,
      options.url ?? this.url,
      options.headers ?? this.headersOverride,
      options.remoteAddress ?? this.remoteAddressOverride
    )
  }

  override toString(): string {
    return `ServerRequest(${this.method} ${this.url})`
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpServerRequest",
      method: this.method,
      url: this.originalUrl
    })
  }
}

const empty = Buffer.alloc(0)

/**
 * Reads a body up to the cap, then calls `done` once. A body past the cap
 * stops being read and its connection is closed after the answer (the
 * client is still sending it).
 */
const readNodeBody = (request: IncomingMessage, response: ServerResponse, done: (body: Body) => void): void => {
  if (declaresTooLarge(request.headers)) return done({ _tag: "Unread" })
  // Without a length or a chunked encoding there is no body (RFC 9112 §6.3): nothing to wait for.
  const length = request.headers["content-length"]
  if ((length === undefined || length === "0") && request.headers["transfer-encoding"] === undefined) {
    return done({ _tag: "Read", bytes: empty })
  }
  const chunks: Array<Buffer> = []
  let size = 0
  let finished = false
  const finish = (body: Body) => {
    if (finished) return
    finished = true
    done(body)
  }
  request.on("data", (chunk: Buffer) => {
    size += chunk.length
    if (size <= maxBodyBytes) return void chunks.push(chunk)
    request.pause()
    response.shouldKeepAlive = false
    finish({ _tag: "Failed", description: "the body is larger than the cap" })
  })
  request.on("end", () =>
    finish({ _tag: "Read", bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) }))
  request.on("error", (error) => finish({ _tag: "Failed", description: error.message }))
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/** The response's headers with its cookies as `set-cookie`, as the platform writes them. */
const headersOf = (response: HttpServerResponse.HttpServerResponse): Record<string, string | Array<string>> => {
  if (Cookies.isEmpty(response.cookies)) return response.headers
  const toSet = Cookies.toSetCookieHeaders(response.cookies)
  const existing = response.headers["set-cookie"]
  if (existing !== undefined) toSet.push(existing)
  return { ...response.headers, "set-cookie": toSet }
}

/** Ends a response whose stream failed midway: the client sees it cut short. */
const abort = (res: ServerResponse) => (cause: Cause.Cause<unknown>) =>
  Effect.suspend(() => {
    if (!res.headersSent) res.writeHead(500)
    if (!res.writableEnded) res.end()
    return Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError("Emulator response failed", cause)
  })

/**
 * Streams a body, waiting for `drain` whenever the socket's buffer is full
 * (an SSE stream runs for as long as the client listens).
 */
const writeStream = (res: ServerResponse, stream: Stream.Stream<Uint8Array, unknown>) => {
  const drained = Effect.unsafeMakeLatch(true)
  res.on("drain", () => drained.unsafeOpen())
  return stream.pipe(
    Stream.runForEachChunk((chunk) => {
      let full = false
      for (const bytes of Chunk.toReadonlyArray(chunk)) full = !res.write(bytes)
      if (!full) return Effect.void
      drained.unsafeClose()
      return drained.await
    }),
    Effect.interruptible,
    Effect.matchCauseEffect({ onSuccess: () => Effect.sync(() => res.end()), onFailure: abort(res) })
  )
}

/**
 * Writes a response: status and headers at once, then the body with the
 * same `end`, the head and a whole body in one chunk (one write). A streamed
 * body is answered as the effect that writes it as it comes. Nothing is
 * written to a response that was already ended (a fault that cut the
 * connection).
 */
const writeResponse = (
  request: HttpServerRequest.HttpServerRequest,
  res: ServerResponse,
  response: HttpServerResponse.HttpServerResponse
): Effect.Effect<void> | undefined => {
  if (res.writableEnded || res.destroyed) return undefined
  res.writeHead(response.status, response.statusText, headersOf(response))
  const body = response.body
  if (request.method === "HEAD") return void res.end()
  switch (body._tag) {
    case "Empty":
      return void res.end()
    case "Uint8Array":
      // As latin1 text, byte for byte: Node then sends the head and the body as one chunk, in one write.
      return void res.end(Buffer.from(body.body.buffer, body.body.byteOffset, body.body.byteLength).toString("latin1"), "latin1")
    case "Raw": {
      const raw = body.body
      if (typeof raw === "object" && raw !== null && "pipe" in raw && typeof raw.pipe === "function") {
        return Effect.tryPromise((signal) => pipeline(raw as Readable, res, { signal, end: true })).pipe(
          Effect.interruptible,
          Effect.catchAllCause(abort(res))
        )
      }
      return void res.end(raw as string | Uint8Array)
    }
    case "FormData":
      return Effect.tryPromise(async (signal) => {
        const web = new Response(body.formData)
        for (const [name, value] of web.headers) res.setHeader(name, value)
        if (web.body === null) return void res.end()
        await pipeline(Readable.fromWeb(web.body as import("node:stream/web").ReadableStream), res, { signal, end: true })
      }).pipe(Effect.interruptible, Effect.catchAllCause(abort(res)))
    case "Stream":
      return writeStream(res, body.stream)
  }
}

/**
 * What is left when the app failed after all (it never fails; only a defect
 * in a finalizer could get here): a bare 500, and the cause logged. An
 * interruption (the client went away) writes nothing.
 */
const failed = (res: ServerResponse, cause: Cause.Cause<unknown>): Effect.Effect<void> | undefined => {
  if (Cause.isInterruptedOnly(cause)) return undefined
  if (!res.headersSent) res.writeHead(500)
  if (!res.writableEnded) res.end()
  return Effect.logError("Emulator request failed", cause)
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/**
 * Where to listen.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListenOptions {
  /** Default 0: a free port chosen by the system. */
  readonly port?: number
  /** Default `127.0.0.1`: the emulator is for this machine only unless told otherwise. */
  readonly host?: string
}

const formatHost = (host: string) => (host.includes(":") ? `[${host}]` : host)

/**
 * What a request's fiber starts with besides the server's services and the
 * request itself, worked out synchronously before the fiber starts: the
 * emulator puts there the request's scope, as the front of its dialect reads
 * it. Whatever the app would otherwise add to its context is then there from
 * the start, with no context change (an `Effect.provide`, several µs) per
 * request.
 *
 * @since 0.3.0
 * @category models
 */
export type ServicesOf<R> = (
  request: HttpServerRequest.HttpServerRequest,
  context: Context.Context<R | HttpServerRequest.HttpServerRequest>
) => Context.Context<R | HttpServerRequest.HttpServerRequest>

/**
 * The Node request listener running `app`: one fiber per request, started
 * once the body is read, with the request (and what `servicesOf` adds) in its
 * context from the start (no `provideService` per request). The response is written as soon as the
 * fiber ends; a streamed body gets a fiber of its own. Either fiber is
 * interrupted if the client goes away first. What {@link serve} installs;
 * exported for drivers that bring their own `node:http` server (the
 * emulator's micro benchmark).
 *
 * @since 0.3.0
 * @category servers
 */
export const listener = <R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest>,
  runtime: Runtime.Runtime<R>,
  servicesOf?: ServicesOf<R>
) => {
  const runFork = Runtime.runFork(runtime)
  return (source: IncomingMessage, res: ServerResponse): void =>
    readNodeBody(source, res, (body) => {
      const request = new NodeRequest(source, res, body)
      const withRequest = Context.add(runtime.context, HttpServerRequest.HttpServerRequest, request)
      const context = servicesOf === undefined ? withRequest : servicesOf(request, withRequest)
      const main = Runtime.runFork(
        Runtime.make({ context, fiberRefs: runtime.fiberRefs, runtimeFlags: runtime.runtimeFlags }),
        app
      )
      let fiber: Fiber.RuntimeFiber<unknown> = main
      main.addObserver((exit) => {
        const rest = Exit.isSuccess(exit) ? writeResponse(request, res, exit.value) : failed(res, exit.cause)
        if (rest !== undefined) fiber = runFork(rest)
      })
      res.on("close", () => {
        if (!res.writableEnded) fiber.unsafeInterruptAsFork(HttpServerError.clientAbortFiberId)
      })
    })
}

/** Closes the server; keep-alive connections that are idle are closed with it. */
const close = (server: Server) =>
  Effect.async<void>((resume) => {
    if (!server.listening) return resume(Effect.void)
    server.close(() => resume(Effect.void))
  })

const listen = (server: Server, port: number, host: string) =>
  Effect.async<void, HttpServerError.ServeError>((resume) => {
    const onError = (cause: unknown) => resume(Effect.fail(new HttpServerError.ServeError({ cause })))
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      resume(Effect.void)
    })
  })

/**
 * Starts the server of `app` for the life of the scope and answers its base
 * URL (`http://127.0.0.1:51234`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = <R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest>,
  options: ListenOptions = {},
  servicesOf?: ServicesOf<R>
): Effect.Effect<
  string,
  HttpServerError.ServeError,
  Scope.Scope | Exclude<R, HttpServerRequest.HttpServerRequest>
> =>
  Effect.gen(function*() {
    const host = options.host ?? "127.0.0.1"
    const runtime = yield* Effect.runtime<Exclude<R, HttpServerRequest.HttpServerRequest>>()
    const handler = listener(app, runtime as Runtime.Runtime<R>, servicesOf)
    const server = yield* Effect.acquireRelease(Effect.sync(() => createServer(handler)), close)
    yield* listen(server, options.port ?? 0, host)
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : options.port ?? 0
    return `http://${formatHost(host)}:${port}`
  })
