/**
 * The command line of `effect-authy-emulator`.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { defaultApiKey } from "./Emulator.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Arguments {
  readonly port: number
  readonly host: string
  readonly apiKeys: ReadonlyArray<string>
  readonly help: boolean
}

/**
 * @since 0.1.0
 * @category usage
 */
export const usage = `Usage: effect-authy-emulator [--port 4010] [--host 127.0.0.1] [--api-key KEY]...

A local Authy API server. Control API under /__emulator (same API key).

  --port PORT      port to listen on (default 4010; 0 picks a free one)
  --host HOST      interface to bind (default 127.0.0.1)
  --api-key KEY    an API key to accept; repeat for several applications
                   (default: ${defaultApiKey})
  -h, --help       this text`

/**
 * Parses the arguments; throws with a readable message on bad input.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (args: ReadonlyArray<string>): Arguments => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: "string", default: "4010" },
      host: { type: "string", default: "127.0.0.1" },
      "api-key": { type: "string", multiple: true },
      help: { type: "boolean", short: "h", default: false }
    },
    strict: true,
    allowPositionals: false
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0 to 65535`)
  const apiKeys = values["api-key"] ?? [defaultApiKey]
  if (apiKeys.some((key) => key.trim() === "")) throw new Error("--api-key must not be empty")
  return { port, host: values.host ?? "127.0.0.1", apiKeys, help: values.help ?? false }
}
