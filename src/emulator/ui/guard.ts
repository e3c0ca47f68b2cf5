/**
 * Who may talk to the emulator, by the `Host` they addressed and, for the
 * web inbox's actions, the page that sent them.
 *
 * - DNS rebinding: a hostile page whose name is made to resolve to 127.0.0.1
 *   reaches the emulator with its own name in `Host`; answering only to a
 *   loopback name or the configured host shuts it out.
 * - Cross-site requests: a form on another site can POST to
 *   `http://127.0.0.1:4010`; the inbox's actions want JSON from a page of
 *   the same origin (`Origin`, `Sec-Fetch-Site`), which such a form never is.
 *
 * @since 0.3.0
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { firstHeader } from "../core/request.js"

const loopback: ReadonlyArray<string> = ["localhost", "127.0.0.1", "[::1]"]

/** A bind address that means "every interface": the operator chose to expose the emulator. */
const wildcards: ReadonlyArray<string> = ["0.0.0.0", "[::]", "[::0]"]

/** The host name as written in a URL: IPv6 in brackets, lower case. */
const normal = (host: string): string => {
  const lower = host.trim().toLowerCase()
  return lower.includes(":") && !lower.startsWith("[") ? `[${lower}]` : lower
}

/**
 * The host name of a `Host` header, without its port (`[::1]` keeps its
 * brackets), or `undefined` when it is not one.
 *
 * @since 0.3.0
 * @category hosts
 */
export const hostnameOf = (header: string): string | undefined => {
  const value = header.trim().toLowerCase()
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(value)
  return match === null ? undefined : match[1]!.replace(/\.$/, "")
}

/**
 * Whether the configured bind address is a wildcard (`0.0.0.0`, `::`): the
 * API then answers to any `Host` (containers call it by a service name),
 * the inbox still only to a loopback name.
 *
 * @since 0.3.0
 * @category hosts
 */
export const isWildcard = (configured: string): boolean => wildcards.includes(normal(configured))

/**
 * Whether a `Host` header names this emulator: `localhost`, `127.0.0.1`,
 * `[::1]` (any port) or the configured host; any name at all for the API
 * (`wildcardOk`) when bound to every interface.
 *
 * @since 0.3.0
 * @category hosts
 */
export const allowedHost = (header: string | undefined, configured: string, wildcardOk: boolean): boolean => {
  if (header === undefined) return false
  const name = hostnameOf(header)
  if (name === undefined) return false
  if (loopback.includes(name)) return true
  if (isWildcard(configured)) return wildcardOk
  return name === normal(configured)
}

/**
 * Whether a state-changing request of the inbox comes from one of its own
 * pages: JSON (a cross-site form cannot send it without a preflight the
 * emulator never grants), `Sec-Fetch-Site: same-origin` when the browser
 * says, and an `Origin` naming the very host addressed when it sends one.
 * A request with neither header comes from no browser (curl, a test), which
 * no other site can make.
 *
 * @since 0.3.0
 * @category origins
 */
export const sameOrigin = (request: HttpServerRequest.HttpServerRequest): boolean => {
  const contentType = firstHeader(request.headers["content-type"])?.toLowerCase() ?? ""
  if (!contentType.startsWith("application/json")) return false
  const site = firstHeader(request.headers["sec-fetch-site"])
  if (site !== undefined && site !== "same-origin") return false
  const origin = firstHeader(request.headers.origin)
  if (origin === undefined) return true
  const host = firstHeader(request.headers.host)
  return host !== undefined && origin.toLowerCase() === `http://${host.toLowerCase()}`
}
