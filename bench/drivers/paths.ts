/**
 * The request mix, shared by every driver that builds requests itself (the
 * floor, bare Effect), so that all of them send what effect-authy sends for
 * the same call: method, path, query and JSON body. Also the checks every
 * driver applies to the answer, so that none of them counts a failure as a
 * request done.
 */
import type { Operation, Target } from "./protocol.js"

/** The inputs of the calls, shared with the drivers that call a client library. */
export const sample = {
  email: "bench@example.com",
  cellphone: "2015550123",
  countryCode: 1,
  approvalUuid: "00000000-0000-4000-8000-000000000001",
  approvalMessage: "Log in to bench"
} as const

export interface WireRequest {
  readonly method: "GET" | "POST"
  /** Path and query. */
  readonly path: string
  /** A POST's JSON body, already serialised. */
  readonly body?: string
}

/** What effect-authy sends for each call (see the endpoint builders in src/internal/authy/). */
export const wireRequest = (operation: Operation, target: Target): WireRequest => {
  switch (operation) {
    case "verify":
      return { method: "GET", path: `/protected/json/verify/${encodeURIComponent(target.token)}/${target.authyId}?force=true` }
    case "status":
      return { method: "GET", path: `/protected/json/users/${target.authyId}/status` }
    case "create":
      return {
        method: "POST",
        path: "/protected/json/users/new",
        body: JSON.stringify({ user: { email: sample.email, cellphone: sample.cellphone, country_code: sample.countryCode } })
      }
    case "sms":
      return { method: "GET", path: `/protected/json/sms/${target.authyId}` }
    case "oneTouchCreate":
      return {
        method: "POST",
        path: `/onetouch/json/users/${target.authyId}/approval_requests`,
        body: JSON.stringify({ message: sample.approvalMessage })
      }
    case "oneTouchStatus":
      return { method: "GET", path: `/onetouch/json/approval_requests/${sample.approvalUuid}` }
    case "phoneStart":
      return {
        method: "POST",
        path: "/protected/json/phones/verification/start",
        body: JSON.stringify({ via: "sms", phone_number: sample.cellphone, country_code: sample.countryCode })
      }
    case "appDetails":
      return { method: "GET", path: "/protected/json/app/details" }
  }
}

const field = (body: unknown, ...keys: ReadonlyArray<string>): unknown =>
  keys.reduce<unknown>((value, key) => (value as Record<string, unknown> | null | undefined)?.[key], body)

const expect = (ok: boolean, operation: Operation) => {
  if (!ok) throw new Error(`${operation}: unexpected answer`)
}

/** Throws unless the body is the answer the stub gives to this call: every driver checks what it got. */
export const checkAnswer = (operation: Operation, body: unknown): void => {
  switch (operation) {
    case "verify":
      return expect(field(body, "token") === "is valid", operation)
    case "status":
      return expect(typeof field(body, "status") === "object", operation)
    case "create":
      return expect(typeof field(body, "user", "id") === "number", operation)
    case "sms":
      return expect(typeof field(body, "cellphone") === "string", operation)
    case "oneTouchCreate":
      return expect(typeof field(body, "approval_request", "uuid") === "string", operation)
    case "oneTouchStatus":
      return expect(field(body, "approval_request", "status") === "pending", operation)
    case "phoneStart":
      return expect(typeof field(body, "message") === "string", operation)
    case "appDetails":
      return expect(typeof field(body, "app", "name") === "string", operation)
  }
}

/** The verify and status checks, by their old names. */
export const checkVerified = (body: unknown): void => checkAnswer("verify", body)
export const checkStatus = (body: unknown): void => checkAnswer("status", body)
