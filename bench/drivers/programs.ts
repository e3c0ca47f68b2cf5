/**
 * The public effect-authy program behind each benchmarked operation, for a
 * target: what the driver runs over the network and the micro bench runs
 * against an in-process answer.
 */
import type { Effect } from "effect"
import type * as Library from "../../src/index.js"
import { sample } from "./paths.js"
import type { Operation, Target } from "./protocol.js"

/** The library's programs: from the sources, or the build a run made (bench/lib/library.ts). */
export const programsFor = (
  { App, OneTouch, Phones, Tokens, Users }: typeof Library,
  target: Target
): Record<Operation, () => Effect.Effect<unknown, unknown, Library.AuthyService>> => ({
  verify: () => Tokens.verify(target.authyId, target.token),
  status: () => Users.status(target.authyId),
  create: () => Users.create({ email: sample.email, cellphone: sample.cellphone, countryCode: sample.countryCode }),
  sms: () => Users.requestSms(target.authyId),
  oneTouchCreate: () => OneTouch.sendRequest(target.authyId, { message: sample.approvalMessage }),
  oneTouchStatus: () => OneTouch.getApprovalStatus(sample.approvalUuid),
  phoneStart: () => Phones.startVerification({ phoneNumber: sample.cellphone, countryCode: sample.countryCode, via: "sms" }),
  appDetails: () => App.details()
})
