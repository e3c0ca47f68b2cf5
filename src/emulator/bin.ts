/**
 * `effect-authy-emulator` / `npm run emulator`: serves the emulator until
 * SIGINT or SIGTERM, which `NodeRuntime.runMain` turns into an interruption
 * that closes the server. `@effect/cli` answers `--help`, `--version` and
 * `--completions`; a bad argument is its message on stderr and exit code 2.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import * as Cli from "./cli.js"
import { Emulator, layer } from "./Emulator.js"

const announce = (ui: boolean) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator
    yield* Console.log(`Authy emulator listening on ${emulator.url}`)
    if (ui) yield* Console.log(`Inbox (web UI): ${emulator.url}/`)
    yield* Console.log(`API keys accepted: ${emulator.apiKeys.join(", ")}`)
    yield* Console.log(`Twilio Verify v2 and Lookup v2 on the same URL (/v2/...), Basic auth as:`)
    for (const account of emulator.accounts) {
      yield* Console.log(`  account SID ${account.accountSid}, auth token ${account.authToken}`)
    }
    yield* Console.log(`Control API: ${emulator.url}/__emulator (e.g. GET /__emulator/messages?authy_id=1)`)
    const random = yield* emulator.control.randomFaults
    if (random.rate > 0) {
      yield* Console.log(`Random faults: ${random.rate * 100}% of API requests (${random.kinds.join(", ")})`)
    }
  })

/** A bad command line or an unusable port: readable lines on stderr, exit code 2, no stack. */
const usageError = (message: string) =>
  Console.error(message).pipe(Effect.zipRight(Effect.sync(() => (process.exitCode = 2))))

const isAddressInUse = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "cause" in error &&
  typeof error.cause === "object" && error.cause !== null && "code" in error.cause && error.cause.code === "EADDRINUSE"

const serve = ({ emulator: parsed }: { readonly emulator: Omit<Cli.Arguments, "help"> }) =>
  Layer.launch(
    Layer.effectDiscard(announce(parsed.ui !== false)).pipe(
      Layer.provideMerge(layer({
        apiKeys: parsed.apiKeys,
        port: parsed.port,
        host: parsed.host,
        ...(parsed.ui === undefined ? {} : { ui: parsed.ui }),
        ...(parsed.accounts === undefined ? {} : { accounts: parsed.accounts }),
        ...(parsed.profile === undefined ? {} : { profile: parsed.profile }),
        ...(parsed.settings === undefined ? {} : { settings: parsed.settings }),
        ...(parsed.state === undefined ? {} : { state: parsed.state }),
        ...(parsed.callback === undefined ? {} : { callback: parsed.callback }),
        ...(parsed.faultRate === undefined ? {} : {
          randomFaults: { rate: parsed.faultRate, ...(parsed.faultKinds === undefined ? {} : { kinds: parsed.faultKinds }) }
        })
      }))
    )
  ).pipe(
    Effect.catchIf(isAddressInUse, () => usageError(`port ${parsed.port} is in use; pass --port 0 for a free one`))
  )

const run = Command.run(Command.withHandler(Cli.command, serve), Cli.app)

run(process.argv).pipe(
  // @effect/cli has printed the reason already.
  Effect.catchIf(
    ValidationError.isValidationError,
    () => usageError(`Run ${Cli.app.name} --help for the flags and their environment variables.`)
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
