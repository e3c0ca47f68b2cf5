/**
 * The request mix, shared by every driver that builds URLs itself, so that all
 * of them send the same requests as effect-authy does.
 */
import type { Target } from "./protocol.js"

export const verifyPath = (target: Target): string =>
  `/protected/json/verify/${encodeURIComponent(target.token)}/${target.authyId}?force=true`

export const statusPath = (target: Target): string => `/protected/json/users/${target.authyId}/status`

/** Throws unless a verify body says the token is valid: every driver checks what it got. */
export const checkVerified = (body: unknown): void => {
  if ((body as { token?: unknown } | null)?.token !== "is valid") throw new Error("verify: unexpected answer")
}

export const checkStatus = (body: unknown): void => {
  if (typeof (body as { status?: unknown } | null)?.status !== "object") throw new Error("status: unexpected answer")
}
