/**
 * Authy users: registration, status, e-mail updates, removal, SMS, voice and
 * e-mail tokens, activity, QR codes for generic authenticator apps, and the
 * status of a mobile SDK registration.
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
  EmailTokenResponse,
  MessageResponse,
  QrCodeResponse,
  RegistrationStatusResponse,
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
   * A national number (`305-342-5699`), or E.164 (`+57 305 342 5699`) with no
   * `countryCode`. Digits separated by `-`, `.` or ASCII spaces only: a newline,
   * a tab or a no-break space is refused.
   */
  readonly cellphone: string
  /** The calling code (`57`); defaults to `1`, as Authy's own clients do, unless `cellphone` is E.164. */
  readonly countryCode?: number | string
  readonly sendInstallLinkViaSms?: boolean
}

/**
 * @since 0.3.0
 * @category models
 */
export interface UpdateUserInput {
  /** The user's new e-mail address. */
  readonly email: string
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
  readonly update: (authyId: AuthyId, input: UpdateUserInput) => Program<MessageResponse>
  readonly requestEmail: (authyId: AuthyId) => Program<EmailTokenResponse>
  readonly registrationStatus: (customUserId: string) => Program<RegistrationStatusResponse>
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
 *   const { user } = yield* Users.create({ email: "ana@example.com", cellphone: "+57 305 342 5699" })
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

/**
 * Changes a user's e-mail address (`POST /protected/json/users/{authy_id}/update`).
 * Authy answers 400 `60027` with `errors.email` for an address it refuses, 404
 * `60026` for an unknown user. Retried like {@link create}: setting the same
 * address again changes nothing. The address is never put on a span and is
 * scrubbed from errors.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Users } from "effect-authy"
 *
 * const moved = Users.update(1635, { email: "ana.new@example.com" }).pipe(Effect.map(({ message }) => message))
 * ```
 *
 * @since 0.3.0
 * @category users
 */
export const update = (authyId: AuthyId, input: UpdateUserInput): Effect.Effect<
  MessageResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.update(authyId, input))

/**
 * Sends a token by e-mail to the user's address (`POST /protected/json/email/{authy_id}`).
 * The code is not in the answer: check what the user types with
 * `Tokens.verify`, as for SMS. Side-effecting (an e-mail goes out), so it is
 * retried only when Authy provably never got the request.
 *
 * Authy's answer is known only from the Ruby client's mock, so every field of
 * {@link EmailTokenResponse} is optional and unknown ones are ignored: once
 * the e-mail has gone, the call succeeds whatever the body's shape.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Tokens, Users } from "effect-authy"
 *
 * const sendCode = (authyId: number) => Users.requestEmail(authyId).pipe(Effect.map(({ email }) => email))
 * const checkCode = (authyId: number, code: string) => Tokens.verify(authyId, code)
 * ```
 *
 * @since 0.3.0
 * @category tokens
 */
export const requestEmail = (authyId: AuthyId): Effect.Effect<
  EmailTokenResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.requestEmail(authyId))

/**
 * Reads whether the user an app registered under its own id with the Authy
 * mobile SDK has completed the registration
 * (`GET /protected/json/registrations/status?custom_user_id=…`). Authy answers
 * 404 `60026` when it knows no registration for that id. `customUserId` is 1
 * to 255 characters, sent percent-encoded, and never put on a span.
 *
 * The answer's shape was never recorded: {@link RegistrationStatusResponse}
 * is the most plausible one (`status` `pending` or `completed`, `authyId` once
 * completed), decoded leniently — `status` is kept as any string, `authyId`
 * may be absent or `null`, `message` absent.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Users } from "effect-authy"
 *
 * const authyIdOf = (customUserId: string) =>
 *   Users.registrationStatus(customUserId).pipe(
 *     Effect.map(({ status, authyId }) => (status === "completed" ? authyId ?? undefined : undefined))
 *   )
 * ```
 *
 * @since 0.3.0
 * @category users
 */
export const registrationStatus = (customUserId: string): Effect.Effect<
  RegistrationStatusResponse,
  ApiError | NetworkError | ValidationError,
  AuthyService
> => Effect.flatMap(AuthyService, (authy) => authy.users.registrationStatus(customUserId))
