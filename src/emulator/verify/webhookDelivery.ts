/**
 * Sends the service webhooks of factor and challenge events as Twilio does:
 * an HTTP POST with a form body (`uuid`, `type`, `account_sid`,
 * `service_sid`, `entity_identity`, `factor_sid`, `factor_type`, and for a
 * challenge `challenge_sid`, `challenge_status`, `challenge_details`…),
 * signed with `X-Twilio-Signature` under the account's auth token, and
 * carrying the event's `uuid` as `I-Twilio-Idempotency-Token`.
 *
 * Fire-and-forget, one attempt with a short timeout (Twilio documents no
 * retry schedule for Verify webhooks); every attempt is recorded in the
 * account's deliveries with the status answered or why there was none.
 *
 * @since 0.2.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Context, Duration, Effect, Exit, FiberSet, Layer, type Scope } from "effect"
import { randomUUID } from "node:crypto"
import * as Signature from "../../internal/verify/signature.js"
import type { Account, Delivery, Event, Service } from "./State.js"
import { VerifyState } from "./State.js"
import { subscribed } from "./webhooks.js"
import * as Wire from "./wire.js"

/**
 * How long a receiver has to answer, and how many deliveries an account keeps.
 *
 * @since 0.2.0
 * @category constants
 */
export const limits = { timeout: Duration.seconds(5), maxKept: 1000 } as const

/**
 * The deliveries an event makes: one per subscribed, enabled webhook.
 *
 * @since 0.2.0
 * @category delivery
 */
export const prepare = (account: Account, event: Event, now: number): ReadonlyArray<Omit<Delivery, "responseStatus" | "error">> => {
  const service = account.services.get(event.serviceSid)
  if (service === undefined) return []
  return subscribed(service, event.type).map((webhook) => {
    const uuid = randomUUID()
    const params = { uuid, type: event.type, ...event.fields }
    return {
      uuid,
      type: event.type,
      webhookSid: webhook.sid,
      url: webhook.url,
      signature: Signature.compute(account.credentials.authToken, webhook.url, params),
      params,
      sentAt: now
    }
  })
}

const request = (delivery: Omit<Delivery, "responseStatus" | "error">) =>
  HttpClientRequest.post(delivery.url, {
    headers: { "x-twilio-signature": delivery.signature, "i-twilio-idempotency-token": delivery.uuid }
  }).pipe(HttpClientRequest.bodyText(new URLSearchParams(delivery.params).toString(), "application/x-www-form-urlencoded"))

const describe = (exit: Exit.Exit<number, unknown>): Pick<Delivery, "responseStatus" | "error"> => {
  if (Exit.isSuccess(exit)) return { responseStatus: exit.value }
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  return { error: error instanceof Error ? error.message : "no answer" }
}

/**
 * Sends one delivery and records how it went. Never fails.
 *
 * @since 0.2.0
 * @category delivery
 */
export const deliver = (
  state: Service,
  client: HttpClient.HttpClient,
  accountSid: string,
  delivery: Omit<Delivery, "responseStatus" | "error">
): Effect.Effect<void> =>
  Effect.gen(function*() {
    // Real time, not the account's clock: how long the receiver took.
    const started = Date.now()
    const exit = yield* Effect.exit(
      client.execute(request(delivery)).pipe(
        Effect.flatMap((response) => Effect.as(Effect.ignore(response.arrayBuffer), response.status)),
        Effect.timeoutFail({ duration: limits.timeout, onTimeout: () => new Error("no answer in time") })
      )
    )
    const recorded: Delivery = { ...delivery, ...describe(exit), latencyMillis: Date.now() - started }
    yield* state.use(accountSid, (account) => {
      account.deliveries.push(recorded)
      if (account.deliveries.length > limits.maxKept) account.deliveries.shift()
    }).pipe(Effect.ignore)
  })

/**
 * Starts sending webhooks for the life of the scope, each in a fiber of its
 * own, with an undici client of the emulator's own.
 *
 * @since 0.2.0
 * @category delivery
 */
export const start: Effect.Effect<void, never, Scope.Scope | VerifyState> = Effect.gen(function*() {
  const state = yield* VerifyState
  const client = Context.get(yield* Layer.build(NodeHttpClient.layerUndici), HttpClient.HttpClient)
  const run = yield* FiberSet.makeRuntime<never, void, never>()
  yield* state.onEvent((account, event, now) => {
    for (const delivery of prepare(account, event, now)) {
      run(deliver(state, client, account.credentials.accountSid, delivery))
    }
  })
})

/**
 * A delivery as the control API lists it (`GET /__emulator/webhooks`).
 *
 * @since 0.2.0
 * @category wire
 */
export const deliveryBody = (delivery: Delivery) => ({
  uuid: delivery.uuid,
  type: delivery.type,
  webhook_sid: delivery.webhookSid,
  url: delivery.url,
  ...(delivery.responseStatus === undefined ? {} : { response_status: delivery.responseStatus }),
  ...(delivery.error === undefined ? {} : { error: delivery.error }),
  signature: delivery.signature,
  sent_at: Wire.iso(delivery.sentAt),
  params: delivery.params
})
