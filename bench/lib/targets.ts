/**
 * The servers a run measures against: the HTTP and HTTPS stubs and the
 * emulator, each in its own process on 127.0.0.1.
 */
import type { Target } from "../drivers/protocol.js"
import type { Certificate } from "./cert.js"
import { type RunningServer, startServer } from "./processes.js"

export interface Server {
  readonly name: string
  readonly target: Target
  readonly stop: () => void
}

const stubTarget = (url: string): Target => ({ url, apiKey: "bench-key", authyId: 1635, token: "1234567" })

export const startStub = async (certificate?: Certificate): Promise<Server> => {
  const args = certificate === undefined ? ["http"] : ["https", certificate.certFile, certificate.keyFile]
  const server = await startServer("bench/servers/stub.ts", args, /listening (\S+)/, 30_000, "server")
  return { name: certificate === undefined ? "HTTP" : "HTTPS", target: stubTarget(server.url), stop: server.stop }
}

const emulatorKey = "bench-key"

/** Registers the user whose status the drivers then read. */
const createUser = async (url: string): Promise<number> => {
  const response = await fetch(`${url}/protected/json/users/new`, {
    method: "POST",
    headers: { "x-authy-api-key": emulatorKey, "content-type": "application/json" },
    body: JSON.stringify({ user: { email: "bench@example.com", cellphone: "2015550123", country_code: 1 } })
  })
  const body = (await response.json()) as { user?: { id?: number } }
  if (typeof body.user?.id !== "number") throw new Error(`emulator: could not create a user: ${JSON.stringify(body)}`)
  return body.user.id
}

/** The emulator's CLI in its own process, with one user. */
export const startEmulator = async (): Promise<Server> => {
  const server: RunningServer = await startServer(
    "src/emulator/bin.ts",
    ["--port", "0", "--host", "127.0.0.1", "--api-key", emulatorKey],
    /listening on (\S+)/
  )
  try {
    const authyId = await createUser(server.url)
    return { name: "emulator", target: { url: server.url, apiKey: emulatorKey, authyId, token: "0000000" }, stop: server.stop }
  } catch (error) {
    server.stop()
    throw error
  }
}
