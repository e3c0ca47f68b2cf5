/**
 * Verify Services: the settings every verification of an application uses
 * (the name in messages, the code length, TOTP settings, custom codes,
 * lookups). The Verify counterpart of an Authy application.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { ServiceInput, VerifyError } from "./Models.js"
import type { Service } from "./Responses.js"
import { VerifyService } from "./VerifyService.js"

/**
 * Creates a Service (`POST /v2/Services`, side-effecting: each call creates
 * another one).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Services } from "effect-authy/verify"
 *
 * const sid = Services.create({ friendlyName: "Example", codeLength: 6 }).pipe(Effect.map((s) => s.sid))
 * ```
 *
 * @since 0.2.0
 * @category services
 */
export const create = (input: ServiceInput): Effect.Effect<Service, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.services.create(input))

/**
 * Reads a Service (`GET /v2/Services/{Sid}`, read-only): the layer's, unless
 * another SID is given.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Services } from "effect-authy/verify"
 *
 * const codeLength = Services.fetch().pipe(Effect.map((s) => s.codeLength))
 * ```
 *
 * @since 0.2.0
 * @category services
 */
export const fetch = (serviceSid?: string): Effect.Effect<Service, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.services.fetch(serviceSid))

/**
 * Changes a Service's settings (`POST /v2/Services/{Sid}`, idempotent): the
 * layer's, unless another SID is given. Settings not given are left as they
 * are.
 *
 * @example
 * ```ts
 * import { Services } from "effect-authy/verify"
 *
 * const enableCustomCodes = Services.update({ customCodeEnabled: true, totp: { skew: 1 } })
 * ```
 *
 * @since 0.2.0
 * @category services
 */
export const update = (input: Partial<ServiceInput>, serviceSid?: string): Effect.Effect<Service, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.services.update(input, serviceSid))
