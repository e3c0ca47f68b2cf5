/**
 * The emulator as the CLI runs it (`Emulator.layer`, default profile), in a
 * process of its own, serving the bench's API key.
 *
 * Prints `listening <url> pid <pid>`: the harness reads the process's CPU time.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import type * as EmulatorModule from "../../src/emulator/Emulator.js"
import { importLibrary } from "../lib/library.js"
import { apiKey } from "./cells.js"

const { Emulator, layer } = await importLibrary<typeof EmulatorModule>("emulator/Emulator")

const announce = Effect.flatMap(Emulator, (emulator) =>
  Effect.sync(() => process.stdout.write(`listening ${emulator.url} pid ${process.pid}\n`)))

Layer.launch(Layer.effectDiscard(announce).pipe(Layer.provideMerge(layer({ apiKeys: [apiKey] })))).pipe(
  NodeRuntime.runMain
)
