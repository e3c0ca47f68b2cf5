/**
 * Entities: your users as Verify knows them (by your own `identity`), with
 * their factors and challenges. An entity is created with its first factor.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { VerifyError } from "./Models.js"
import type { Entity } from "./Responses.js"
import { VerifyService } from "./VerifyService.js"

/**
 * Reads an entity (`GET …/Entities/{Identity}`, read-only).
 *
 * @example
 * ```ts
 * import { Entities } from "effect-authy/verify"
 *
 * const entity = Entities.fetch("ff483d1f-f591-898a")
 * ```
 *
 * @since 0.2.0
 * @category entities
 */
export const fetch = (identity: string): Effect.Effect<Entity, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.entities.fetch(identity))

/**
 * Deletes an entity with its factors and challenges
 * (`DELETE …/Entities/{Identity}`, idempotent): Authy's `users.remove`.
 *
 * @example
 * ```ts
 * import { Entities } from "effect-authy/verify"
 *
 * const removed = Entities.remove("ff483d1f-f591-898a")
 * ```
 *
 * @since 0.2.0
 * @category entities
 */
export const remove = (identity: string): Effect.Effect<void, VerifyError, VerifyService> =>
  Effect.flatMap(VerifyService, (verify) => verify.entities.remove(identity))
