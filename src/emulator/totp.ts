/**
 * Time-based one-time passwords (RFC 6238) as the Authy app computes them:
 * HMAC-SHA1 over a 30-second counter, truncated to 7 digits. Secrets travel
 * in base32 (RFC 4648, no padding), the form authenticator apps take.
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
 * HOTP (RFC 4226) of a raw key at a counter.
 *
 * @since 0.1.0
 * @category codes
 */
export const hotp = (key: Uint8Array, counter: number, digits: number = authyDigits): string => {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac("sha1", key).update(message).digest()
  const offset = mac[mac.length - 1]! & 0x0f
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits
  return binary.toString().padStart(digits, "0")
}

/**
 * The 30-second counter of a Unix time in milliseconds.
 *
 * @since 0.1.0
 * @category codes
 */
export const counterAt = (millis: number): number => Math.floor(millis / 1000 / stepSeconds)

/**
 * The TOTP code of a base32 secret at a time (Unix milliseconds).
 *
 * @since 0.1.0
 * @category codes
 */
export const totp = (secret: string, millis: number, digits: number = authyDigits): string =>
  hotp(base32Decode(secret), counterAt(millis), digits)

/**
 * The counter at which `code` is valid for `secret`, looking one step either
 * side of `millis` (clock drift between phone and server), or `undefined`.
 *
 * @since 0.1.0
 * @category codes
 */
export const matchingCounter = (secret: string, code: string, millis: number, window = 1): number | undefined => {
  if (code.length !== authyDigits) return undefined
  const key = base32Decode(secret)
  const now = counterAt(millis)
  for (let counter = now - window; counter <= now + window; counter++) {
    if (counter >= 0 && hotp(key, counter) === code) return counter
  }
  return undefined
}
