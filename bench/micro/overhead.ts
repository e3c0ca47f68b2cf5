/**
 * The client's own cost per call, without a network: a stub HttpClient answers
 * a canned Authy body at once, so what is left is effect-authy (or a bare
 * Effect HttpClient call, for comparison). CPU microseconds per call.
 *
 *   npx tsx bench/micro/overhead.ts [calls]
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { AuthyService, Tokens } from "../../src/index.js"

const body = JSON.stringify({ message: "Token is valid.", token: "is valid", success: "true" })
const stub = HttpClient.make((request) =>
  Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { status: 200, headers: { "content-type": "application/json" } })))
)
const StubLive = Layer.succeed(HttpClient.HttpClient, stub)

const calls = Number(process.argv[2] ?? 20_000)

const measure = async (label: string, call: Effect.Effect<unknown, unknown, never>) => {
  const loop = Effect.forEach(Array.from({ length: calls }), () => call, { concurrency: 64, discard: true })
  await Effect.runPromise(loop) // warm-up
  const cpu = process.cpuUsage()
  const started = performance.now()
  await Effect.runPromise(loop)
  const used = process.cpuUsage(cpu)
  const wall = performance.now() - started
  console.log(`${label.padEnd(28)} ${((used.user + used.system) / calls).toFixed(1).padStart(7)} µs CPU/call  ${(calls / wall * 1000).toFixed(0).padStart(7)} calls/s`)
}

const authy = ManagedRuntime.make(
  AuthyService.layer({ apiKey: Redacted.make("k"), apiUrl: "https://api.authy.test" }).pipe(Layer.provide(StubLive))
)
const service = await authy.runPromise(AuthyService)

const bare = Effect.flatMap(
  stub.get("https://api.authy.test/protected/json/verify/1234567/1", { urlParams: { force: "true" } }),
  (response) => response.json
)

for (let round = 0; round < 3; round++) {
  await measure("bare Effect HttpClient", bare)
  await measure("effect-authy Tokens.verify", service.tokens.verify(1, "1234567"))
}
await authy.dispose()
void Tokens
