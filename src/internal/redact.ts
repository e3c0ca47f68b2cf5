/**
 * Keeping secrets out of messages. Authy's own error messages can quote a full
 * phone number ("No pending verifications for +1 201-555-0123 found."), and a
 * body excerpt could quote a token: both are scrubbed before they are kept.
 *
 * @internal
 */

/** Phone numbers and token-like digit runs: 6 or more digits, possibly separated. */
const digitRun = /\+?\d(?:[\d\s().-]{4,}\d)/g

/** @internal */
export const scrub = (text: string): string =>
  text.replace(digitRun, (run) => (run.replace(/\D/g, "").length >= 6 ? "[redacted]" : run))

/** @internal */
export const excerpt = (text: string, max = 120): string => {
  const flat = scrub(text.replace(/\s+/g, " ").trim())
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}
