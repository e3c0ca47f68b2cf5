/**
 * The `authy-client` package from npm (promises on `request`); the base URL is
 * its `host` option. It checks every answer itself and answers camelCased.
 */
import { createRequire } from "node:module"
import { runDriver } from "./loop.js"
import { sample } from "./paths.js"
import type { Operation } from "./protocol.js"

interface AuthyClient {
  verifyToken(options: { authyId: number; token: string; force: boolean }): Promise<unknown>
  getUserStatus(options: { authyId: number }): Promise<unknown>
  registerUser(options: { email: string; phone: string; countryCode: string }): Promise<unknown>
  requestSms(options: { authyId: number }): Promise<unknown>
  createApprovalRequest(options: { authyId: number; message: string }): Promise<unknown>
  getApprovalRequest(options: { id: string }): Promise<unknown>
  startPhoneVerification(options: { phone: string; countryCode: string; via: string }): Promise<unknown>
  getApplicationDetails(): Promise<unknown>
}

const require = createRequire(import.meta.url)
const { Client } = require("authy-client") as {
  Client: new(options: { key: string }, settings: { host: string }) => AuthyClient
}

/** Fails unless the client resolved with an object (it validates the body itself and rejects otherwise). */
const answered = async (operation: string, promise: Promise<unknown>): Promise<void> => {
  if (typeof (await promise) !== "object") throw new Error(`${operation}: unexpected answer`)
}

await runDriver(async ({ target }) => {
  const client = new Client({ key: target.apiKey }, { host: target.url })
  const calls: Record<Operation, () => Promise<unknown>> = {
    // authy-client itself rejects unless the body says the token is valid.
    verify: () => client.verifyToken({ authyId: target.authyId, token: target.token, force: true }),
    status: () => client.getUserStatus({ authyId: target.authyId }),
    create: () => client.registerUser({ email: sample.email, phone: sample.cellphone, countryCode: "US" }),
    sms: () => client.requestSms({ authyId: target.authyId }),
    oneTouchCreate: () => client.createApprovalRequest({ authyId: target.authyId, message: sample.approvalMessage }),
    oneTouchStatus: () => client.getApprovalRequest({ id: sample.approvalUuid }),
    phoneStart: () => client.startPhoneVerification({ phone: sample.cellphone, countryCode: "US", via: "sms" }),
    appDetails: () => client.getApplicationDetails()
  }
  return Object.fromEntries(Object.entries(calls).map(([operation, call]) => [operation, () => answered(operation, call())]))
})
