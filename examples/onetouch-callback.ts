/**
 * OneTouch by callback: instead of polling, the application serves a callback
 * URL, and Authy calls it when the user answers. `OneTouchCallback.handler`
 * verifies each call (signature with the API key, nonce freshness, replay)
 * before the application's code sees the typed event.
 *
 *   npx tsx examples/onetouch-callback.ts          # POST callbacks (JSON body)
 *   npx tsx examples/onetouch-callback.ts --get    # GET callbacks (query string)
 *
 * Runs against an in-process Authy emulator, configured to call this
 * server, where a "user" taps Approve through the control handle. (A real
 * Authy needs a public HTTPS URL, set in the application's dashboard; behind
 * a proxy pass that URL as the handler's `url` option.)
 */
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Console, Deferred, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { OneTouch, OneTouchCallback, Users } from "effect-authy"
import { Emulator } from "effect-authy/emulator"

const method = process.argv.includes("--get") ? "GET" : "POST"

/** The application's own reaction to an answer: here, a log line. */
const onAnswer = (event: OneTouchCallback.CallbackEvent) =>
  Console.log(
    `Verified callback: request ${event.uuid} was ${event.status} by Authy id ${event.authyId} ` +
      `("${event.message ?? ""}", details ${JSON.stringify(event.details)})`
  )

/** Serves the callback route on a free loopback port; answers the URL to give Authy. */
const serveCallbacks = (onEvent: (event: OneTouchCallback.CallbackEvent) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    const callback = OneTouchCallback.handler(onEvent)
    yield* HttpRouter.empty.pipe(
      HttpRouter.post("/authy/callback", callback),
      HttpRouter.get("/authy/callback", callback),
      HttpServer.serveEffect()
    )
    const port = yield* HttpServer.addressWith((address) =>
      Effect.succeed(address._tag === "TcpAddress" ? address.port : 0)
    )
    return `http://127.0.0.1:${port}/authy/callback`
  })

const program = Effect.gen(function*() {
  const emulator = yield* Emulator
  const answered = yield* Deferred.make<OneTouchCallback.CallbackEvent>()
  const url = yield* serveCallbacks((event) => Effect.zipRight(onAnswer(event), Deferred.succeed(answered, event)))
  yield* Console.log(`Callback server listening on ${url}`)
  yield* emulator.control.setCallback({ url, method })
  yield* Console.log(`Authy emulator at ${emulator.url} sends ${method} callbacks there`)

  const { user } = yield* Users.create({ email: "ada@example.com", cellphone: "+57 305 342 5699" })
  yield* emulator.control.registerDevice(user.id)
  const { approvalRequest } = yield* OneTouch.sendRequest(user.id, {
    message: "Log in to Example?",
    details: { Browser: "Firefox", Location: "Bogotá" },
    secondsToExpire: 120
  })
  yield* Console.log(`Approval request ${approvalRequest.uuid} sent; the user taps Approve`)
  yield* emulator.control.approve(approvalRequest.uuid)

  const event = yield* Deferred.await(answered).pipe(
    Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("No callback arrived within 10 seconds") })
  )
  yield* Console.log(event.status === "approved" ? "Logged in." : "Login refused.")
})

const AppLayer = Layer.mergeAll(
  Emulator.layerAuthy(),
  NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })
).pipe(Layer.provide(NodeHttpClient.layerUndici))

NodeRuntime.runMain(program.pipe(Effect.scoped, Effect.provide(AppLayer)))
