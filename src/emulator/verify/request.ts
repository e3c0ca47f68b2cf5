/**
 * The Twilio front: which requests are Twilio's (`/v2/…` paths, and control
 * calls with Basic credentials), whose account their Basic credentials name
 * (account SID and auth token, or an API key `SK…` and its secret), and
 * their parameters (Twilio's form; the control API's JSON or form). Then
 * each handler runs on the account atomically and writes the reply.
 *
 * @since 0.2.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Context as EffectContext, Effect, Either } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { type Reply, respond } from "../core/dialect.js"
import * as Params from "../core/params.js"
import {
  baseUrlOf,
  firstHeader,
  isControlPath,
  makeFront,
  Refused,
  RequestScope,
  type Scope,
  pathOf,
  searchParamsOf
} from "../core/request.js"
import { type Account, type Credentials, type Service, VerifyState } from "./State.js"
import * as Wire from "./wire.js"

const basic = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const header = firstHeader(request.headers.authorization)
  return header !== undefined && /^basic\s/i.test(header.trim()) ? header.trim().slice(6).trim() : undefined
}

/**
 * Whether a request is answered in Twilio's dialect: every `/v2/…` path
 * (Verify and Lookup; Authy's paths never start so), and every control call
 * that carries Basic credentials (Authy's carry an API key).
 *
 * @since 0.2.0
 * @category front
 */
export const claims = (request: HttpServerRequest.HttpServerRequest): boolean => {
  const path = pathOf(request)
  return path === "/v2" || path.startsWith("/v2/") || (isControlPath(path) && basic(request) !== undefined)
}

/** Equal strings, compared in time independent of where they differ. */
const same = (a: string, b: string): boolean =>
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest())

/**
 * The account the request's Basic credentials name, if any: its SID and
 * auth token, or one of its API keys and that key's secret.
 *
 * @since 0.2.0
 * @category front
 */
export const accountOf = (
  request: HttpServerRequest.HttpServerRequest,
  accounts: ReadonlyArray<Credentials>
): Credentials | undefined => {
  const encoded = basic(request)
  if (encoded === undefined || encoded.length > 4096) return undefined
  const decoded = Buffer.from(encoded, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon <= 0) return undefined
  const user = decoded.slice(0, colon)
  const password = decoded.slice(colon + 1)
  return accounts.find((account) =>
    (account.accountSid === user && same(account.authToken, password)) ||
    (account.apiKeys ?? []).some((key) => key.sid === user && same(key.secret, password))
  )
}

/** The parameters of a body already read, or the 400 refusing them. */
const parse = (request: HttpServerRequest.HttpServerRequest, body: string): Either.Either<Params.Params, Refused> => {
  const search = searchParamsOf(request)
  const contentType = firstHeader(request.headers["content-type"])
  const parsed = isControlPath(pathOf(request))
    ? Params.fromRequest(search, body, contentType)
    : Params.fromForm(search, body, contentType)
  return parsed instanceof Params.MalformedBody
    ? Either.left(new Refused(Wire.dialect.badRequest(parsed.reason)))
    : Either.right(parsed)
}

const scopeOf = (
  request: HttpServerRequest.HttpServerRequest,
  state: Service,
  params: Either.Either<Params.Params, Refused>
): Scope => ({ dialect: Wire.dialect, tenant: accountOf(request, state.accounts)?.accountSid, params })

const front = makeFront(VerifyState, {
  parse,
  unreadable: () => new Refused(Wire.dialect.badRequest("unreadable body")),
  scopeOf
})

/**
 * The {@link scope} of a request whose body the emulator's server has
 * already read, computed at once; `undefined` when the body has to be read
 * first.
 *
 * @since 0.3.0
 * @category front
 */
export const readScope: (request: HttpServerRequest.HttpServerRequest, state: Service) => Scope | undefined =
  front.readScope

/**
 * What the emulator reads of a Twilio request before routing it: its
 * parameters (or why they were refused) and, as its tenant, the SID of the
 * account its credentials name.
 *
 * @since 0.2.0
 * @category front
 */
export const scope: Effect.Effect<Scope, never, VerifyState | HttpServerRequest.HttpServerRequest> = front.scope

/**
 * What a handler is given.
 *
 * @since 0.2.0
 * @category models
 */
export interface Context {
  readonly account: Account
  /** The account's clock, Unix milliseconds. */
  readonly now: number
  readonly params: Params.Params
  /** Path parameters of the route. */
  readonly path: Readonly<Record<string, string | undefined>>
  /** `http://host:port` as the client addressed the emulator: the base of every `url` answered. */
  readonly baseUrl: string
}

/**
 * A route handler running `f` on the account of the request's credentials;
 * 401 20003 when they name none.
 *
 * @since 0.2.0
 * @category handlers
 */
export const handler = (
  f: (context: Context) => Reply
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | RequestScope | HttpRouter.RouteContext | VerifyState
> =>
  Effect.contextWithEffect((
    context: EffectContext.Context<
      HttpServerRequest.HttpServerRequest | RequestScope | HttpRouter.RouteContext | VerifyState
    >
  ) => {
    const scope = EffectContext.get(context, RequestScope)
    if (scope.tenant === undefined) return Effect.succeed(respond(Wire.unauthorized))
    if (Either.isLeft(scope.params)) return Effect.succeed(respond(scope.params.left.reply))
    const params = scope.params.right
    const path = EffectContext.get(context, HttpRouter.RouteContext).params
    const baseUrl = baseUrlOf(EffectContext.get(context, HttpServerRequest.HttpServerRequest))
    const reply = EffectContext.get(context, VerifyState).use(
      scope.tenant,
      (account, now) => f({ account, now, params, path, baseUrl })
    )
    return Effect.match(reply, { onFailure: () => respond(Wire.unauthorized), onSuccess: respond })
  })
