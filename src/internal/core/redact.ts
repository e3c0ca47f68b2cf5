/**
 * Keeping secrets out of messages. Authy's own error messages can quote a full
 * phone number ("No pending verifications for +1 201-555-0123 found."), and a
 * gateway or WAF page can quote the whole request back, key header included:
 * everything kept of an answer goes through a {@link Scrubber} first.
 *
 * @internal
 */

const placeholder = "[redacted]"

/** Phone numbers and token-like digit runs: 6 or more digits, possibly separated. */
const digitRun = /\+?\d(?:[\d\s().-]{4,}\d)/g

/**
 * What may stand between the digits of a number quoted back: the separators
 * people write, and their URL encodings (`%20`, `%28`, `%2B`, `%2D`…).
 */
const digitSeparator = String.raw`(?:[\s().+\-]|%2[0-9a-f])*`

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")

/**
 * The forms in which a secret of any characters can come back: as sent, URL-
 * and form-encoded (a quoted query or body), JSON- and HTML-escaped (a quoted
 * body or a page). Percent-encodings are matched case-insensitively.
 */
const encodings = (secret: string): ReadonlyArray<string> => {
  const json = JSON.stringify(secret).slice(1, -1)
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    json,
    json.replace(/\//g, "\\/"),
    secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")
  ]
}

/**
 * A pattern for one secret. A secret of digits (a code, a phone number, with
 * or without separators) matches its digits with any separators between
 * them, so that `201-555-0123` is found as `2015550123` or `(201) 555 0123`.
 */
const patternOf = (secret: string): string => {
  const digits = secret.replace(/\D/g, "")
  if (digits.length > 0 && /^[\d\s().+-]+$/.test(secret)) return digits.split("").join(digitSeparator)
  return [...new Set(encodings(secret))].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|")
}

/**
 * Scrubs one piece of text.
 *
 * @internal
 */
export type Scrubber = (text: string) => string

/**
 * Removes phone-like digit runs of 6 digits or more: what is left of the
 * numbers and tokens a text quotes after the known secrets are gone.
 *
 * @internal
 */
export const scrubDigitRuns: Scrubber = (text) =>
  text.replace(digitRun, (run) => (run.replace(/\D/g, "").length >= 6 ? placeholder : run))

/**
 * A scrubber that removes every given secret exactly, whatever its length,
 * in each form it can be quoted in, then any digit run of 6 or more digits.
 *
 * @internal
 */
export const make = (secrets: ReadonlyArray<string>): Scrubber => {
  const patterns = secrets.filter((secret) => secret !== "").map(patternOf)
  if (patterns.length === 0) return scrubDigitRuns
  const known = new RegExp(patterns.join("|"), "gi")
  return (text) => scrubDigitRuns(text.replace(known, placeholder))
}

/**
 * A short excerpt of `text` on one line. Scrubbed before the whitespace is
 * folded (a secret quoted across lines) and after (a secret split by it).
 *
 * @internal
 */
export const excerpt = (text: string, scrub: Scrubber, max = 120): string => {
  const flat = scrub(scrub(text).replace(/\s+/g, " ").trim())
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}
