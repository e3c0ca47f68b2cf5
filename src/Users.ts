/**
 * Authy users: registration, status, removal, SMS and voice tokens, activity,
 * and QR codes for generic authenticator apps.
 *
 * Each program needs an {@link AuthyService} and fails with an
 * {@link ApiError}, a {@link NetworkError} or a {@link ValidationError}.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { ApiError, NetworkError, ValidationError } from "./AuthyError.js"
import { AuthyService } from "./AuthyService.js"
import * as InternalUsers from "./internal/authy/users.js"
import type {
  CreateUserResponse,
  MessageResponse,
  QrCodeResponse,
  TokenRequestResponse,
  UserStatusResponse
} from "./Responses.js"

/**
 * An Authy user id: a non-negative integer (not `-0`), or a string of digits.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthyId = number | string

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateUserInput {
  readonly email: string
  /**
   * A national number (`405-342-5699`), or E.164 (`+57 405 342 5699`) with no
   * `countryCode`. Digits separated by `-`, `.` or ASCII spaces only: a newline,
   * a tab or a no-break space is refused.
   */
  readonly cellphone: string
  /** The calling code (`57`); defaults to `1`, as Authy's own clients do, unless `cellphone` is E.164. */
  readonly countryCode?: number | string
  readonly sendInstallLinkViaSms?: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface UserIpOptions {
  /** The end user's IP address, for Authy's risk checks. */
  readonly userIp?: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface TokenRequestOptions {
  /** Send even when the user has the Authy app (which otherwise gets a push instead). */
  readonly force?: boolean
  /** Ties the token to an action (1–255 characters). */
  readonly action?: string
  /** Shown with the token (1–255 characters). */
  readonly actionMessage?: string
  /** The language of the message, e.g. `es`. */
  readonly locale?: string
}

/**
 * @since 0.1.0
 * @category models
 */
export const activityTypes: typeof InternalUsers.activityTypes = InternalUsers.activityTypes

/**
 * @since 0.1.0
 * @category models
 */
export type ActivityType = typeof activityTypes[number]

/**
 * @since 0.1.0
 * @category models
 */
export interface ActivityInput extends UserIpOptions {
  readonly type: ActivityType
  /** At most 50 entries, keys of 1 to 255 characters, values of at most 1000. */
  readonly data?: Readonly<Record<string, string>>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface QrCodeOptions {
  /** The size of the QR image in pixels (default 300). */
  readonly qrSize?: number
  readonly label?: string
}

type Program<A> = Effect.Effect<A, ApiError | NetworkError | ValidationError>

/**
 * The user endpoints, as held by {@link AuthyService}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UsersApi {
  readonly create: (input: CreateUserInput) => Program<CreateUserResponse>
  readonly status: (authyId: AuthyId, options?: UserIpOptions) => Program<UserStatusResponse>
  readonly remove: (authyId: AuthyId, options?: UserIpOptions) => Program<MessageResponse>
  readonly requestSms: (authyId: AuthyId, options?: TokenRequestOptions) => Program<TokenRequestResponse>
  readonly requestCall: (authyId: AuthyId, options?: TokenRequestOptions) => Program<TokenRequestResponse>
  readonly registerActivity: (authyId: AuthyId, input: ActivityInput) => Program<MessageResponse>
  readonly generateQrCode: (authyId: AuthyId, options?: QrCodeOptions) => Program<QrCodeResponse>
}

/**
 * Registers a user (`POST /protected/json/users/new`). Authy matches users by
 * phone, so creating the same phone twice yields the same id.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Users } from "effect-authy"
 *
 * const program = Effect.gen(function* () {
 *   const { user } = yield* Users.create({ email: "ana@example.com", cellphone: "+57 405 342 5699" })
 *   return user.id
 * })
 * ```
 *
 * @since 0.1.0
 * @category users
 */
export const create = (input: CreateUserInput): Effect.Effect<
  CreateUserResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.create(input))

/**
 * Reads a user's status (`GET /protected/json/users/{authy_id}/status`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Users } from "effect-authy"
 *
 * const hasApp = Users.status(1635).pipe(Effect.map(({ status }) => status.registered))
 * ```
 *
 * @since 0.1.0
 * @category users
 */
export const status = (authyId: AuthyId, options?: UserIpOptions): Effect.Effect<
  UserStatusResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.status(authyId, options))

/**
 * Removes a user from the application (`POST /protected/json/users/{authy_id}/remove`).
 *
 * @example
 * ```ts
 * import { Users } from "effect-authy"
 *
 * const removed = Users.remove(1635, { userIp: "203.0.113.7" })
 * ```
 *
 * @since 0.1.0
 * @category users
 */
export const remove = (authyId: AuthyId, options?: UserIpOptions): Effect.Effect<
  MessageResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.remove(authyId, options))

/**
 * Sends an SMS token (`GET /protected/json/sms/{authy_id}`). When the user has
 * the Authy app and `force` is not set, Authy sends nothing and the answer has
 * `ignored: true`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Users } from "effect-authy"
 *
 * const program = Users.requestSms(1635, { force: true }).pipe(
 *   Effect.tap(({ ignored, cellphone }) => Effect.log(ignored ? "app push instead" : `sent to ${cellphone}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category tokens
 */
export const requestSms = (authyId: AuthyId, options?: TokenRequestOptions): Effect.Effect<
  TokenRequestResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.requestSms(authyId, options))

/**
 * Starts a voice call that reads a token (`GET /protected/json/call/{authy_id}`).
 * Ignored, like SMS, for users with the app unless `force` is set.
 *
 * @example
 * ```ts
 * import { Users } from "effect-authy"
 *
 * const call = Users.requestCall(1635, { force: true, locale: "es" })
 * ```
 *
 * @since 0.1.0
 * @category tokens
 */
export const requestCall = (authyId: AuthyId, options?: TokenRequestOptions): Effect.Effect<
  TokenRequestResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.requestCall(authyId, options))

/**
 * Records a user activity (`POST /protected/json/users/{authy_id}/register_activity`).
 *
 * @example
 * ```ts
 * import { Users } from "effect-authy"
 *
 * const logged = Users.registerActivity(1635, { type: "password_reset", data: { reason: "forgotten" } })
 * ```
 *
 * @since 0.1.0
 * @category users
 */
export const registerActivity = (authyId: AuthyId, input: ActivityInput): Effect.Effect<
  MessageResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.registerActivity(authyId, input))

/**
 * Creates a QR code for a generic authenticator app
 * (`POST /protected/json/users/{authy_id}/secret`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Users } from "effect-authy"
 *
 * const qrUrl = Users.generateQrCode(1635, { qrSize: 250, label: "Example" }).pipe(Effect.map((r) => r.qrCode))
 * ```
 *
 * @since 0.1.0
 * @category users
 */
export const generateQrCode = (authyId: AuthyId, options?: QrCodeOptions): Effect.Effect<
  QrCodeResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.generateQrCode(authyId, options))
