/**
 * The Schemas of Twilio Verify v2 and Lookup v2 success bodies, shared by the
 * client (which decodes them) and the emulator (which may encode them).
 *
 * Each Schema's encoded side is the wire body (snake_case, as Twilio writes
 * it); its type side is the value the programs yield (camelCase, nesting
 * kept). Twilio declares every field nullable, so decoding is lenient: only
 * the fields a program cannot do without (`sid`, `status`…) are required,
 * the others may be absent or `null`, and unknown fields are ignored. Dates
 * stay the ISO-8601 strings Twilio sends.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"

const required = <S extends Schema.Schema.Any, K extends string>(key: K, schema: S) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

/** Absent, `null`, or the value. */
const nullable = <S extends Schema.Schema.Any, K extends string>(key: K, schema: S) =>
  Schema.optionalWith(Schema.NullOr(schema), { exact: true }).pipe(Schema.fromKey(key))

const Str = Schema.String
const Num = Schema.Number
const Bool = Schema.Boolean
const StringMap = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * A Verify Service (`VA…`): `POST /v2/Services`, `GET`/`POST /v2/Services/{Sid}`.
 *
 * @since 0.2.0
 * @category schemas
 */
export class Service extends Schema.Class<Service>("effect-authy/verify/Service")({
  sid: Str,
  accountSid: nullable("account_sid", Str),
  friendlyName: nullable("friendly_name", Str),
  codeLength: nullable("code_length", Num),
  lookupEnabled: nullable("lookup_enabled", Bool),
  psd2Enabled: nullable("psd2_enabled", Bool),
  skipSmsToLandlines: nullable("skip_sms_to_landlines", Bool),
  dtmfInputRequired: nullable("dtmf_input_required", Bool),
  ttsName: nullable("tts_name", Str),
  doNotShareWarningEnabled: nullable("do_not_share_warning_enabled", Bool),
  customCodeEnabled: nullable("custom_code_enabled", Bool),
  push: nullable("push", Schema.Struct({
    includeDate: nullable("include_date", Bool),
    apnCredentialSid: nullable("apn_credential_sid", Str),
    fcmCredentialSid: nullable("fcm_credential_sid", Str)
  })),
  totp: nullable("totp", Schema.Struct({
    issuer: nullable("issuer", Str),
    timeStep: nullable("time_step", Num),
    codeLength: nullable("code_length", Num),
    skew: nullable("skew", Num)
  })),
  defaultTemplateSid: nullable("default_template_sid", Str),
  dateCreated: nullable("date_created", Str),
  dateUpdated: nullable("date_updated", Str),
  url: nullable("url", Str)
}) {}

/**
 * One send of a verification's code.
 *
 * @since 0.2.0
 * @category schemas
 */
export const SendCodeAttempt = Schema.Struct({
  time: nullable("time", Str),
  /** Twilio's casing varies (`SMS`, `whatsapp`): compare case-insensitively. */
  channel: nullable("channel", Str),
  attemptSid: nullable("attempt_sid", Str)
})

/**
 * The status of a verification: `pending` until the right code is checked
 * (`approved`), or it is `canceled`, `expired`, `max_attempts_reached`…
 *
 * @since 0.2.0
 * @category schemas
 */
export const VerificationStatus = Schema.String

/**
 * A verification (`VE…`): `POST /v2/Services/{ServiceSid}/Verifications`,
 * its fetch and its update. `to` is the number or address it was sent to.
 *
 * @since 0.2.0
 * @category schemas
 */
export class Verification extends Schema.Class<Verification>("effect-authy/verify/Verification")({
  sid: Str,
  serviceSid: nullable("service_sid", Str),
  accountSid: nullable("account_sid", Str),
  to: nullable("to", Str),
  channel: nullable("channel", Str),
  status: VerificationStatus,
  /** Legacy: use `status`. */
  valid: nullable("valid", Bool),
  lookup: nullable("lookup", Schema.Unknown),
  amount: nullable("amount", Str),
  payee: nullable("payee", Str),
  sendCodeAttempts: nullable("send_code_attempts", Schema.Array(SendCodeAttempt)),
  dateCreated: nullable("date_created", Str),
  dateUpdated: nullable("date_updated", Str),
  url: nullable("url", Str)
}) {}

/**
 * The answer to a code check: `POST /v2/Services/{ServiceSid}/VerificationCheck`.
 * A wrong code is this answer with `valid: false` and `status: "pending"`.
 *
 * @since 0.2.0
 * @category schemas
 */
export class VerificationCheck extends Schema.Class<VerificationCheck>("effect-authy/verify/VerificationCheck")({
  sid: Str,
  serviceSid: nullable("service_sid", Str),
  accountSid: nullable("account_sid", Str),
  to: nullable("to", Str),
  channel: nullable("channel", Str),
  status: Str,
  valid: Schema.optionalWith(Bool, { default: () => false, nullable: true }),
  amount: nullable("amount", Str),
  payee: nullable("payee", Str),
  dateCreated: nullable("date_created", Str),
  dateUpdated: nullable("date_updated", Str)
}) {}

/**
 * An entity (`YE…`): one of your users, known by your own `identity`.
 *
 * @since 0.2.0
 * @category schemas
 */
export class Entity extends Schema.Class<Entity>("effect-authy/verify/Entity")({
  sid: Str,
  identity: Str,
  accountSid: nullable("account_sid", Str),
  serviceSid: nullable("service_sid", Str),
  dateCreated: nullable("date_created", Str),
  dateUpdated: nullable("date_updated", Str),
  url: nullable("url", Str)
}) {}

/**
 * A factor's settings: TOTP's `alg`, `skew`, `codeLength`, `timeStep`; a
 * push factor's `appId`, `notificationPlatform`…
 *
 * @since 0.2.0
 * @category schemas
 */
export const FactorConfig = Schema.Struct({
  alg: nullable("alg", Str),
  skew: nullable("skew", Num),
  codeLength: nullable("code_length", Num),
  timeStep: nullable("time_step", Num),
  appId: nullable("app_id", Str),
  notificationPlatform: nullable("notification_platform", Str),
  sdkVersion: nullable("sdk_version", Str)
})

const factorFields = {
  sid: Str,
  accountSid: nullable("account_sid", Str),
  serviceSid: nullable("service_sid", Str),
  entitySid: nullable("entity_sid", Str),
  identity: nullable("identity", Str),
  friendlyName: nullable("friendly_name", Str),
  /** `unverified` until a right code (TOTP) or a signed payload (push) verified it, then `verified`. */
  status: Str,
  factorType: required("factor_type", Str),
  config: nullable("config", FactorConfig),
  metadata: nullable("metadata", StringMap),
  dateCreated: nullable("date_created", Str),
  dateUpdated: nullable("date_updated", Str),
  url: nullable("url", Str)
}

/**
 * A factor (`YF…`) as fetched, listed or verified: without its binding.
 *
 * @since 0.2.0
 * @category schemas
 */
export class Factor extends Schema.Class<Factor>("effect-authy/verify/Factor")(factorFields) {}

/**
 * A factor just created: the only answer that carries its `binding` — for
 * TOTP the base32 `secret` and the `otpauth://` `uri` to show as a QR code.
 * Twilio never shows them again.
 *
 * @since 0.2.0
 * @category schemas
 */
export class NewFactor extends Schema.Class<NewFactor>("effect-authy/verify/NewFactor")({
  ...factorFields,
  binding: nullable("binding", Schema.Struct({
    secret: nullable("secret", Str),
    uri: nullable("uri", Str),
    alg: nullable("alg", Str),
    publicKey: nullable("public_key", Str)
  }))
}) {}

/**
 * A label and value shown with a push challenge.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ChallengeField = Schema.Struct({ label: Str, value: Str })

/**
 * The status of a challenge: `pending`, then `approved`, `denied` or
 * `expired`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ChallengeStatus = Schema.String

/**
 * A challenge (`YC…`): a push approval request, or a TOTP code check.
 *
 * @since 0.2.0
 * @category schemas
 */
export class Challenge extends Schema.Class<Challenge>("effect-authy/verify/Challenge")({
  sid: Str,
  accountSid: nullable("account_sid", Str),
  serviceSid: nullable("service_sid", Str),
  entitySid: nullable("entity_sid", Str),
  identity: nullable("identity", Str),
  factorSid: nullable("factor_sid", Str),
  factorType: nullable("factor_type", Str),
  status: ChallengeStatus,
  /** `none`, `not_needed`, `not_requested`. */
  respondedReason: nullable("responded_reason", Str),
  details: nullable("details", Schema.Struct({
    message: nullable("message", Str),
    date: nullable("date", Str),
    fields: nullable("fields", Schema.Array(ChallengeField))
  })),
  hiddenDetails: nullable("hidden_details", StringMap),
  metadata: nullable("metadata", StringMap),
  dateCreated: nullable("date_created", Str),
  dateUpdated: nullable("date_updated", Str),
  dateResponded: nullable("date_responded", Str),
  expirationDate: nullable("expiration_date", Str),
  url: nullable("url", Str)
}) {}

/**
 * A service webhook (`YW…`).
 *
 * @since 0.2.0
 * @category schemas
 */
export class Webhook extends Schema.Class<Webhook>("effect-authy/verify/Webhook")({
  sid: Str,
  serviceSid: nullable("service_sid", Str),
  accountSid: nullable("account_sid", Str),
  friendlyName: nullable("friendly_name", Str),
  eventTypes: nullable("event_types", Schema.Array(Str)),
  /** `enabled` or `disabled`. */
  status: nullable("status", Str),
  /** `v2`; `v1` is legacy. */
  version: nullable("version", Str),
  webhookUrl: nullable("webhook_url", Str),
  webhookMethod: nullable("webhook_method", Str),
  dateCreated: nullable("date_created", Str),
  dateUpdated: nullable("date_updated", Str),
  url: nullable("url", Str)
}) {}

/**
 * Lookup's line type intelligence: the carrier and the kind of line
 * (`mobile`, `landline`, `fixedVoip`, `nonFixedVoip`, `tollFree`…).
 *
 * @since 0.2.0
 * @category schemas
 */
export const LineTypeIntelligence = Schema.Struct({
  mobileCountryCode: nullable("mobile_country_code", Str),
  mobileNetworkCode: nullable("mobile_network_code", Str),
  carrierName: nullable("carrier_name", Str),
  type: nullable("type", Str),
  errorCode: nullable("error_code", Schema.Union(Num, Str))
})

/**
 * A phone number as Lookup v2 sees it: `GET /v2/PhoneNumbers/{PhoneNumber}`.
 * An invalid number is this answer with `valid: false` and its
 * `validationErrors` (`TOO_SHORT`, `NOT_A_NUMBER`…), not an error. Packages
 * that were not requested are `null`.
 *
 * @since 0.2.0
 * @category schemas
 */
export class PhoneNumber extends Schema.Class<PhoneNumber>("effect-authy/verify/PhoneNumber")({
  phoneNumber: nullable("phone_number", Str),
  callingCountryCode: nullable("calling_country_code", Str),
  countryCode: nullable("country_code", Str),
  nationalFormat: nullable("national_format", Str),
  valid: nullable("valid", Bool),
  validationErrors: nullable("validation_errors", Schema.Array(Str)),
  lineTypeIntelligence: nullable("line_type_intelligence", LineTypeIntelligence),
  url: nullable("url", Str)
}) {}
