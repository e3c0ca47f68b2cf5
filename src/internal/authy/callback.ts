/**
 * The pieces of `OneTouchCallback` that are Authy's wire: the schema of a
 * callback and its nonce. (A GET callback's query is read back into data by
 * `signature.ts`'s `parseQuery`; the window's boundary rule and the nonce
 * stores are the core's, `../core/webhook.ts`.)
 *
 * @internal
 */
import { Schema } from "effect"

// ---------------------------------------------------------------------------
// The callback's wire shape
// ---------------------------------------------------------------------------

const optional = <S extends Schema.Schema.All, K extends string>(key: K, schema: S) =>
  Schema.optionalWith(schema, { exact: true }).pipe(Schema.fromKey(key))

/** A number, or its digits (GET callbacks carry only strings). */
const LenientNumber = Schema.Union(Schema.Number, Schema.NumberFromString)

/** An absent value: `null` in a POST body, `""` in a GET query. */
const Blank = Schema.Union(Schema.Null, Schema.Literal(""))

const OptionalNumber = Schema.Union(Blank, LenientNumber)

const Scalar = Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null)

/** `details` and `hidden_details`: label → value, `{}` when unset. */
const StringMap = Schema.transform(
  Schema.Union(Blank, Schema.Record({ key: Schema.String, value: Scalar })),
  Schema.Record({ key: Schema.String, value: Schema.String }),
  {
    strict: true,
    decode: (map) =>
      map === null || map === "" ? {} : Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v === null ? "" : String(v)])),
    encode: (map) => map
  }
)

const Transaction = Schema.Struct({
  message: optional("message", Schema.String),
  details: optional("details", StringMap),
  hiddenDetails: optional("hidden_details", StringMap),
  reason: optional("reason", Schema.String),
  deviceSigningTime: optional("device_signing_time", OptionalNumber),
  createdAtTime: optional("created_at_time", OptionalNumber)
})

const ApprovalRequest = Schema.Struct({
  transaction: optional("transaction", Transaction),
  expirationTimestamp: optional("expiration_timestamp", OptionalNumber),
  appId: optional("app_id", Schema.String)
})

/**
 * The fields of a callback we type (authy-api.md §2.16); the rest stays in
 * the raw payload.
 *
 * @internal
 */
export const CallbackWire = Schema.Struct({
  uuid: Schema.String.pipe(Schema.minLength(1)),
  status: Schema.Literal("approved", "denied"),
  authyId: Schema.propertySignature(LenientNumber).pipe(Schema.fromKey("authy_id")),
  deviceUuid: optional("device_uuid", Schema.Union(Schema.String, Schema.Number)),
  callbackAction: optional("callback_action", Schema.String),
  approvalRequest: optional("approval_request", ApprovalRequest)
})

// ---------------------------------------------------------------------------
// The nonce
// ---------------------------------------------------------------------------

/**
 * `X-Authy-Signature-Nonce`: a Unix time in seconds, possibly with a fraction
 * (`1427849783.886085`), as epoch milliseconds.
 *
 * @internal
 */
export const parseNonce = (nonce: string): number | undefined =>
  /^\d{1,12}(?:\.\d{1,9})?$/.test(nonce) ? Math.round(Number(nonce) * 1000) : undefined
