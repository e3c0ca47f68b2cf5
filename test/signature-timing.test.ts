/**
 * The signature compare is constant-time: it goes through
 * `crypto.timingSafeEqual`, on two digests of equal length, and its answer is
 * the one `timingSafeEqual` gives. A plain `===` (or a compare that calls
 * `timingSafeEqual` and ignores it) fails here.
 *
 * `node:crypto` is mocked for this file only, with the real implementation
 * behind a spy, so every other signature test runs on the real module.
 */
import * as crypto from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { afterEach, vi } from "vitest"
import { computeSignature, validateSignature } from "../src/internal/authy/signature.js"

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>()
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) }
})

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual)

const input = {
  apiKey: "foobar123",
  nonce: "1427849783.886085",
  method: "POST",
  url: "https://api.authy.com/dashboard/json/application/webhooks",
  params: { b: "val|ue&2", a: "value1" }
}
const good = computeSignature(input)

// Back to the real implementation (behind the spy) after each test.
afterEach(() => {
  timingSafeEqual.mockReset()
})

/** The buffers of the single `timingSafeEqual` call made while running `f`. */
const compared = (f: () => boolean) => {
  timingSafeEqual.mockClear()
  const result = f()
  expect(timingSafeEqual).toHaveBeenCalledTimes(1)
  const [a, b] = timingSafeEqual.mock.calls[0] ?? []
  return { result, a: a as Uint8Array, b: b as Uint8Array }
}

describe("validateSignature compares in constant time", () => {
  it("goes through crypto.timingSafeEqual on equal-length digests, for a match and a mismatch alike", () => {
    for (const signature of [good, good.replace(/^./, good.startsWith("A") ? "B" : "A"), "short", good + good, ""]) {
      const { a, b, result } = compared(() => validateSignature({ ...input, signature }))
      expect(result).toBe(signature === good)
      expect(a).toBeInstanceOf(Uint8Array)
      expect(b).toBeInstanceOf(Uint8Array)
      // Equal length whatever the length of the header: nothing leaks through an early length check.
      expect(a.length).toBe(b.length)
      expect(a.length).toBeGreaterThanOrEqual(32)
    }
  })

  it("answers what timingSafeEqual answers, not another compare", () => {
    timingSafeEqual.mockImplementation(() => false)
    expect(compared(() => validateSignature({ ...input, signature: good })).result).toBe(false)
    timingSafeEqual.mockImplementation(() => true)
    expect(compared(() => validateSignature({ ...input, signature: "forged" })).result).toBe(true)
  })
})
