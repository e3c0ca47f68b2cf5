/**
 * The Twilio request signature (`X-Twilio-Signature`, verify-api.md §6), as
 * pure functions: base64 HMAC-SHA1, keyed with the account's auth token, of
 * the full URL followed by each POST parameter's name and value, names in
 * code-unit order (an array: its distinct values sorted). A JSON body is
 * signed through its SHA-256, carried in the URL's `bodySHA256` parameter.
 *
 * @internal
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto"

/** @internal */
export type Params = Readonly<Record<string, string | ReadonlyArray<string>>>

/**
 * The string Twilio signs.
 *
 * @internal
 */
export const signedString = (url: string, params: Params): string => {
  let data = url
  for (const name of Object.keys(params).sort()) {
    const value = params[name]
    if (typeof value === "string") data += name + value
    else if (value !== undefined) for (const item of [...new Set(value)].sort()) data += name + item
  }
  return data
}

/**
 * `X-Twilio-Signature` for a request.
 *
 * @internal
 */
export const compute = (authToken: string, url: string, params: Params): string =>
  createHmac("sha1", authToken).update(Buffer.from(signedString(url, params), "utf8")).digest("base64")

const digest = (text: string) => createHash("sha256").update(Buffer.from(text, "utf8")).digest()

/**
 * Constant-time comparison of two strings: their SHA-256 digests, of equal
 * length whatever the header's length, go through `timingSafeEqual`, and its
 * answer is the answer.
 *
 * @internal
 */
export const safeEqual = (expected: string, given: string): boolean => timingSafeEqual(digest(expected), digest(given))

/**
 * The URLs a signature may have been made over. Twilio's own validators try
 * the URL with and without its default port (`:443`, `:80`), as "signature
 * generation on the back end is inconsistent".
 *
 * @internal
 */
export const urlVariants = (url: string): ReadonlyArray<string> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return [url]
  }
  const defaultPort = parsed.protocol === "https:" ? "443" : parsed.protocol === "http:" ? "80" : undefined
  if (defaultPort === undefined || (parsed.port !== "" && parsed.port !== defaultPort)) return [url]
  const auth = parsed.username === "" ? "" : `${parsed.username}${parsed.password === "" ? "" : `:${parsed.password}`}@`
  const rest = `${parsed.pathname}${parsed.search}${parsed.hash}`
  const without = `${parsed.protocol}//${auth}${parsed.hostname}${rest}`
  const withPort = `${parsed.protocol}//${auth}${parsed.hostname}:${defaultPort}${rest}`
  return [...new Set([url, without, withPort])]
}

/**
 * Whether `signature` was made with `authToken` over this URL (any of its
 * variants) and these parameters.
 *
 * @internal
 */
export const validate = (authToken: string, url: string, params: Params, signature: string): boolean => {
  let valid = false
  // Every variant is computed and compared, valid or not: no early exit.
  for (const variant of urlVariants(url)) valid = safeEqual(compute(authToken, variant, params), signature) || valid
  return valid
}

/**
 * The hex SHA-256 of a raw body, as Twilio puts it in `bodySHA256`.
 *
 * @internal
 */
export const bodyHash = (body: string): string => createHash("sha256").update(Buffer.from(body, "utf8")).digest("hex")

/**
 * Whether a JSON body is the one the URL's `bodySHA256` names.
 *
 * @internal
 */
export const validateBody = (body: string, bodySHA256: string): boolean =>
  safeEqual(bodyHash(body), bodySHA256.toLowerCase())
