/**
 * The application itself: its details and its monthly statistics.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { ApiError, NetworkError, ValidationError } from "./AuthyError.js"
import { AuthyService } from "./AuthyService.js"
import type { AppDetailsResponse, AppStatsResponse } from "./Responses.js"
import type { UserIpOptions } from "./Users.js"

/**
 * The application endpoints, as held by {@link AuthyService}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AppApi {
  readonly details: (options?: UserIpOptions) => Effect.Effect<AppDetailsResponse, ApiError | NetworkError | ValidationError>
  readonly stats: (options?: UserIpOptions) => Effect.Effect<AppStatsResponse, ApiError | NetworkError | ValidationError>
}

/**
 * Reads the application's details (`GET /protected/json/app/details`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App } from "effect-authy"
 *
 * const name = App.details().pipe(Effect.map(({ app }) => app.name))
 * ```
 *
 * @since 0.1.0
 * @category app
 */
export const details = (options?: UserIpOptions): Effect.Effect<
  AppDetailsResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.app.details(options))

/**
 * Reads the application's monthly statistics (`GET /protected/json/app/stats`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { App } from "effect-authy"
 *
 * const smsThisMonth = App.stats().pipe(Effect.map(({ stats }) => stats.at(-1)?.smsCount ?? 0))
 * ```
 *
 * @since 0.1.0
 * @category app
 */
export const stats = (options?: UserIpOptions): Effect.Effect<
  AppStatsResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.app.stats(options))
