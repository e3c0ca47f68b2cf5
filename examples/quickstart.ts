/**
 * The whole two-factor story, end to end, through the public client API.
 *
 *   npm start                      # against an in-process Authy emulator
 *   AUTHY_API_KEY=... npm start    # against that server (AUTHY_API_URL, default https://api.authy.com)
 *
 * Against a real server the steps that need the emulator's control API
 * (reading the codes that were "sent", installing the app, approving a push)
 * are skipped. Phone numbers and codes are masked in the transcript.
 */
import { NodeRuntime } from "@effect/platform-node"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Config, Console, Effect, Layer, Option } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { type ApiError, App, type AuthyError, AuthyService, OneTouch, Phones, Tokens, Users } from "effect-authy"
import { Emulator, type EmulatorControl } from "effect-authy/emulator"
import { UndiciHttpClient } from "effect-authy/node"

// Against a real server these numbers really get an SMS: set AUTHY_DEMO_PHONE
// (E.164, e.g. "+57 305 342 5699") to your own phone there.
const demoPhone = Config.string("AUTHY_DEMO_PHONE").pipe(Config.withDefault("+57 305 342 5699"))

/** Every digit but the calling code and the last two: `+57 ••• ••• ••99`. */
const maskPhone = (text: string) => text.replace(/(?<!\+\d{0,3})\d(?=(?:\D*\d){2})/g, "•")
const maskCode = (code: string) => `${code.slice(0, 2)}${"•".repeat(Math.max(0, code.length - 2))}`

const step = (title: string) => Console.log(`\n▸ ${title}`)
const say = (line: string) => Console.log(`  ${line}`)
const skipped = (what: string) => say(`(skipped: ${what} needs the emulator's control API)`)

/** A code other than `code`: the last digit moved by one. */
const wrongCode = (code: string) => code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10)

const story = (control: Option.Option<EmulatorControl>) =>
  Effect.gen(function*() {
    yield* step("Application")
    const { app } = yield* App.details()
    yield* say(`${app.name} (id ${app.appId}, plan ${app.plan}, OneTouch ${app.onetouchEnabled ? "on" : "off"})`)

    yield* step("Register a user")
    const cellphone = yield* demoPhone
    const { user } = yield* Users.create({ email: "ada@example.com", cellphone })
    yield* say(`${maskPhone(cellphone)} → Authy id ${user.id}`)
    const { status } = yield* Users.status(user.id)
    yield* say(`status: phone ${status.phoneNumber}, confirmed ${status.confirmed}, registered ${status.registered}`)

    yield* step("Send a code by SMS and verify it")
    const sms = yield* Users.requestSms(user.id)
    yield* say(`${sms.message} to ${sms.cellphone ?? "?"}`)
    let sent = "1234567"
    if (Option.isSome(control)) {
      sent = yield* control.value.lastCode(user.id)
      const verified = yield* Tokens.verify(user.id, sent)
      yield* say(`code ${maskCode(sent)} from the emulator's outbox: ${verified.message}`)
    } else {
      yield* skipped("reading the code that was sent")
    }

    yield* step("A wrong code is refused")
    yield* Tokens.verify(user.id, wrongCode(sent)).pipe(
      Effect.zipRight(say("unexpectedly accepted!")),
      Effect.catchTag("ApiError", (error: ApiError) =>
        say(`ApiError ${error.errorCode ?? "-"} (HTTP ${error.status}): ${error.message}`))
    )

    yield* step("The user installs the Authy app")
    if (Option.isSome(control)) {
      const device = yield* control.value.registerDevice(user.id, { osType: "android" })
      yield* say(`device ${device.deviceId} registered`)
      const ignored = yield* Users.requestSms(user.id)
      yield* say(`SMS without force: ignored=${ignored.ignored} — ${ignored.message}`)
      const forced = yield* Users.requestSms(user.id, { force: true })
      yield* say(`SMS with force: ignored=${forced.ignored} — ${forced.message}`)
      const code = yield* control.value.lastCode(user.id)
      yield* say(`forced SMS code ${maskCode(code)}: ${(yield* Tokens.verify(user.id, code)).message}`)
      const appCode = yield* control.value.totp(user.id)
      yield* say(`app code ${maskCode(appCode)}: ${(yield* Tokens.verify(user.id, appCode)).message}`)
    } else {
      yield* skipped("installing the app")
    }

    yield* step("OneTouch approval")
    const { approvalRequest } = yield* OneTouch.sendRequest(user.id, {
      message: "Log in to Example",
      details: { Browser: "Firefox", Location: "Bogotá" },
      secondsToExpire: 120
    })
    yield* say(`request ${approvalRequest.uuid} sent`)
    if (Option.isSome(control)) {
      yield* control.value.approve(approvalRequest.uuid)
      yield* say("the user taps Approve (through the control API)")
      const answer = yield* OneTouch.awaitApproval(approvalRequest.uuid, { timeout: "10 seconds" })
      yield* say(`status: ${answer.approvalRequest.status}`)
    } else {
      const answer = yield* OneTouch.getApprovalStatus(approvalRequest.uuid)
      yield* say(`status: ${answer.approvalRequest.status}`)
      yield* skipped("approving the request")
    }

    yield* step("Phone verification")
    const verificationPhone = { phoneNumber: cellphone }
    const started = yield* Phones.startVerification({ ...verificationPhone, via: "sms" })
    yield* say(maskPhone(started.message))
    if (Option.isSome(control)) {
      const message = (yield* control.value.messages()).filter((m) => m.channel === "verification").at(-1)
      const code = message?.code ?? "0000"
      const checked = yield* Phones.checkVerification({ ...verificationPhone, verificationCode: code })
      yield* say(`code ${maskCode(code)}: ${checked.message}`)
    } else {
      yield* skipped("reading the verification code")
    }

    yield* step("Statistics")
    const stats = yield* App.stats()
    for (const month of stats.stats.slice(-1)) {
      yield* say(
        `${month.month} ${month.year}: ${month.usersCount} users, ${month.smsCount} SMS, ${month.callsCount} calls, ` +
          `${month.authsCount} successful verifications, ${month.apiCallsCount} API calls`
      )
    }

    yield* step("Remove the user")
    yield* say((yield* Users.remove(user.id)).message)
  })

const againstEmulator = Effect.flatMap(Emulator, (emulator) =>
  Console.log(`Authy emulator started at ${emulator.url}`).pipe(Effect.zipRight(story(Option.some(emulator.control))))
).pipe(Effect.provide(Emulator.layerAuthy().pipe(Layer.provide(UndiciHttpClient.layer))))

const againstServer = Effect.gen(function*() {
  const url = yield* Config.string("AUTHY_API_URL").pipe(Config.withDefault("https://api.authy.com"))
  yield* Console.log(`Using the Authy server at ${url} (AUTHY_API_KEY from the environment)`)
  yield* story(Option.none())
}).pipe(Effect.provide(AuthyService.layerConfig().pipe(Layer.provide(UndiciHttpClient.layer))))

const main = Effect.flatMap(
  Config.option(Config.redacted("AUTHY_API_KEY")),
  (key): Effect.Effect<void, AuthyError | ServeError | ConfigError> => Option.isSome(key) ? againstServer : againstEmulator
).pipe(Effect.zipRight(Console.log("\nDone.")))

NodeRuntime.runMain(main)
