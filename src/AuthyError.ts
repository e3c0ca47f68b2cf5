/**
 * The three ways an effect-authy program can fail, for Authy and for Twilio
 * Verify and Lookup alike (`effect-authy/verify` uses these same classes):
 * `service` says which API the failing call was for.
 *
 * - {@link ValidationError}: the input was refused before anything was sent,
 *   or an incoming callback failed verification.
 * - {@link ApiError}: Authy (or a gateway in front of it) answered, but with an
 *   error or with something unusable.
 * - {@link NetworkError}: there was no usable answer at all.
 *
 * Messages never carry the API key, a token or a full phone number: whatever is
 * kept of an answer (Authy's message, field errors, error code, a body excerpt)
 * is scrubbed first of the API key (as sent, URL- or form-encoded), of every
 * code and phone number the request sent, whatever their length, and of any
 * other run of 6 digits or more.
 *
 * @since 0.1.0
 */
import { Predicate, Schema } from "effect"

/**
 * The API a failing call was for: `"Authy"` (`effect-authy`), `"Verify"` or
 * `"Lookup"` (`effect-authy/verify`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Users } from "effect-authy"
 *
 * Users.status(1635).pipe(
 *   Effect.catchTag("ApiError", (e) => Effect.logError(`${e.service} answered HTTP ${e.status}`))
 * )
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export const ServiceName = Schema.Literal("Authy", "Verify", "Lookup")

/**
 * @since 0.2.0
 * @category errors
 */
export type ServiceName = typeof ServiceName.Type

/** `"Authy"` unless given: every error made before 0.2.0 was an Authy one. */
const service = Schema.optionalWith(ServiceName, { default: () => "Authy" as const })

/**
 * The input was refused before any request was sent, or an incoming OneTouch
 * callback failed verification. `field` names the offending input.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Tokens } from "effect-authy"
 *
 * Tokens.verify(1635, "12ab").pipe(
 *   Effect.catchTag("ValidationError", (e) => Effect.logWarning(`bad ${e.field}: ${e.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Schema.TaggedError<ValidationError>("effect-authy/ValidationError")(
  "ValidationError",
  {
    field: Schema.String,
    message: Schema.String,
    service
  }
) {}

/**
 * Why an {@link ApiError} was raised:
 *
 * - `ErrorResponse`: the API answered with its error body (Authy's
 *   `error_code` and `errors`; Twilio's `code`, `message` and `more_info`).
 * - `Unsuccessful`: a 2xx answer whose body says `success: false`.
 * - `NotJson`: the body was not JSON (an HTML or plain-text page from a gateway,
 *   a truncated body, an empty body).
 * - `Undecodable`: JSON that does not have the shape the endpoint answers with.
 *
 * @since 0.1.0
 * @category errors
 */
export const ApiErrorReason = Schema.Literal("ErrorResponse", "Unsuccessful", "NotJson", "Undecodable")

/**
 * @since 0.1.0
 * @category errors
 */
export type ApiErrorReason = typeof ApiErrorReason.Type

/**
 * The API answered, but with an error or with something unusable.
 *
 * `errorCode` is the API's code as a string, when the body had one: Authy's
 * `error_code` (`"60020"`), or Twilio's `code` (`"60200"`, `"20404"`).
 * `errors` holds Authy's field errors (`{ cellphone: "is invalid" }`);
 * `moreInfo` Twilio's link to the code's documentation.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Tokens } from "effect-authy"
 *
 * const verified = Tokens.verify(1635, "1234567").pipe(
 *   Effect.as(true),
 *   Effect.catchTag("ApiError", (e) =>
 *     e.errorCode === "60020" || e.errorCode === "60019" ? Effect.succeed(false) : Effect.fail(e)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Schema.TaggedError<ApiError>("effect-authy/ApiError")("ApiError", {
  reason: ApiErrorReason,
  status: Schema.Number,
  errorCode: Schema.optional(Schema.String),
  message: Schema.String,
  errors: Schema.Record({ key: Schema.String, value: Schema.String }),
  /** A short, scrubbed excerpt of a body that could not be used. */
  excerpt: Schema.optional(Schema.String),
  /** `Retry-After` in milliseconds, when the answer carried one. */
  retryAfterMillis: Schema.optional(Schema.Number),
  /** Twilio's `more_info`: the documentation page of `errorCode`. */
  moreInfo: Schema.optional(Schema.String),
  service
}) {}

/**
 * Why a {@link NetworkError} was raised. `ConnectionRefused` and `DnsFailure`
 * prove the request never reached the server; the others do not.
 *
 * @since 0.1.0
 * @category errors
 */
export const NetworkErrorReason = Schema.Literal(
  "ConnectionRefused",
  "DnsFailure",
  "ConnectionReset",
  "Timeout",
  "Transport"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type NetworkErrorReason = typeof NetworkErrorReason.Type

/**
 * No usable answer: the connection was refused or reset, the host did not
 * resolve, the request timed out, or the body could not be read.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Users } from "effect-authy"
 *
 * Users.status(1635).pipe(
 *   Effect.catchTag("NetworkError", (e) => Effect.logError(`Authy unreachable (${e.reason})`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NetworkError extends Schema.TaggedError<NetworkError>("effect-authy/NetworkError")("NetworkError", {
  reason: NetworkErrorReason,
  message: Schema.String,
  service
}) {
  /**
   * True when the request provably never reached the server, so that even a
   * side-effecting request can be sent again safely.
   *
   * @since 0.1.0
   */
  get neverReachedServer(): boolean {
    return this.reason === "ConnectionRefused" || this.reason === "DnsFailure"
  }
}

/**
 * Every way an endpoint program can fail, Authy's and Verify's.
 *
 * @since 0.1.0
 * @category errors
 */
export type AuthyError = ValidationError | ApiError | NetworkError

/**
 * @since 0.1.0
 * @category refinements
 */
export const isAuthyError = (u: unknown): u is AuthyError =>
  Predicate.isTagged(u, "ValidationError") || Predicate.isTagged(u, "ApiError") || Predicate.isTagged(u, "NetworkError")
