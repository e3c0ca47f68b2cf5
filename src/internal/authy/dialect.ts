/**
 * Authy's wire, as the shared executor sees it (`../core/http.ts`): the key
 * in `X-Authy-API-Key`, JSON bodies, `error_code` and `errors` in error
 * bodies, and 2xx answers that say `success: false`.
 *
 * @internal
 */
import { Predicate, Redacted } from "effect"
import type { Dialect, ErrorFields } from "../core/http.js"
import type { Scrubber } from "../core/redact.js"

/** @internal */
export const defaultApiUrl = "https://api.authy.com"

/** @internal */
export const keyHeader = "x-authy-api-key"

/**
 * Wire parameters whose values are secret: one-time codes, phone numbers and
 * e-mail addresses (`users/new`, `users/{authy_id}/update`), path parameters
 * (`{token}`) included.
 *
 * @internal
 */
export const secretParameters: ReadonlySet<string> = new Set([
  "token",
  "cellphone",
  "phone_number",
  "verification_code",
  "custom_code",
  "email"
])

/** Field errors, without the `message` entry that repeats the top-level message. */
const fieldErrors = (errors: unknown, scrub: Scrubber): Record<string, string> => {
  const out: Record<string, string> = {}
  if (!Predicate.isRecord(errors)) return out
  for (const [field, value] of Object.entries(errors)) {
    if (field !== "message" && value !== null && value !== undefined) out[scrub(field)] = scrub(String(value))
  }
  return out
}

const readError = (status: number, body: unknown, scrub: Scrubber): ErrorFields => {
  const record = Predicate.isRecord(body) ? body : {}
  // Every string of the body is the server's and may quote the request: the code too.
  const errorCode = typeof record.error_code === "string" || typeof record.error_code === "number"
    ? scrub(String(record.error_code))
    : undefined
  return {
    errorCode,
    message: typeof record.message === "string" ? scrub(record.message) : `HTTP ${status}`,
    errors: fieldErrors(record.errors, scrub)
  }
}

/** @internal */
export const make = (apiKey: Redacted.Redacted<string>): Dialect => ({
  service: "Authy",
  displayName: "Authy",
  attributePrefix: "authy",
  defaultUrl: defaultApiUrl,
  authHeaders: { [keyHeader]: Redacted.value(apiKey) },
  credentials: [Redacted.value(apiKey)],
  body: "json",
  secretParameters,
  readError,
  isUnsuccessful: (body) => Predicate.isRecord(body) && (body.success === false || body.success === "false"),
  // Authy's 429 always means "not processed, try later".
  mayRetry: () => true
})
