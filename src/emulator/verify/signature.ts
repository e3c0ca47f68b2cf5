/**
 * Twilio's request signature (`X-Twilio-Signature`, verify-api.md §6), as
 * the emulator signs the webhooks it sends: base64 of HMAC-SHA1, keyed with
 * the account's auth token, over the full URL followed by each form
 * parameter's name and value, names sorted (JavaScript's default order).
 *
 * Written here for the emulator; the client's verifier has its own copy in
 * src/ until the two share one core module.
 *
 * @since 0.2.0
 */
import { createHmac } from "node:crypto"

/**
 * The string Twilio signs: the URL, then `name + value` for each parameter
 * in sorted name order (an array value: its distinct values, sorted).
 *
 * @since 0.2.0
 * @category signing
 */
export const signedString = (url: string, params: Readonly<Record<string, string | ReadonlyArray<string>>>): string =>
  Object.keys(params)
    .sort()
    .reduce((out, name) => {
      const value = params[name]!
      const values = typeof value === "string" ? [value] : [...new Set(value)].sort()
      return out + values.map((v) => name + v).join("")
    }, url)

/**
 * `X-Twilio-Signature` of a form-encoded request to `url`.
 *
 * @since 0.2.0
 * @category signing
 */
export const sign = (
  authToken: string,
  url: string,
  params: Readonly<Record<string, string | ReadonlyArray<string>>>
): string => createHmac("sha1", Buffer.from(authToken, "utf8")).update(Buffer.from(signedString(url, params), "utf8")).digest("base64")
