/**
 * The auth token (or API-key secret), the Basic credential that carries it,
 * the codes, TOTP seeds and phone numbers of Verify calls never appear in a
 * span, a log line, or any rendering of an error — whatever Twilio or a
 * gateway in front of it quotes back.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, Redacted, Tracer } from "effect"
import {
  Challenges,
  Factors,
  Lookup,
  Verifications,
  VerifyService
} from "effect-authy/verify"
import { inspect } from "node:util"
import { accountSid, authToken, makeStub, type Reply, type SentRequest, serviceSid } from "./util/verifyStub.js"

const identity = "ff483d1f-f591-898a"
const YF = `YF${"d".repeat(32)}`
const code = "918273"
const totpCode = "4821"
const seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
const phone = "+15017122661"
const basic = Buffer.from(`${accountSid}:${authToken}`).toString("base64")
const phoneForms = [phone, "15017122661", "5017122661", "501-712-2661", "(501) 712-2661", "%2B15017122661"]
const secrets = [authToken, basic, code, totpCode, seed, ...phoneForms]

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

/** Quotes the whole request back — the Authorization header, the URL, the body — in every encoding. */
const quoting = (status: number, wrap: (quote: string) => string) => (request: SentRequest): Reply => {
  const auth = request.headers.authorization ?? ""
  const quote = `${auth} ${encodeURIComponent(auth)} ${request.method} ${request.url.href} ${decodeURIComponent(request.url.pathname)} ` +
    `body=${request.rawBody} ${JSON.stringify(Object.fromEntries(request.form))}`
  return { status, body: wrap(quote) }
}
const html = (quote: string) => `<html><title>403 Forbidden</title><body>Request blocked: ${quote}</body></html>`
const twilioJson = (quote: string) =>
  JSON.stringify({ code: 60200, message: `Invalid parameter: ${quote}`, more_info: `https://x/${quote}`, status: 400, details: { quote } })

/** Every way an outcome is seen: the error's renderings, the Cause, spans and log lines. */
const seen = <A, E>(program: Effect.Effect<A, E, VerifyService>, reply: (request: SentRequest) => Reply) =>
  Effect.gen(function*() {
    const spans: Array<Tracer.Span> = []
    const lines: Array<string> = []
    const logger = Logger.make(({ annotations, message }) => lines.push(inspect({ message, annotations: [...annotations] }, { depth: 10 })))
    const stub = makeStub(reply)
    const exit = yield* program.pipe(
      Effect.tapErrorCause((cause) => Effect.logError("verify failed", cause)),
      Effect.withSpan("caller"),
      Effect.provide(stub.layer()),
      Effect.withTracer(yield* recordingTracer(spans)),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Effect.exit
    )
    const texts = [
      ...(Exit.isFailure(exit) ? [...renderings(Cause.squash(exit.cause)), Cause.pretty(exit.cause)] : []),
      ...spans.flatMap((span) => [
        span.name,
        inspect([...span.attributes], { depth: 10 }),
        inspect((span as unknown as { readonly events?: unknown }).events, { depth: 10 })
      ]),
      ...lines
    ]
    return { texts, spans, exit, sent: stub.sent }
  })

const expectClean = (texts: ReadonlyArray<string>) => {
  for (const text of texts) {
    for (const secret of secrets) expect(text).not.toContain(secret)
  }
}

describe("Verify secrets", () => {
  const programs = [
    ["verifications.start", Verifications.start({ to: "+1 (501) 712-2661", channel: "sms", customCode: code })],
    ["verifications.check", Verifications.check({ to: phone, code })],
    ["factors.createTotp", Factors.createTotp(identity, { friendlyName: "phone", secret: seed })],
    ["factors.verifyTotp", Factors.verifyTotp(identity, YF, totpCode)],
    ["challenges.create", Challenges.create(identity, { factorSid: YF, code: totpCode })],
    ["lookup.phoneNumber", Lookup.phoneNumber(phone)]
  ] as const

  for (const [name, program] of programs) {
    it.effect(`${name}: a gateway page quoting the request`, () =>
      Effect.gen(function*() {
        const { exit, texts } = yield* seen(program as Effect.Effect<unknown, unknown, VerifyService>, quoting(403, html))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(texts.join("\n")).toContain("[redacted]")
        expectClean(texts)
      }))

    it.effect(`${name}: a Twilio error body quoting the request in message, more_info and details`, () =>
      Effect.gen(function*() {
        const { exit, spans, texts } = yield* seen(program as Effect.Effect<unknown, unknown, VerifyService>, quoting(400, twilioJson))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(spans.map((s) => s.name)).toContain(name === "lookup.phoneNumber" ? "Verify.lookup.phoneNumber" : `Verify.${name}`)
        expectClean(texts)
      }))

    it.effect(`${name}: a body of an unexpected shape quoting it`, () =>
      Effect.gen(function*() {
        const { texts } = yield* seen(
          program as Effect.Effect<unknown, unknown, VerifyService>,
          (request) => ({ status: 200, body: JSON.stringify({ odd: quoting(200, (q) => q)(request) }) })
        )
        expectClean(texts)
      }))
  }

  it.effect("a refused input names the field, never the value", () =>
    Effect.gen(function*() {
      const { exit, sent, texts } = yield* seen(Verifications.check({ to: phone, code: `${code}x` }), () => ({ status: 500, body: "" }))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(sent).toHaveLength(0)
      expectClean(texts)
    }))

  it.effect("the route template stands in for the number in Lookup's span", () =>
    Effect.gen(function*() {
      const { spans } = yield* seen(Lookup.phoneNumber(phone), () => ({ status: 503, body: "" }))
      const attributes = spans.flatMap((s) => [...s.attributes])
      expect(attributes).toContainEqual(["http.route", "/v2/PhoneNumbers/{PhoneNumber}"])
    }))

  it.effect("the service holds the token as Redacted: its renderings show none of it", () =>
    Effect.gen(function*() {
      const stub = makeStub(() => ({ status: 200, body: "{}" }))
      const service = yield* Effect.provide(VerifyService, stub.layer())
      for (const text of [inspect(service, { depth: 10 }), JSON.stringify(service) ?? ""]) {
        expect(text).not.toContain(authToken)
        expect(text).not.toContain(basic)
      }
    }))
})

/**
 * The Authorization header is among the platform's redacted header names
 * wherever the layer is provided: a request logged by the transport shows it
 * redacted.
 */
describe("the Authorization header in the platform's own rendering of a request", () => {
  const loggingClient = HttpClient.make((request) =>
    Effect.as(
      Effect.logInfo("sending", request),
      HttpClientResponse.fromWeb(request, new Response(JSON.stringify({ sid: `VE${"c".repeat(32)}`, status: "pending" }), { status: 201 }))
    )
  )

  it.effect("a logged request shows authorization redacted, and never the token", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make((options) => {
        lines.push(inspect(options.message, { depth: 10 }), JSON.stringify(options.message), Logger.logfmtLogger.log(options))
      })
      const verification = yield* Verifications.start({ to: phone, channel: "sms" }).pipe(
        Effect.provide(
          VerifyService.layer({ accountSid, authToken: Redacted.make(authToken), serviceSid, baseUrl: "https://verify.twilio.test" })
            .pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, loggingClient)))
        ),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(verification.status).toBe("pending")
      expect(lines).toHaveLength(3)
      for (const line of lines) {
        expect(line).not.toContain(authToken)
        expect(line).not.toContain(basic)
        expect(line).toMatch(/authorization.{1,6}<redacted>/)
      }
    }))
})
