/**
 * Time-based one-time passwords (RFC 6238): HMAC over a counter of time
 * steps, truncated to a number of digits. The defaults are the Authy app's
 * (SHA-1, 30 seconds, 7 digits); Verify TOTP factors pass their own step,
 * length and algorithm. Secrets travel in base32 (RFC 4648, no padding), the
 * form authenticator apps take.
 *
 * @since 0.1.0
 */
import { createHmac, randomBytes } from "node:crypto"

/**
 * The step of Authy app codes, in seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const stepSeconds = 30

/**
 * The length of Authy app codes.
 *
 * @since 0.1.0
 * @category constants
 */
export const authyDigits = 7

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

/**
 * Encodes bytes as unpadded base32 (RFC 4648).
 *
 * @since 0.1.0
 * @category encoding
 */
export const base32Encode = (bytes: Uint8Array): string => {
  let out = ""
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31]
  return out
}

/**
 * Decodes base32, ignoring case, spaces and padding. Throws on a character
 * outside the alphabet: a secret is emulator-made, so a bad one is a bug.
 *
 * @since 0.1.0
 * @category encoding
 */
export const base32Decode = (text: string): Uint8Array => {
  const clean = text.toUpperCase().replace(/[\s=]/g, "")
  const out: Array<number> = []
  let buffer = 0
  let bits = 0
  for (const char of clean) {
    const value = alphabet.indexOf(char)
    if (value === -1) throw new Error("Invalid base32 character")
    buffer = ((buffer << 5) | value) & 0xffff
    bits += 5
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Uint8Array.from(out)
}

/**
 * A fresh random secret: 20 bytes (the HMAC-SHA1 block RFC 4226 recommends), base32.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateSecret = (): string => base32Encode(randomBytes(20))

/**
 * The HMAC algorithms of RFC 6238 (Verify's `Config.Alg`).
 *
 * @since 0.2.0
 * @category models
 */
export type Algorithm = "sha1" | "sha256" | "sha512"

/**
 * HOTP (RFC 4226) of a raw key at a counter.
 *
 * @since 0.1.0
 * @category codes
 */
export const hotp = (key: Uint8Array, counter: number, digits: number = authyDigits, alg: Algorithm = "sha1"): string => {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac(alg, key).update(message).digest()
  const offset = mac[mac.length - 1]! & 0x0f
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits
  return binary.toString().padStart(digits, "0")
}

/**
 * The shape of a TOTP code: its length, its time step and its HMAC.
 *
 * @since 0.2.0
 * @category models
 */
export interface Config {
  readonly digits: number
  readonly stepSeconds: number
  readonly alg: Algorithm
}

/**
 * The Authy app's codes: 7 digits, 30 seconds, SHA-1.
 *
 * @since 0.2.0
 * @category constants
 */
export const authyConfig: Config = { digits: authyDigits, stepSeconds, alg: "sha1" }

/**
 * The counter of a Unix time in milliseconds, in steps of `step` seconds
 * (30 by default).
 *
 * @since 0.1.0
 * @category codes
 */
export const counterAt = (millis: number, step: number = stepSeconds): number => Math.floor(millis / 1000 / step)

/**
 * The TOTP code of a base32 secret at a time (Unix milliseconds).
 *
 * @since 0.1.0
 * @category codes
 */
export const totp = (
  secret: string,
  millis: number,
  digits: number = authyDigits,
  config: Omit<Config, "digits"> = authyConfig
): string => hotp(base32Decode(secret), counterAt(millis, config.stepSeconds), digits, config.alg)

/**
 * The counter at which `code` is valid for `secret`, looking `window` steps
 * either side of `millis` (clock drift between phone and server; Verify's
 * `skew`), or `undefined`.
 *
 * @since 0.1.0
 * @category codes
 */
export const matchingCounter = (
  secret: string,
  code: string,
  millis: number,
  window = 1,
  config: Config = authyConfig
): number | undefined => {
  if (code.length !== config.digits) return undefined
  const key = base32Decode(secret)
  const now = counterAt(millis, config.stepSeconds)
  for (let counter = now - window; counter <= now + window; counter++) {
    if (counter >= 0 && hotp(key, counter, config.digits, config.alg) === code) return counter
  }
  return undefined
}

/**
 * The `otpauth://` URI authenticator apps scan (Key URI Format): issuer and
 * account name, the base32 secret, and the code's algorithm, length and step.
 *
 * @since 0.3.0
 * @category encoding
 */
export const otpauthUri = (issuer: string, name: string, secret: string, config: Config): string =>
  `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(name)}?secret=${secret}` +
  `&issuer=${encodeURIComponent(issuer)}&algorithm=${config.alg.toUpperCase()}&digits=${config.digits}` +
  `&period=${config.stepSeconds}`
