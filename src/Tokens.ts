/**
 * Token verification: checks a code from SMS, a voice call or the Authy app.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { ApiError, NetworkError, ValidationError } from "./AuthyError.js"
import { AuthyService } from "./AuthyService.js"
import type { VerifyTokenResponse } from "./Responses.js"
import type { AuthyId } from "./Users.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  /**
   * Verify even before the user has completed registration. Defaults to
   * `true`: without it Authy accepts any token for a user who has never used
   * one, which is rarely what a login check wants.
   */
  readonly force?: boolean
}

/**
 * The token endpoints, as held by {@link AuthyService}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokensApi {
  readonly verify: (
    authyId: AuthyId,
    token: string,
    options?: VerifyOptions
  ) => Effect.Effect<VerifyTokenResponse, ApiError | NetworkError | ValidationError>
}

/**
 * Verifies a token (`GET /protected/json/verify/{token}/{authy_id}`). A wrong
 * token fails with `ApiError` code `60020`, a token used again with `60019`.
 * The token is never recorded in spans or errors.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Tokens } from "effect-authy"
 *
 * const login = (authyId: number, code: string) =>
 *   Tokens.verify(authyId, code).pipe(
 *     Effect.as("welcome"),
 *     Effect.catchTag("ApiError", (e) => Effect.succeed(e.errorCode === "60020" ? "wrong code" : "try again"))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category tokens
 */
export const verify = (authyId: AuthyId, token: string, options?: VerifyOptions): Effect.Effect<
  VerifyTokenResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.tokens.verify(authyId, token, options))
