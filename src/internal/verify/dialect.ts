/**
 * Twilio's wire, as the shared executor sees it (`../core/http.ts`): HTTP
 * Basic credentials (account SID and auth token, or API key SID and secret),
 * form-encoded bodies, and the error body `{code, message, more_info,
 * status}`. Verify and Lookup speak it alike; only their base URLs differ.
 *
 * @internal
 */
import { Predicate, Redacted } from "effect"
import type { ApiError, ServiceName } from "../../AuthyError.js"
import type { Dialect, ErrorFields } from "../core/http.js"
import type { Scrubber } from "../core/redact.js"

/** @internal */
export const defaultVerifyUrl = "https://verify.twilio.com"

/** @internal */
export const defaultLookupUrl = "https://lookups.twilio.com"

/**
 * Wire parameters whose values are secret: codes, phone numbers and
 * addresses, TOTP seeds, path parameters (`{PhoneNumber}`) included.
 *
 * @internal
 */
export const secretParameters: ReadonlySet<string> = new Set([
  "To",
  "Code",
  "CustomCode",
  "AuthPayload",
  "Binding.Secret",
  "PhoneNumber",
  "SendDigits"
])

/**
 * The Basic credentials: a user (`AC…` or `SK…`) and its password.
 *
 * @internal
 */
export interface Credentials {
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

const readError = (status: number, body: unknown, scrub: Scrubber): ErrorFields => {
  const record = Predicate.isRecord(body) ? body : {}
  // Every string of the body is the server's and may quote the request: the code too.
  const code = typeof record.code === "number" || typeof record.code === "string" ? scrub(String(record.code)) : undefined
  const errors: Record<string, string> = {}
  if (Predicate.isRecord(record.details)) {
    for (const [key, value] of Object.entries(record.details)) {
      if (value !== null && value !== undefined) errors[scrub(key)] = scrub(typeof value === "string" ? value : JSON.stringify(value))
    }
  }
  return {
    errorCode: code,
    message: typeof record.message === "string" ? scrub(record.message) : `HTTP ${status}`,
    errors,
    moreInfo: typeof record.more_info === "string" ? scrub(record.more_info) : undefined
  }
}

/**
 * Twilio's 429 bodies say why. 20429 (too many concurrent requests) was
 * "never processed and is always safe to retry"; the others — 60202 (check
 * attempts), 60203 (send attempts), 60212 (too many verifications for one
 * number) — are final answers about this verification, and a retry would only
 * count against the same limit.
 *
 * @internal
 */
export const mayRetry = (error: ApiError): boolean =>
  error.status !== 429 || error.errorCode === undefined || error.errorCode === "20429"

/** @internal */
export const make = (service: ServiceName, credentials: Credentials): Dialect => {
  const password = Redacted.value(credentials.password)
  const basic = Buffer.from(`${credentials.username}:${password}`, "utf8").toString("base64")
  return {
    service,
    displayName: `Twilio ${service}`,
    attributePrefix: service === "Lookup" ? "lookup" : "verify",
    defaultUrl: service === "Lookup" ? defaultLookupUrl : defaultVerifyUrl,
    authHeaders: { authorization: `Basic ${basic}` },
    // A gateway that quotes the request quotes the header's value.
    credentials: [password, basic],
    body: "form",
    secretParameters,
    readError,
    isUnsuccessful: () => false,
    mayRetry
  }
}
