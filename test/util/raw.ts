/**
 * Raw HTTP requests to the emulator with node:http, for the tests that send
 * what `fetch` refuses or rewrites: a GET with a body (as some old clients
 * send), a chunked body, any header, no key at all.
 */
import { Effect } from "effect"
import { request as httpRequest } from "node:http"

export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly text: string
  /** The body parsed as JSON, or `undefined` when it is not JSON (the test then looks at `text`). */
  readonly json: any
}

export interface RawRequest {
  readonly method?: string
  readonly headers?: Record<string, string>
  /** Sent as is, on any method. */
  readonly body?: string | Buffer
  /** The `X-Authy-API-Key` header (default `k1`); `null`: no key at all. */
  readonly key?: string | null
  /** Send the body chunked, without a Content-Length. */
  readonly chunked?: boolean
}

/** An answer, or the code of the transport error (the server closed the connection, say). */
export type RawOutcome = RawResponse | { readonly error: string }

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** One request; a transport error is a value. */
export const rawOutcome = (url: string, path: string, options: RawRequest = {}): Effect.Effect<RawOutcome> =>
  Effect.async<RawOutcome>((resume) => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.key !== null) headers["x-authy-api-key"] = options.key ?? "k1"
    if (options.body !== undefined && options.chunked !== true) {
      headers["content-length"] = String(Buffer.byteLength(options.body))
    }
    const req = httpRequest(new URL(path, url), { method: options.method ?? "GET", headers }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => (text += chunk))
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) })))
    })
    req.on("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed({ error: error.code ?? error.message })))
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })

/** One request that must be answered: a transport error is a defect of the test. */
export const raw = (url: string, path: string, options: RawRequest = {}): Effect.Effect<RawResponse> =>
  Effect.flatMap(rawOutcome(url, path, options), (outcome) =>
    "error" in outcome ? Effect.dieMessage(`no answer: ${outcome.error}`) : Effect.succeed(outcome))
