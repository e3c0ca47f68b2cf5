/**
 * The Schemas of Authy's success bodies, shared by the client (which decodes
 * them) and the emulator (which encodes them).
 *
 * Each Schema's encoded side is the wire body without its `success` flag
 * (snake_case, as Authy writes it); its type side is the value the endpoint
 * programs yield (camelCase, nesting kept). Decoding is lenient where Authy has
 * been seen to vary: unknown fields are ignored, fields it has been seen to
 * omit are optional, `_authy_id` may be a number or a string.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const required = <S extends Schema.Schema.Any, K extends string>(key: K, schema: S) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

const optional = <S extends Schema.Schema.All, K extends string>(key: K, schema: S) =>
  Schema.optionalWith(schema, { exact: true }).pipe(Schema.fromKey(key))

const NullableString = Schema.NullOr(Schema.String)
const NullableNumber = Schema.NullOr(Schema.Number)

/** Authy has sent ids both as numbers and as digit strings. */
const LenientNumber = Schema.Union(Schema.Number, Schema.NumberFromString)

/**
 * `POST /protected/json/users/new`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class CreateUserResponse extends Schema.Class<CreateUserResponse>("CreateUserResponse")({
  message: Schema.String,
  user: Schema.Struct({ id: Schema.Number })
}) {}

/**
 * `GET /protected/json/sms/{authy_id}` and `GET /protected/json/call/{authy_id}`.
 * `ignored` is true when Authy sent nothing because the user has the app.
 *
 * @since 0.1.0
 * @category schemas
 */
export class TokenRequestResponse extends Schema.Class<TokenRequestResponse>("TokenRequestResponse")({
  message: Schema.String,
  cellphone: Schema.optionalWith(Schema.String, { exact: true }),
  device: Schema.optionalWith(Schema.String, { exact: true }),
  ignored: Schema.optionalWith(Schema.Boolean, { default: () => false })
}) {}

/**
 * The `device` block of a token verification.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VerifiedDevice = Schema.Struct({
  id: optional("id", NullableNumber),
  osType: optional("os_type", NullableString),
  registrationDate: optional("registration_date", NullableNumber),
  registrationMethod: optional("registration_method", NullableString),
  registrationCountry: optional("registration_country", NullableString),
  registrationRegion: optional("registration_region", NullableString),
  registrationCity: optional("registration_city", NullableString),
  country: optional("country", NullableString),
  region: optional("region", NullableString),
  city: optional("city", NullableString),
  ip: optional("ip", NullableString),
  lastAccountRecoveryAt: optional("last_account_recovery_at", NullableNumber),
  lastSyncDate: optional("last_sync_date", NullableNumber)
})

/**
 * `GET /protected/json/verify/{token}/{authy_id}`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class VerifyTokenResponse extends Schema.Class<VerifyTokenResponse>("VerifyTokenResponse")({
  message: Schema.String,
  token: Schema.String,
  device: Schema.optionalWith(VerifiedDevice, { exact: true })
}) {}

/**
 * One entry of `detailed_devices` in a user's status.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DetailedDevice = Schema.Struct({
  deviceType: optional("device_type", NullableString),
  osType: optional("os_type", NullableString),
  registrationDeviceId: optional("registration_device_id", NullableNumber),
  registrationMethod: optional("registration_method", NullableString),
  deviceId: optional("device_id", NullableNumber),
  lastSyncDate: optional("last_sync_date", NullableNumber),
  creationDate: optional("creation_date", NullableNumber)
})

/**
 * `GET /protected/json/users/{authy_id}/status`. The phone number is masked by
 * Authy; only the first six fields are reliably present.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UserStatusResponse extends Schema.Class<UserStatusResponse>("UserStatusResponse")({
  message: Schema.String,
  status: Schema.Struct({
    authyId: required("authy_id", LenientNumber),
    confirmed: Schema.Boolean,
    registered: Schema.Boolean,
    countryCode: required("country_code", LenientNumber),
    phoneNumber: required("phone_number", Schema.String),
    devices: Schema.Array(Schema.String),
    hasHardToken: optional("has_hard_token", Schema.Boolean),
    accountDisabled: optional("account_disabled", Schema.Boolean),
    detailedDevices: optional("detailed_devices", Schema.Array(DetailedDevice)),
    deletedDevices: optional("deleted_devices", Schema.Array(Schema.Unknown))
  })
}) {}

/**
 * Answers that carry nothing but a message: user removal, e-mail update,
 * activity registration, phone verification check.
 *
 * @since 0.1.0
 * @category schemas
 */
export class MessageResponse extends Schema.Class<MessageResponse>("MessageResponse")({
  message: Schema.String
}) {}

/**
 * `POST /protected/json/email/{authy_id}`: an e-mail token was sent. The
 * code is not in the answer; it is checked with `Tokens.verify`.
 *
 * The only recorded body is the Ruby client's mock (authy-api.md §2.18), so
 * every field is optional: an answer that says `success: true` is never
 * refused for its shape once the e-mail has gone. `email` is the address it
 * went to, `emailId` Authy's id of the message (`EM` + 32 hex digits).
 *
 * @since 0.3.0
 * @category schemas
 */
export class EmailTokenResponse extends Schema.Class<EmailTokenResponse>("EmailTokenResponse")({
  message: Schema.optionalWith(Schema.String, { exact: true }),
  email: Schema.optionalWith(Schema.String, { exact: true }),
  emailId: optional("email_id", Schema.String)
}) {}

/**
 * `GET /protected/json/registrations/status?custom_user_id=…`: whether the
 * user an app registered under its own id (with the Authy mobile SDK) has
 * completed the registration.
 *
 * Authy's answer was never recorded (authy-api.md §2.19); this is the most
 * plausible shape, decoded leniently: `status` is kept as any string
 * (`pending` and `completed` are the expected ones), `authyId` is the user's
 * id once known (`null` or absent before; a number or a digit string on the
 * wire), `message` may be absent.
 *
 * @since 0.3.0
 * @category schemas
 */
export class RegistrationStatusResponse extends Schema.Class<RegistrationStatusResponse>("RegistrationStatusResponse")({
  status: Schema.String,
  authyId: optional("authy_id", Schema.NullOr(LenientNumber)),
  message: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * `POST /protected/json/users/{authy_id}/secret`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class QrCodeResponse extends Schema.Class<QrCodeResponse>("QrCodeResponse")({
  qrCode: required("qr_code", Schema.String),
  label: Schema.optionalWith(Schema.String, { exact: true }),
  issuer: Schema.optionalWith(Schema.String, { exact: true }),
  message: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * `GET /protected/json/app/details`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class AppDetailsResponse extends Schema.Class<AppDetailsResponse>("AppDetailsResponse")({
  message: Schema.String,
  app: Schema.Struct({
    appId: required("app_id", LenientNumber),
    name: Schema.String,
    plan: Schema.String,
    smsEnabled: required("sms_enabled", Schema.Boolean),
    phoneCallsEnabled: optional("phone_calls_enabled", Schema.Boolean),
    onetouchEnabled: optional("onetouch_enabled", Schema.Boolean),
    whiteLabel: optional("white_label", Schema.Boolean)
  })
}) {}

/**
 * One month of `app/stats`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MonthlyStats = Schema.Struct({
  smsCount: required("sms_count", Schema.Number),
  callsCount: required("calls_count", Schema.Number),
  usersCount: required("users_count", Schema.Number),
  authsCount: required("auths_count", Schema.Number),
  month: Schema.String,
  apiCallsCount: required("api_calls_count", Schema.Number),
  year: Schema.Number
})

/**
 * `GET /protected/json/app/stats`: one entry per month, `count` entries.
 *
 * @since 0.1.0
 * @category schemas
 */
export class AppStatsResponse extends Schema.Class<AppStatsResponse>("AppStatsResponse")({
  message: Schema.String,
  count: Schema.Number,
  totalUsers: required("total_users", Schema.Number),
  appId: required("app_id", LenientNumber),
  stats: Schema.Array(MonthlyStats)
}) {}

/**
 * `POST /protected/json/phones/verification/start`. `carrier` may be null or
 * missing; `isPorted` appears only in old answers. `uuid` may be missing, or
 * `null` as Authy's retired sandbox answered (and the emulator's sandbox
 * profile does): both decode to an absent `uuid`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class StartVerificationResponse extends Schema.Class<StartVerificationResponse>("StartVerificationResponse")({
  carrier: Schema.optionalWith(NullableString, { exact: true }),
  isCellphone: optional("is_cellphone", Schema.Boolean),
  isPorted: optional("is_ported", Schema.Boolean),
  message: Schema.String,
  secondsToExpire: optional("seconds_to_expire", Schema.Number),
  uuid: Schema.optionalWith(Schema.String, { exact: true, nullable: true })
}) {}

/**
 * `GET /protected/json/phones/info`. `type` is `voip`, `landline` or
 * `cellphone` (kept as a string: Authy has added kinds before).
 *
 * @since 0.1.0
 * @category schemas
 */
export class PhoneInfoResponse extends Schema.Class<PhoneInfoResponse>("PhoneInfoResponse")({
  message: Schema.String,
  ported: Schema.optionalWith(Schema.Boolean, { exact: true }),
  provider: Schema.optionalWith(NullableString, { exact: true }),
  type: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * `POST /onetouch/json/users/{authy_id}/approval_requests`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SendApprovalResponse extends Schema.Class<SendApprovalResponse>("SendApprovalResponse")({
  approvalRequest: required("approval_request", Schema.Struct({ uuid: Schema.String }))
}) {}

/**
 * The state of a OneTouch approval request.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApprovalStatus = Schema.Literal("pending", "approved", "denied", "expired")

/**
 * @since 0.1.0
 * @category schemas
 */
export type ApprovalStatus = typeof ApprovalStatus.Type

/**
 * The approval request record of `GET /onetouch/json/approval_requests/{uuid}`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApprovalRequest = Schema.Struct({
  appName: optional("_app_name", Schema.String),
  appSerialId: optional("_app_serial_id", LenientNumber),
  authyId: optional("_authy_id", LenientNumber),
  id: optional("_id", Schema.String),
  userEmail: optional("_user_email", Schema.String),
  appId: optional("app_id", Schema.String),
  createdAt: optional("created_at", Schema.String),
  notified: Schema.optionalWith(Schema.Boolean, { exact: true }),
  processedAt: optional("processed_at", NullableString),
  secondsToExpire: optional("seconds_to_expire", Schema.Number),
  status: ApprovalStatus,
  updatedAt: optional("updated_at", Schema.String),
  userId: optional("user_id", Schema.String),
  uuid: Schema.String
})

/**
 * `GET /onetouch/json/approval_requests/{uuid}`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ApprovalStatusResponse extends Schema.Class<ApprovalStatusResponse>("ApprovalStatusResponse")({
  approvalRequest: required("approval_request", ApprovalRequest)
}) {}

/**
 * Authy's error body: `error_code` is a string; `errors` holds field errors
 * (sometimes `{}`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorBody = Schema.Struct({
  message: Schema.optionalWith(Schema.String, { exact: true }),
  errorCode: optional("error_code", Schema.Union(Schema.String, Schema.Number)),
  errors: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { exact: true })
})
