/**
 * What the core needs to know of an API's wire format to answer in it: how a
 * success and an error look. The server, the faults and the control plumbing
 * write every answer through a `Dialect`, so that an Authy client only ever
 * reads Authy bodies and a Twilio client only Twilio bodies, whatever went
 * wrong.
 *
 * @since 0.2.0
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/**
 * One answer: an HTTP status and the exact body text (JSON).
 *
 * @since 0.2.0
 * @category models
 */
export interface Reply {
  readonly status: number
  readonly body: string
}

/**
 * A reply from a body written out by hand (key order as given).
 *
 * @since 0.2.0
 * @category constructors
 */
export const json = (status: number, body: unknown): Reply => ({ status, body: JSON.stringify(body) })

/**
 * Writes a reply: JSON, `application/json; charset=utf-8` (what both Authy
 * and Twilio send); a 204 has no body at all.
 *
 * @since 0.2.0
 * @category responses
 */
export const respond = (reply: Reply): HttpServerResponse.HttpServerResponse =>
  reply.status === 204
    ? HttpServerResponse.empty({ status: 204 })
    : HttpServerResponse.text(reply.body, { status: reply.status, contentType: "application/json; charset=utf-8" })

/**
 * An API's answers, as far as the core writes them.
 *
 * @since 0.2.0
 * @category models
 */
export interface Dialect {
  /** `authy` or `twilio`: also how a control route tells whose tenant it serves. */
  readonly name: "authy" | "twilio"
  /** A 200 control answer. */
  readonly ok: (body: Readonly<Record<string, unknown>>) => Reply
  /**
   * An error body with this status; `code` is the API's error code as text
   * (the dialect's generic code for the status when absent or unusable).
   */
  readonly error: (status: number, code: string | undefined, message: string) => Reply
  /** 400: a parameter is present but unusable. */
  readonly invalidParameter: (name: string, reason: string) => Reply
  /** 400: a required parameter is missing. */
  readonly missingParameter: (name: string) => Reply
  /** 400: the request could not be read (malformed body, past the parser's limits). */
  readonly badRequest: (reason: string) => Reply
  /** 413: the body is larger than the server reads. */
  readonly tooLarge: (reason: string) => Reply
  /** 401: the credentials name no tenant of the emulator. */
  readonly unauthorized: Reply
  /** 404: a path the API does not serve (the path only, never the query). */
  readonly notFound: (method: string, path: string) => Reply
  /** 429: too many requests, retry later (the rate-limit fault). */
  readonly rateLimited: Reply
}
