/**
 * The inputs of the Verify programs and the groups of the
 * {@link VerifyService}: what a caller passes and what the service holds.
 * Defined here, before the service, so that dependencies run one way:
 * models, then the service, then the program modules.
 *
 * @since 0.2.0
 */
import type { Duration, Effect, Schedule, Stream } from "effect"
import type { ApiError, NetworkError, ValidationError } from "../AuthyError.js"
import type {
  Challenge,
  Entity,
  Factor,
  NewFactor,
  PhoneNumber,
  Service,
  Verification,
  VerificationCheck,
  Webhook
} from "./Responses.js"

/**
 * How every Verify program can fail.
 *
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const describe = (e: Models.VerifyError) => `${e._tag} (${e.service})`
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type VerifyError = ApiError | NetworkError | ValidationError

// ---------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------

/**
 * The settings of a Verify Service. `friendlyName` (at most 30 characters)
 * appears in the messages sent.
 *
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const settings: Models.ServiceInput = { friendlyName: "Example", codeLength: 6, totp: { issuer: "Example" } }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ServiceInput {
  readonly friendlyName: string
  /** 4 to 10. */
  readonly codeLength?: number
  readonly lookupEnabled?: boolean
  readonly skipSmsToLandlines?: boolean
  readonly dtmfInputRequired?: boolean
  readonly ttsName?: string
  readonly psd2Enabled?: boolean
  readonly doNotShareWarningEnabled?: boolean
  /** Lets {@link StartVerificationInput.customCode} be used. */
  readonly customCodeEnabled?: boolean
  readonly defaultTemplateSid?: string
  readonly totp?: {
    readonly issuer?: string
    /** 20 to 60 seconds. */
    readonly timeStep?: number
    /** 3 to 8. */
    readonly codeLength?: number
    /** 0 to 2 steps either way. */
    readonly skew?: number
  }
}

/**
 * @since 0.2.0
 * @category models
 */
export interface ServicesApi {
  readonly create: (input: ServiceInput) => Effect.Effect<Service, VerifyError>
  readonly fetch: (serviceSid?: string) => Effect.Effect<Service, VerifyError>
  readonly update: (input: Partial<ServiceInput>, serviceSid?: string) => Effect.Effect<Service, VerifyError>
}

// ---------------------------------------------------------------------------
// Verifications
// ---------------------------------------------------------------------------

/**
 * How a code is sent.
 *
 * @since 0.2.0
 * @category models
 */
export type Channel = "sms" | "call" | "email" | "whatsapp" | "sna"

/**
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const input: Models.StartVerificationInput = { to: "+15017122661", channel: "sms", locale: "en" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface StartVerificationInput {
  /** E.164 (`+15017122661`, separators allowed), or an e-mail address with `channel: "email"`. */
  readonly to: string
  readonly channel: Channel
  /** `en`, `fr`, `pt-BR`…: overrides Twilio's choice of language. */
  readonly locale?: string
  /** 4 to 10 digits; needs `customCodeEnabled` on the service. */
  readonly customCode?: string
  /** Replaces the service's name in the message (at most 30 characters). */
  readonly customFriendlyName?: string
  /** Digits to dial before the call speaks the code (`call` only). */
  readonly sendDigits?: string
  /** Android's SMS Retriever hash. */
  readonly appHash?: string
  readonly templateSid?: string
  /** PSD2 only (`psd2Enabled`). */
  readonly amount?: string
  readonly payee?: string
}

/**
 * A check of a code, against the pending verification of `to` or the one
 * named by `verificationSid`.
 *
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const byNumber: Models.CheckInput = { to: "+15017122661", code: "123456" }
 * const bySid: Models.CheckInput = { verificationSid: "VE" + "0".repeat(32), code: "123456" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type CheckInput =
  | { readonly to: string; readonly code: string; readonly amount?: string; readonly payee?: string }
  | { readonly verificationSid: string; readonly code: string; readonly amount?: string; readonly payee?: string }

/**
 * @since 0.2.0
 * @category models
 */
export interface VerificationsApi {
  readonly start: (input: StartVerificationInput) => Effect.Effect<Verification, VerifyError>
  readonly fetch: (verificationSid: string) => Effect.Effect<Verification, VerifyError>
  readonly cancel: (verificationSid: string) => Effect.Effect<Verification, VerifyError>
  readonly approve: (verificationSid: string) => Effect.Effect<Verification, VerifyError>
  readonly check: (input: CheckInput) => Effect.Effect<VerificationCheck, VerifyError>
}

// ---------------------------------------------------------------------------
// Entities and factors (TOTP)
// ---------------------------------------------------------------------------

/**
 * A new TOTP factor. Without `secret`, Twilio generates one; give the base32
 * seed exported from Authy to move a user without re-enrolment.
 *
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const input: Models.TotpFactorInput = { friendlyName: "Ada's phone", codeLength: 6 }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface TotpFactorInput {
  /** At most 64 characters; the account name in authenticator apps. */
  readonly friendlyName: string
  /** A base32 seed (RFC 4648, no padding needed). */
  readonly secret?: string
  /** 20 to 60 seconds (default: the service's, else 30). */
  readonly timeStep?: number
  /** 3 to 8 (default 6). */
  readonly codeLength?: number
  /** 0 to 2 (default 1). */
  readonly skew?: number
  readonly alg?: "sha1" | "sha256" | "sha512"
  /** String values only, kept with the factor. */
  readonly metadata?: Readonly<Record<string, string>>
}

/**
 * @since 0.2.0
 * @category models
 */
export interface EntitiesApi {
  readonly fetch: (identity: string) => Effect.Effect<Entity, VerifyError>
  readonly remove: (identity: string) => Effect.Effect<void, VerifyError>
}

/**
 * @since 0.2.0
 * @category models
 */
export interface FactorsApi {
  readonly createTotp: (identity: string, input: TotpFactorInput) => Effect.Effect<NewFactor, VerifyError>
  readonly verifyTotp: (identity: string, factorSid: string, code: string) => Effect.Effect<Factor, VerifyError>
  readonly fetch: (identity: string, factorSid: string) => Effect.Effect<Factor, VerifyError>
  readonly list: (identity: string, options?: PageOptions) => Stream.Stream<Factor, VerifyError>
  readonly remove: (identity: string, factorSid: string) => Effect.Effect<void, VerifyError>
}

// ---------------------------------------------------------------------------
// Challenges (push and TOTP)
// ---------------------------------------------------------------------------

/**
 * A new challenge. For a push factor: a `message` (and optional `fields`,
 * `hiddenDetails`, `expiresIn`) shown on the device. For a TOTP factor: the
 * user's `code`, checked at once (the answer is `approved` or `pending`).
 *
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const push: Models.ChallengeInput = {
 *   factorSid: "YF" + "0".repeat(32),
 *   message: "Log in to Example?",
 *   fields: [{ label: "Browser", value: "Firefox" }],
 *   expiresIn: "2 minutes"
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ChallengeInput {
  readonly factorSid: string
  /** TOTP: the code, 3 to 8 digits. */
  readonly code?: string
  /** Push: shown to the user, 1 to 256 characters. */
  readonly message?: string
  /** Push: at most 20; labels of at most 36 characters, values of at most 128. */
  readonly fields?: ReadonlyArray<{ readonly label: string; readonly value: string }>
  /** Push: kept with the challenge, not shown; string values only. */
  readonly hiddenDetails?: Readonly<Record<string, string>>
  /** Push: how long until it expires (Twilio's default 5 minutes, at most 60). */
  readonly expiresIn?: Duration.DurationInput
}

/**
 * Paging of a list: how many items Twilio puts in each page (1 to 1000,
 * default 50). The stream follows `meta.next_page_url` to the end.
 *
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const options: Models.PageOptions = { pageSize: 100 }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface PageOptions {
  readonly pageSize?: number
}

/**
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const options: Models.ListChallengesOptions = { status: "pending", order: "desc" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ListChallengesOptions extends PageOptions {
  readonly factorSid?: string
  readonly status?: "pending" | "expired" | "approved" | "denied"
  readonly order?: "asc" | "desc"
}

/**
 * What the polling schedule of `Challenges.awaitChallenge` is fed after each
 * poll that did not settle the challenge: the `pending` challenge, or the
 * transient failure that will be polled through.
 *
 * @since 0.2.0
 * @category models
 */
export type PollOutcome = Challenge | ApiError | NetworkError

/**
 * How `Challenges.awaitChallenge` polls: as `OneTouch.awaitApproval` does.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import type { Models } from "effect-authy/verify"
 *
 * const options: Models.AwaitChallengeOptions = { schedule: Schedule.spaced("2 seconds"), timeout: "2 minutes" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface AwaitChallengeOptions {
  /** When to poll again (default: 1 s growing ×1.5 up to every 5 s); never past the expiry. */
  readonly schedule?: Schedule.Schedule<unknown, PollOutcome>
  /** How long to wait in all; then the last pending challenge is returned. */
  readonly timeout?: Duration.DurationInput
}

/**
 * @since 0.2.0
 * @category models
 */
export interface ChallengesApi {
  readonly create: (identity: string, input: ChallengeInput) => Effect.Effect<Challenge, VerifyError>
  readonly fetch: (identity: string, challengeSid: string) => Effect.Effect<Challenge, VerifyError>
  readonly list: (identity: string, options?: ListChallengesOptions) => Stream.Stream<Challenge, VerifyError>
  readonly awaitChallenge: (
    identity: string,
    challengeSid: string,
    options?: AwaitChallengeOptions
  ) => Effect.Effect<Challenge, VerifyError>
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/**
 * The events a service webhook is called for.
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookEventType =
  | "*"
  | "factor.created"
  | "factor.verified"
  | "factor.deleted"
  | "challenge.approved"
  | "challenge.denied"

/**
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const input: Models.WebhookInput = {
 *   friendlyName: "login",
 *   eventTypes: ["challenge.approved", "challenge.denied"],
 *   webhookUrl: "https://example.com/twilio/webhook"
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface WebhookInput {
  readonly friendlyName: string
  readonly eventTypes: ReadonlyArray<WebhookEventType>
  /** An http(s) URL; Twilio posts form-encoded, signed events there. */
  readonly webhookUrl: string
  readonly status?: "enabled" | "disabled"
  readonly version?: "v1" | "v2"
}

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhooksApi {
  readonly create: (input: WebhookInput) => Effect.Effect<Webhook, VerifyError>
  readonly fetch: (webhookSid: string) => Effect.Effect<Webhook, VerifyError>
  readonly list: (options?: PageOptions) => Stream.Stream<Webhook, VerifyError>
  readonly remove: (webhookSid: string) => Effect.Effect<void, VerifyError>
  /**
   * Whether an `X-Twilio-Signature` was made with the account's auth token.
   * The token never leaves the service; `VerifyWebhook.verify` builds on this.
   */
  readonly validateSignature: (input: SignatureCheck) => Effect.Effect<boolean>
}

/**
 * What a webhook signature check is given: the URL Twilio called, the form
 * parameters it posted (none for a JSON body or a GET), and the header.
 *
 * @since 0.2.0
 * @category models
 */
export interface SignatureCheck {
  readonly url: string
  readonly params: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly signature: string
}

// ---------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------

/**
 * Lookup v2 data packages.
 *
 * @since 0.2.0
 * @category models
 */
export type LookupField =
  | "validation"
  | "caller_name"
  | "sim_swap"
  | "call_forwarding"
  | "line_status"
  | "line_type_intelligence"
  | "identity_match"
  | "reassigned_number"
  | "sms_pumping_risk"
  | "phone_number_quality_score"
  | "pre_fill"

/**
 * @example
 * ```ts
 * import type { Models } from "effect-authy/verify"
 *
 * const options: Models.LookupOptions = { fields: ["line_type_intelligence"], countryCode: "US" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface LookupOptions {
  /** Default `["line_type_intelligence"]`; `[]` for basic validation only. */
  readonly fields?: ReadonlyArray<LookupField>
  /** ISO-3166 alpha-2 (`US`), for a number in national format. */
  readonly countryCode?: string
}

/**
 * @since 0.2.0
 * @category models
 */
export interface LookupApi {
  readonly phoneNumber: (phoneNumber: string, options?: LookupOptions) => Effect.Effect<PhoneNumber, VerifyError>
}
