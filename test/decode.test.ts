/**
 * The compiled answer decoder (src/internal/core/decode.ts) must give what
 * `Schema.decodeUnknownEither` gives, for every response Schema: the same
 * class, the same fields in the same order on success, a failure whenever
 * Schema fails. Checked on bodies generated from each Schema's wire side, on
 * the same bodies damaged field by field, and on arbitrary JSON.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { decoder, isCompiled } from "../src/internal/core/decode.js"
import * as Responses from "../src/Responses.js"

const schemas: ReadonlyArray<readonly [string, Schema.Schema<unknown, unknown, never>]> = [
  ["CreateUserResponse", Responses.CreateUserResponse],
  ["TokenRequestResponse", Responses.TokenRequestResponse],
  ["VerifyTokenResponse", Responses.VerifyTokenResponse],
  ["UserStatusResponse", Responses.UserStatusResponse],
  ["MessageResponse", Responses.MessageResponse],
  ["EmailTokenResponse", Responses.EmailTokenResponse],
  ["RegistrationStatusResponse", Responses.RegistrationStatusResponse],
  ["QrCodeResponse", Responses.QrCodeResponse],
  ["AppDetailsResponse", Responses.AppDetailsResponse],
  ["AppStatsResponse", Responses.AppStatsResponse],
  ["StartVerificationResponse", Responses.StartVerificationResponse],
  ["PhoneInfoResponse", Responses.PhoneInfoResponse],
  ["SendApprovalResponse", Responses.SendApprovalResponse],
  ["ApprovalStatusResponse", Responses.ApprovalStatusResponse]
] as Array<readonly [string, Schema.Schema<unknown, unknown, never>]>

/** Success: same class and same own fields, in the same order; failure: both fail. */
const expectSame = (schema: Schema.Schema<unknown, unknown, never>, input: unknown) => {
  const slow = Schema.decodeUnknownEither(schema)(input)
  const fast = decoder(schema)(input)
  if (Either.isLeft(slow)) {
    expect(Either.isLeft(fast)).toBe(true)
    return
  }
  expect(Either.isRight(fast)).toBe(true)
  const a = (fast as Either.Right<unknown, unknown>).right
  expect(a).toStrictEqual(slow.right)
  expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(slow.right))
  expect(JSON.stringify(a)).toBe(JSON.stringify(slow.right))
}

/** The input with one value anywhere in it replaced (or removed when `replacement` is undefined). */
const damaged = (input: unknown, path: ReadonlyArray<number>, replacement: unknown): unknown => {
  if (typeof input !== "object" || input === null || path.length === 0) return replacement
  const keys = Object.keys(input)
  if (keys.length === 0) return input
  const key = keys[path[0]! % keys.length]!
  const copy: Record<string, unknown> = Array.isArray(input) ? ([...input] as never) : { ...input }
  const value = damaged(copy[key], path.slice(1), replacement)
  if (value === undefined && !Array.isArray(copy)) delete copy[key]
  else copy[key] = value
  return copy
}

describe("compiled answer decoding", () => {
  for (const [name, schema] of schemas) {
    describe(name, () => {
      const wire = Arbitrary.make(Schema.encodedSchema(schema))

      it("is compiled (not left to Schema)", () => {
        expect(isCompiled(schema)).toBe(true)
      })

      it("decodes well-formed bodies to the same value as Schema", () => {
        fc.assert(fc.property(wire, fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }), (body, extra) => {
          expectSame(schema, body)
          expectSame(schema, { ...extra, ...(body as object) })
        }), { numRuns: 300 })
      })

      it("fails where Schema fails, on damaged bodies", () => {
        const replacement = fc.oneof(fc.constant(undefined), fc.jsonValue(), fc.constant("12"), fc.constant(null))
        fc.assert(fc.property(wire, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), replacement, (body, path, value) => {
          expectSame(schema, damaged(body, path, value))
        }), { numRuns: 500 })
      })

      it("agrees with Schema on arbitrary JSON", () => {
        fc.assert(fc.property(fc.jsonValue(), (value) => expectSame(schema, value)), { numRuns: 200 })
      })
    })
  }

  it("leaves to Schema what it does not compile (an index signature)", () => {
    const schema = Schema.Struct({ errors: Schema.Record({ key: Schema.String, value: Schema.Number }) })
    expect(isCompiled(schema)).toBe(false)
    expect(decoder(schema)({ errors: { a: 1 } })).toStrictEqual(Either.right({ errors: { a: 1 } }))
    expect(Either.isLeft(decoder(schema)({ errors: { a: "1" } }))).toBe(true)
  })
})
