/**
 * Authy's answers as the emulator writes them: a status and a compact JSON
 * body whose key order follows authy-api.md (clients have been seen matching
 * on literal text, e.g. `"token":"is valid"`).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { type Dialect, json, type Reply } from "../core/dialect.js"

/**
 * One answer: an HTTP status and the exact body text (the core's reply).
 *
 * @since 0.1.0
 * @category models
 */
export type {
  /** @since 0.1.0 */
  Reply
}

/**
 * A reply from a body written out by hand (key order as given).
 *
 * @since 0.1.0
 * @category constructors
 */
export {
  /** @since 0.1.0 */
  json
}

/**
 * A 200 success: the body, then `"success":true`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ok = (body: Readonly<Record<string, unknown>>): Reply => json(200, { ...body, success: true })

/**
 * A 200 success from a shared wire Schema of src/Responses.ts: the value is
 * encoded to its wire form (snake_case), then `"success":true` is appended.
 * The client decodes what the emulator encodes with the same Schema.
 *
 * The value may be a plain object of the schema's type: a class schema is
 * encoded through the struct of its fields, so that no instance is built
 * (and validated) just to be taken apart again. The bytes are the same.
 *
 * @since 0.1.0
 * @category constructors
 */
export const encoded = <A, I extends Readonly<Record<string, unknown>>>(schema: Schema.Schema<A, I>, value: A): Reply =>
  ok(encoderOf(schema)(value))

/** One encoder per schema, built on first use: building one costs more than most encodings. */
const encoders = new WeakMap<object, (value: unknown) => unknown>()

/** A class schema's fields, when it has them (`Schema.Class`, `Schema.Struct`). */
const fieldsOf = (schema: object): Schema.Struct.Fields | undefined =>
  "fields" in schema && typeof schema.fields === "object" && schema.fields !== null
    ? schema.fields as Schema.Struct.Fields
    : undefined

const encoderOf = <A, I>(schema: Schema.Schema<A, I>): (value: A) => I => {
  let encoder = encoders.get(schema)
  if (encoder === undefined) {
    const fields = fieldsOf(schema)
    // The fields of a context-free schema are context-free too.
    const plain = fields === undefined ? schema : Schema.Struct(fields) as unknown as Schema.Schema<A, I>
    encoder = Schema.encodeSync(plain) as (value: unknown) => unknown
    encoders.set(schema, encoder)
  }
  return encoder as (value: A) => I
}

/**
 * Authy's usual error body:
 * `{"message":..,"success":false,"errors":{"message":..},"error_code":".."}`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const error = (status: number, code: string, message: string): Reply =>
  json(status, { message, success: false, errors: { message }, error_code: code })

/**
 * 401 60001, in the key order Authy uses for it.
 *
 * @since 0.1.0
 * @category errors
 */
export const invalidApiKey: Reply = json(401, {
  error_code: "60001",
  message: "Invalid API key",
  errors: { message: "Invalid API key" },
  success: false
})

/**
 * 404 60026.
 *
 * @since 0.1.0
 * @category errors
 */
export const userNotFound: Reply = error(404, "60026", "User not found.")

/**
 * 400 60004: a required parameter is missing (or unusable).
 *
 * @since 0.1.0
 * @category errors
 */
export const missingParameter = (name: string): Reply =>
  error(400, "60004", `Invalid parameter: ${name} - Parameter is required`)

/**
 * 400 60027 with the field errors, repeated at top level as Authy does.
 *
 * @since 0.1.0
 * @category errors
 */
export const userNotValid = (fields: Readonly<Record<string, string>>): Reply =>
  json(400, {
    message: "User was not valid",
    success: false,
    errors: { ...fields, message: "User was not valid" },
    ...fields,
    error_code: "60027"
  })

/**
 * 401 60020.
 *
 * @since 0.1.0
 * @category errors
 */
export const tokenInvalid: Reply = json(401, {
  message: "Token is invalid",
  token: "is invalid",
  success: false,
  errors: { message: "Token is invalid" },
  error_code: "60020"
})

/**
 * 401 60019.
 *
 * @since 0.1.0
 * @category errors
 */
export const tokenUsedRecently: Reply = json(401, {
  message: "Token is invalid. Token was used recently.",
  token: "is invalid",
  success: false,
  errors: { message: "Token is invalid. Token was used recently." },
  error_code: "60019"
})

/**
 * 404 60049, with `errors` empty as on the real server.
 *
 * @since 0.1.0
 * @category errors
 */
export const approvalNotFound = (uuid: string): Reply =>
  json(404, { message: `Approval request not found: ${uuid}`, success: false, errors: {}, error_code: "60049" })

/**
 * 404 for a path Authy does not serve.
 *
 * @since 0.1.0
 * @category errors
 */
export const notFound = (method: string, path: string): Reply =>
  error(404, "60000", `Not found: ${method} ${path}`)

/**
 * 400 for a body that cannot be read.
 *
 * @since 0.1.0
 * @category errors
 */
export const badRequest = (reason: string): Reply => error(400, "60002", `Invalid request: ${reason}`)

/**
 * Authy's answers as the core writes them: for the server's own errors, the
 * faults and the control API of applications. An error code is Authy's text
 * (`"60000"` when none is given).
 *
 * @since 0.2.0
 * @category dialect
 */
export const dialect: Dialect = {
  name: "authy",
  ok,
  error: (status, code, message) => error(status, code ?? "60000", message),
  invalidParameter: (name, reason) => error(400, "60004", `Invalid parameter: ${name} - ${reason}`),
  missingParameter,
  badRequest,
  tooLarge: (reason) => error(413, "60002", `Invalid request: ${reason}`),
  unauthorized: invalidApiKey,
  notFound,
  rateLimited: error(429, "60003", "Too many requests")
}
