/**
 * The API key, OTP codes and full phone numbers never appear in a span, a log
 * line, or any rendering of an error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, Redacted, Tracer } from "effect"
import { inspect } from "node:util"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { App, AuthyService, Phones, Tokens, Users } from "../src/index.js"
import { apiKey, json, makeStub, type Reply, type SentRequest } from "./util/stub.js"

const token = "7654321"
const verificationCode = "918273"
const phoneDigits = ["4053425699", "405-342-5699", "405 342 5699", "7754615609", "775-461-5609", "2015550123"]
const secrets = [apiKey, token, verificationCode, ...phoneDigits]

/** Answers like Authy, quoting full numbers back where the real API does. */
const authy = (request: SentRequest): Reply => {
  const path = request.url.pathname
  if (path.endsWith("/users/new")) return json(200, { message: "User created successfully.", user: { id: 42 }, success: true })
  if (path.startsWith("/protected/json/verify/")) {
    return json(401, { message: "Token is invalid", token: "is invalid", success: false, errors: { message: "Token is invalid" }, error_code: "60020" })
  }
  if (path.startsWith("/protected/json/sms/")) return { status: 502, body: `<html>bad gateway for ${token} +1 775-461-5609</html>` }
  if (path.endsWith("/verification/start")) {
    return json(200, { message: "Text message sent to +1 775-461-5609.", seconds_to_expire: 599, success: true, carrier: { not: "a string" } })
  }
  if (path.endsWith("/verification/check")) {
    return json(404, { message: "No pending verifications for +1 201-555-0123 found.", success: false, errors: { message: "No pending verifications for +1 201-555-0123 found." }, error_code: "60023" })
  }
  return json(500, { message: "Server error", success: false, errors: {}, error_code: "60025" })
}

const recordingTracer = (spans: Array<Tracer.Span>) =>
  Effect.map(Effect.tracer, (base) =>
    Tracer.make({
      span: (...args) => {
        const span = base.span(...args)
        spans.push(span)
        return span
      },
      context: base.context
    }))

const renderings = (error: unknown): ReadonlyArray<string> => [
  String(error),
  JSON.stringify(error),
  inspect(error, { depth: 10 }),
  (error as Error).message
]

describe("secrets", () => {
  it.effect("a whole flow leaks no key, code or phone number", () =>
    Effect.gen(function*() {
      const spans: Array<Tracer.Span> = []
      const lines: Array<string> = []
      const errors: Array<unknown> = []
      const logger = Logger.make(({ annotations, message }) => lines.push(inspect({ message, annotations: [...annotations] }, { depth: 10 })))
      const stub = makeStub(authy)
      const tracer = yield* recordingTracer(spans)

      const flow = [
        Users.create({ email: "a@b.co", cellphone: "+57 405 342 5699" }),
        Users.create({ email: "a@b.co", cellphone: "405-342-5699", countryCode: 57 }),
        Tokens.verify(42, token),
        Users.requestSms(42),
        Phones.startVerification({ phoneNumber: "+1 775-461-5609", via: "sms" }),
        Phones.checkVerification({ phoneNumber: "201-555-0123", countryCode: 1, verificationCode }),
        Phones.info({ phoneNumber: "775-461-5609", countryCode: 1 }),
        Tokens.verify(42, "76543x1")
      ] as ReadonlyArray<Effect.Effect<unknown, unknown, AuthyService>>

      for (const program of flow) {
        const exit = yield* program.pipe(
          Effect.tapError((e) => Effect.logError("authy failed", e)),
          Effect.withSpan("login"),
          Effect.provide(stub.layer()),
          Effect.withTracer(tracer),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Effect.exit
        )
        if (Exit.isFailure(exit)) errors.push(Cause.squash(exit.cause))
      }

      const texts = [
        ...spans.flatMap((span) => [
          span.name,
          inspect([...span.attributes], { depth: 10 }),
          inspect(span.status, { depth: 10 })
        ]),
        ...lines,
        ...errors.flatMap(renderings)
      ]
      expect(stub.sent.length).toBeGreaterThanOrEqual(7)
      expect(errors.length).toBeGreaterThanOrEqual(4)
      expect(spans.map((s) => s.name)).toContain("Authy.tokens.verify")
      expect(lines.length).toBeGreaterThan(0)
      for (const text of texts) {
        for (const secret of secrets) expect(text).not.toContain(secret)
      }
    }))
})

/**
 * A gateway or WAF page that quotes the request back: whatever it quotes of
 * the key (raw, URL- or form-encoded) and of the codes and phone numbers the
 * call sent (whatever their length) is gone from every rendering of the error.
 */
describe("echoed secrets", () => {
  // Letters, dashes and characters that encode differently in a URL and in a form.
  const wordKey = "Prod-Key/alpha+beta gamma=delta"
  const keyForms = [wordKey, encodeURIComponent(wordKey), new URLSearchParams({ k: wordKey }).toString().slice(2)]

  /** Every way an error is seen: renderings, the Cause, the span and the log line. */
  const seen = <A, E>(program: Effect.Effect<A, E, AuthyService>, reply: (request: SentRequest) => Reply) =>
    Effect.gen(function*() {
      const spans: Array<Tracer.Span> = []
      const lines: Array<string> = []
      const logger = Logger.make(({ annotations, message }) => lines.push(inspect({ message, annotations: [...annotations] }, { depth: 10 })))
      const stub = makeStub(reply)
      const exit = yield* program.pipe(
        Effect.tapErrorCause((cause) => Effect.logError("authy failed", cause)),
        Effect.withSpan("caller"),
        Effect.provide(stub.layer({ apiKey: Redacted.make(wordKey) })),
        Effect.withTracer(yield* recordingTracer(spans)),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Effect.exit
      )
      expect(stub.sent).toHaveLength(1)
      if (Exit.isSuccess(exit)) throw new Error("expected a failure")
      const error = Cause.squash(exit.cause)
      return [
        ...renderings(error),
        Cause.pretty(exit.cause),
        inspect((error as { excerpt?: string }).excerpt),
        ...spans.flatMap((span) => [inspect([...span.attributes], { depth: 10 }), inspect((span as unknown as { readonly events?: unknown }).events, { depth: 10 })]),
        ...lines
      ]
    })

  /** Quotes the whole request back: the URL, the body and the key header. */
  const quoting = (status: number, wrap: (quote: string) => string) => (request: SentRequest): Reply => ({
    status,
    body: wrap(
      `key=${request.headers["x-authy-api-key"]} ${encodeURIComponent(request.headers["x-authy-api-key"] ?? "")} ` +
        `${new URLSearchParams({ api_key: request.headers["x-authy-api-key"] ?? "" })} ` +
        `${request.method} ${request.url.href} body=${JSON.stringify(request.body)}`
    )
  })

  const html = (quote: string) => `<html><title>403 Forbidden</title><body>Request blocked: ${quote}</body></html>`
  const authyJson = (quote: string) =>
    JSON.stringify({ message: `Blocked: ${quote}`, success: false, errors: { message: "x", [quote.slice(0, 40)]: quote }, error_code: quote })

  const expectClean = (texts: ReadonlyArray<string>, secrets: ReadonlyArray<string>) => {
    for (const text of texts) {
      for (const secret of secrets) expect(text).not.toContain(secret)
    }
  }

  it.effect("a key of letters and dashes, in a gateway page quoting the request, in every encoding", () =>
    Effect.gen(function*() {
      const texts = yield* seen(Users.status(42), quoting(403, html))
      expect(texts.join("\n")).toContain("[redacted]")
      expectClean(texts, keyForms)
    }))

  it.effect("the key and a 4-digit code in an Authy-shaped JSON error quoting the request", () =>
    Effect.gen(function*() {
      const texts = yield* seen(
        Phones.checkVerification({ phoneNumber: "201-555-0123", countryCode: 1, verificationCode: "4821" }),
        quoting(400, authyJson)
      )
      expectClean(texts, [...keyForms, "4821", "201-555-0123", "2015550123"])
    }))

  it.effect("a 5-digit custom code and a 5-digit phone number, whatever their separators", () =>
    Effect.gen(function*() {
      const texts = yield* seen(
        Phones.startVerification({ phoneNumber: "55 512", countryCode: 1, via: "sms", customCode: "73915" }),
        (request) => ({
          status: 502,
          body: `<html>${html(JSON.stringify(request.body))} also 55512, 5-5-5-1-2 and 7 3 9 1 5</html>`
        })
      )
      expectClean(texts, ["73915", "55 512", "55512", "5-5-5-1-2", "7 3 9 1 5", ...keyForms])
    }))

  it.effect("the OTP of verify, echoed from the URL path, in a body of an unexpected shape", () =>
    Effect.gen(function*() {
      const texts = yield* seen(
        Tokens.verify(42, "764321"),
        (request) => json(200, { odd: `${request.url.pathname} ${request.headers["x-authy-api-key"]}` })
      )
      expectClean(texts, ["764321", ...keyForms])
    }))
})

/**
 * The layer adds `x-authy-api-key` to the platform's redacted header names, so
 * a request logged by the transport (the client an application provides, here
 * one that logs each request it sends) shows the header redacted.
 */
describe("the key header in the platform's own rendering of a request", () => {
  const answer = { message: "m", app: { app_id: 1, name: "n", plan: "p", sms_enabled: false }, success: true }
  const loggingClient = HttpClient.make((request) =>
    Effect.as(
      Effect.logInfo("sending", request),
      HttpClientResponse.fromWeb(request, new Response(JSON.stringify(answer), { status: 200 }))
    )
  )

  it.effect("a logged request shows x-authy-api-key redacted, and never the key", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      // Rendered inside the logger, where the fiber's redacted header names apply.
      const logger = Logger.make((options) => {
        lines.push(inspect(options.message, { depth: 10 }), JSON.stringify(options.message), Logger.logfmtLogger.log(options))
      })
      const result = yield* App.details().pipe(
        Effect.provide(
          AuthyService.layer({ apiKey: Redacted.make(apiKey), apiUrl: "https://api.authy.test" }).pipe(
            Layer.provide(Layer.succeed(HttpClient.HttpClient, loggingClient))
          )
        ),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(result.app.appId).toBe(1)
      expect(lines).toHaveLength(3)
      for (const line of lines) {
        expect(line).not.toContain(apiKey)
        expect(line).toMatch(/x-authy-api-key.{1,6}<redacted>/)
      }
    }))
})
