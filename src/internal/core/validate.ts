/**
 * Input checks, run before anything is sent. Each returns the value in the
 * form the wire wants, or fails with a {@link ValidationError} naming the field.
 *
 * @internal
 */
import { Duration, Effect, Predicate } from "effect"
import { ValidationError } from "../../AuthyError.js"

type Check<A> = Effect.Effect<A, ValidationError>

const refuse = (field: string, message: string): Check<never> => Effect.fail(new ValidationError({ field, message }))

/**
 * Runs a synchronous check of caller-supplied values. Reading them can run the
 * caller's code (a getter, a Proxy trap, a revoked Proxy), and a throw there is
 * bad input, not a defect: it becomes a refusal naming `field`. What was thrown
 * is not kept, as it may quote anything.
 */
const guarded = <A>(field: string | (() => string), check: () => A | ValidationError): Check<A> => {
  let result: A | ValidationError
  try {
    result = check()
  } catch {
    const name = typeof field === "string" ? field : field()
    return refuse(name, `${name} could not be read (a getter or a Proxy trap threw)`)
  }
  return result instanceof ValidationError ? Effect.fail(result) : Effect.succeed(result)
}

const invalid = (field: string, message: string) => new ValidationError({ field, message })

const digits = /^\d+$/

/**
 * An Authy user id: a non-negative integer or a string of digits. `-0` is
 * refused: it would be sent as `0`, another id than the one given.
 */
export const authyId = (value: unknown, field = "authyId"): Check<string> => {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && !Object.is(value, -0)) {
    return Effect.succeed(String(value))
  }
  if (typeof value === "string" && digits.test(value) && value.length <= 20) return Effect.succeed(value)
  return refuse(field, `${field} must be a non-negative integer or a string of digits`)
}

/** An OTP: 6 to 10 digits. The value itself never appears in the message. */
export const token = (value: unknown, field = "token"): Check<string> =>
  typeof value === "string" && /^\d{6,10}$/.test(value)
    ? Effect.succeed(value)
    : refuse(field, `${field} must be 6 to 10 digits`)

/** A phone verification code: 4 to 10 digits. */
export const verificationCode = (value: unknown, field = "verificationCode"): Check<string> =>
  typeof value === "string" && /^\d{4,10}$/.test(value)
    ? Effect.succeed(value)
    : refuse(field, `${field} must be 4 to 10 digits`)

const emailPattern = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:]+$/

export const email = (value: unknown, field = "email"): Check<string> =>
  typeof value === "string" && value.length <= 254 && emailPattern.test(value)
    ? Effect.succeed(value)
    : refuse(field, `${field} must be an e-mail address`)

/**
 * A national number: digits with optional `-`, `.` and spaces, 4 to 15 digits.
 * Only the ASCII space separates: a newline, a tab or a no-break space would
 * be sent as such.
 */
export const nationalNumber = (value: unknown, field: string): Check<string> => {
  if (typeof value === "string" && /^\d[\d .-]*$/.test(value)) {
    const count = value.replace(/\D/g, "").length
    if (count >= 4 && count <= 15) return Effect.succeed(value)
  }
  return refuse(field, `${field} must be digits, optionally separated by '-', '.' or spaces`)
}

/** A calling code: 1 to 4 digits (`1`, `44`, `57`, `1268`), as a number or a string. */
export const countryCode = (value: unknown, field = "countryCode"): Check<number> => {
  const text = typeof value === "number" ? String(value) : value
  return typeof text === "string" && /^\+?[1-9]\d{0,3}$/.test(text)
    ? Effect.succeed(Number(text.replace("+", "")))
    : refuse(field, `${field} must be a calling code of 1 to 4 digits`)
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const uuid = (value: unknown, field = "uuid"): Check<string> =>
  typeof value === "string" && uuidPattern.test(value)
    ? Effect.succeed(value)
    : refuse(field, `${field} must be a UUID`)

/** A string of `min` to `max` characters. */
export const text = (value: unknown, field: string, min: number, max: number): Check<string> =>
  typeof value === "string" && value.length >= min && value.length <= max && (min === 0 || value.trim() !== "")
    ? Effect.succeed(value)
    : refuse(field, `${field} must be a string of ${min} to ${max} characters`)

/** One of a fixed set of strings. */
export const oneOf = <const L extends ReadonlyArray<string>>(value: unknown, field: string, allowed: L): Check<L[number]> =>
  typeof value === "string" && allowed.includes(value)
    ? Effect.succeed(value)
    : refuse(field, `${field} must be one of ${allowed.join(", ")}`)

/** An integer in `[min, max]`. */
export const integer = (value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): Check<number> =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : refuse(field, `${field} must be an integer from ${min} to ${max}`)

export const boolean = (value: unknown, field: string): Check<boolean> =>
  typeof value === "boolean" ? Effect.succeed(value) : refuse(field, `${field} must be a boolean`)

/**
 * Bounds of a {@link stringMap}.
 *
 * @internal
 */
export interface MapLimits {
  readonly maxEntries: number
  readonly maxKeyLength: number
  readonly maxValueLength: number
}

/**
 * A flat map of string to string (OneTouch details, activity data), copied:
 * each value is read once, so what was checked is what is sent, whatever a
 * getter or a Proxy would answer next time.
 */
export const stringMap = (value: unknown, field: string, limits: MapLimits): Check<Readonly<Record<string, string>>> =>
  guarded(field, () => {
    if (!Predicate.isRecord(value)) return invalid(field, `${field} must be an object`)
    const keys = Object.keys(value)
    if (keys.length > limits.maxEntries) return invalid(field, `${field} must have at most ${limits.maxEntries} entries`)
    const copy: Record<string, string> = {}
    for (const key of keys) {
      if (key === "" || key.length > limits.maxKeyLength) {
        return invalid(field, `${field} keys must be 1 to ${limits.maxKeyLength} characters`)
      }
      const entry: unknown = value[key]
      if (typeof entry !== "string") return invalid(field, `${field} must map non-empty keys to strings`)
      if (entry.length > limits.maxValueLength) {
        return invalid(field, `${field} values must be at most ${limits.maxValueLength} characters`)
      }
      // Defined, not assigned: a key `__proto__` stays a key.
      Object.defineProperty(copy, key, { value: entry, enumerable: true, writable: true, configurable: true })
    }
    return copy
  })

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const ipv6 = /^(?=.*:)[0-9a-f:.]{2,45}$/i

/** An IPv4 or IPv6 address. */
export const ipAddress = (value: unknown, field = "userIp"): Check<string> =>
  typeof value === "string" && (ipv4.test(value) || (ipv6.test(value) && isIpv6(value)))
    ? Effect.succeed(value)
    : refuse(field, `${field} must be an IPv4 or IPv6 address`)

const isIpv6 = (value: string): boolean => {
  try {
    return new URL(`http://[${value}]/`).hostname.length > 2
  } catch {
    return false
  }
}

/** An absolute http(s) URL. */
export const httpUrl = (value: unknown, field: string): Check<string> => {
  if (typeof value === "string") {
    try {
      const url = new URL(value)
      if (url.protocol === "https:" || url.protocol === "http:") return Effect.succeed(value)
    } catch {
      // fall through to the refusal
    }
  }
  return refuse(field, `${field} must be an http(s) URL`)
}

/** Checks an optional value only when it is present. */
export const optional = <A, B>(value: A | undefined, check: (value: A) => Check<B>): Check<B | undefined> =>
  value === undefined ? Effect.succeed(undefined) : check(value)

/**
 * The options object of a call, copied: only `keys` are read, each once, in a
 * guarded read (a throwing getter or Proxy trap is refused, naming the key),
 * so the checks that follow work on plain values. An input that is not an
 * object at all (a JavaScript caller passing `null`, a revoked Proxy) is
 * refused as `field`.
 * `prefix` names nested inputs (`logos[0].`).
 */
export const options = <A extends object, K extends keyof A & string>(
  value: A | undefined,
  keys: ReadonlyArray<K>,
  field = "options",
  prefix = ""
): Check<Partial<Pick<A, K>>> => {
  if (value === undefined) return Effect.succeed({})
  let reading = field
  return guarded(() => reading, () => {
    if (!Predicate.isRecord(value)) return invalid(field, `${field} must be an object`)
    const copy: Partial<Pick<A, K>> = {}
    for (const key of keys) {
      reading = `${prefix}${key}`
      const entry = value[key]
      if (entry !== undefined) copy[key] = entry
    }
    return copy
  })
}

/**
 * Copies an array given by the caller, element by element in a guarded read.
 */
export const array = (value: unknown, field: string): Check<ReadonlyArray<unknown>> =>
  guarded(field, () => (Array.isArray(value) ? Array.from(value as ReadonlyArray<unknown>) : invalid(field, `${field} must be an array`)))

/** Any synchronous test of a caller-supplied value, with a throw refused as `field`. */
export const test = (field: string, check: () => boolean, message: string): Check<void> =>
  guarded(field, () => (check() ? undefined : invalid(field, message)))

/** The `{ userIp? }` options several endpoints take. */
export const userIpOption = (value: { readonly userIp?: string } | undefined): Check<string | undefined> =>
  Effect.flatMap(options(value, ["userIp"]), (o) => optional(o.userIp, (ip) => ipAddress(ip)))

/**
 * Why a retry policy is unusable, if it is: it may be built by hand (or read
 * from a file) rather than with `RetryPolicy.make`. A policy must stop: a
 * `maxAttempts` of `NaN` never compares as reached, so it would retry until
 * the time limits, and with both limits infinite, for ever.
 */
export const retryPolicyError = (policy: unknown, field = "retry"): ValidationError | undefined => {
  if (!Predicate.isRecord(policy)) return invalid(field, `${field} must be a RetryPolicy`)
  const { baseDelay, jitter, maxAttempts, maxDelay, maxElapsed } = policy
  if (typeof maxAttempts !== "number" || !(maxAttempts >= 1) || !(Number.isInteger(maxAttempts) || maxAttempts === Infinity)) {
    return invalid(`${field}.maxAttempts`, `${field}.maxAttempts must be a whole number of attempts, at least 1`)
  }
  const durations = { baseDelay, maxDelay, maxElapsed }
  for (const [name, value] of Object.entries(durations)) {
    if (!Duration.isDuration(value)) return invalid(`${field}.${name}`, `${field}.${name} must be a Duration`)
  }
  if (typeof jitter !== "boolean") return invalid(`${field}.jitter`, `${field}.jitter must be a boolean`)
  if (maxAttempts === Infinity && !Duration.isFinite(maxElapsed as Duration.Duration)) {
    return invalid(field, `${field} must be bounded: a finite maxAttempts or a finite maxElapsed`)
  }
  return undefined
}
