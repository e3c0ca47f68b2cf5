/**
 * Random values the emulator hands out: codes, ids. All from node:crypto, so
 * tests cannot come to rely on a predictable sequence.
 *
 * @since 0.1.0
 */
import { randomBytes, randomInt, randomUUID } from "node:crypto"

/**
 * `length` random decimal digits (leading zeros allowed, as on a phone).
 *
 * @since 0.1.0
 * @category random
 */
export const digits = (length: number): string => {
  let out = ""
  for (let i = 0; i < length; i++) out += String(randomInt(10))
  return out
}

/**
 * A random version-4 UUID.
 *
 * @since 0.1.0
 * @category random
 */
export const uuid = (): string => randomUUID()

/**
 * A 24-hex-digit id, the shape of the MongoDB ids in OneTouch records.
 *
 * @since 0.1.0
 * @category random
 */
export const objectId = (): string => {
  if (poolOffset + objectIdBytes > pool.length) {
    pool = randomBytes(pool.length)
    poolOffset = 0
  }
  poolOffset += objectIdBytes
  return pool.toString("hex", poolOffset - objectIdBytes, poolOffset)
}

/**
 * Random bytes drawn ahead, 128 ids at a time (as `randomUUID` caches its
 * own): one `randomBytes` call per id cost more than the rest of creating an
 * approval request. Each byte is handed out once.
 */
const objectIdBytes = 12
let pool = Buffer.alloc(objectIdBytes * 128)
let poolOffset = pool.length
