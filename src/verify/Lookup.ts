/**
 * Lookup v2: what kind of line a number is and who carries it (line type
 * intelligence), Authy's `phones/info` replacement.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { LookupOptions, VerifyError } from "./Models.js"
import type { PhoneNumber } from "./Responses.js"
import { VerifyService } from "./VerifyService.js"

/**
 * Looks a number up (`GET https://lookups.twilio.com/v2/PhoneNumbers/{n}`,
 * read-only), with `line_type_intelligence` unless other `fields` are given.
 * An invalid number is a success with `valid: false`. The number never
 * appears in spans or errors: the span shows `/v2/PhoneNumbers/{PhoneNumber}`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Lookup } from "effect-authy/verify"
 *
 * const isMobile = Lookup.phoneNumber("+15017122661").pipe(
 *   Effect.map((n) => n.lineTypeIntelligence?.type === "mobile")
 * )
 * ```
 *
 * @since 0.2.0
 * @category lookup
 */
export const phoneNumber = (phoneNumber: string, options?: LookupOptions): Effect.Effect<PhoneNumber, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.lookup.phoneNumber(phoneNumber, options))
