/**
 * OneTouch by polling: send a push approval request, then wait for the user's
 * answer with `OneTouch.awaitApproval`, which polls the request's status
 * (backing off, and never past its expiry) until it is no longer pending.
 *
 *   npx tsx examples/onetouch-poll.ts
 *       against an in-process Authy emulator, where a "user" taps Approve a
 *       moment later (through the emulator's control handle)
 *   AUTHY_API_KEY=... AUTHY_ID=... npx tsx examples/onetouch-poll.ts
 *       against that server (AUTHY_API_URL, default https://api.authy.com):
 *       answer the push on the phone of Authy user AUTHY_ID
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Config, Console, Effect, Layer, Option } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { type AuthyError, AuthyService, OneTouch, type Responses, Users } from "effect-authy"
import { Emulator, type EmulatorControl } from "effect-authy/emulator"

/** Sends the request and waits for the answer; `answer` plays the user, if given. */
const approveLogin = (authyId: number, answer: Option.Option<(uuid: string) => Effect.Effect<void>>) =>
  Effect.gen(function*() {
    const { approvalRequest } = yield* OneTouch.sendRequest(authyId, {
      message: "Log in to Example?",
      details: { Browser: "Firefox", Location: "Bogotá" },
      hiddenDetails: { ip: "203.0.113.7" },
      secondsToExpire: 120
    })
    yield* Console.log(`Approval request ${approvalRequest.uuid} sent to Authy id ${authyId}`)
    if (Option.isSome(answer)) {
      // The user looks at the phone a moment later. Forked, so that the
      // polling below is what notices the answer.
      yield* Effect.fork(Effect.zipRight(Effect.sleep("1500 millis"), answer.value(approvalRequest.uuid)))
    }
    yield* Console.log("Waiting for the answer (polling)...")
    const result = yield* OneTouch.awaitApproval(approvalRequest.uuid, { timeout: "2 minutes" })
    const { processedAt, status } = result.approvalRequest
    yield* Console.log(`Answer: ${status}${processedAt ? ` (at ${processedAt})` : ""}`)
    return status
  })

/** On the emulator: a user with the Authy app, who approves through the control handle. */
const onEmulator = (control: EmulatorControl) =>
  Effect.gen(function*() {
    const { user } = yield* Users.create({ email: "ada@example.com", cellphone: "+57 305 342 5699" })
    yield* control.registerDevice(user.id)
    const tapApprove = (uuid: string) =>
      Effect.zipRight(Console.log("(the user taps Approve)"), control.approve(uuid))
    return yield* approveLogin(user.id, Option.some(tapApprove))
  })

const againstEmulator = Effect.flatMap(Emulator, (emulator) =>
  Console.log(`Authy emulator started at ${emulator.url}`).pipe(Effect.zipRight(onEmulator(emulator.control)))
).pipe(Effect.provide(Emulator.layerAuthy().pipe(Layer.provide(NodeHttpClient.layerUndici))))

const againstServer = Effect.gen(function*() {
  const authyId = yield* Config.integer("AUTHY_ID")
  yield* Console.log(`Open the Authy app of user ${authyId} to answer.`)
  return yield* approveLogin(authyId, Option.none())
}).pipe(Effect.provide(AuthyService.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))))

const main = Effect.flatMap(
  Config.option(Config.redacted("AUTHY_API_KEY")),
  (key): Effect.Effect<Responses.ApprovalStatus, AuthyError | ServeError | ConfigError> =>
    Option.isSome(key) ? againstServer : againstEmulator
).pipe(
  Effect.flatMap((status) => status === "approved" ? Console.log("Logged in.") : Console.log(`Not logged in (${status}).`))
)

NodeRuntime.runMain(main)
