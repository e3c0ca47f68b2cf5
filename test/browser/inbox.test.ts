/**
 * The emulator's web inbox in a real headless Chromium (Debian's `chromium`
 * through playwright-core): what a developer does with it, end to end, with
 * the clients on one side and the page on the other.
 *
 * - An SMS requested through the client appears in the open page, live
 *   (Server-Sent Events, no reload), within a second; the code read from the
 *   page verifies through the client.
 * - A OneTouch request: Approve clicked in the page, the client's
 *   `awaitApproval` resolves `approved`, the callback shows as delivered.
 * - The same for a Verify push challenge and its webhook.
 *
 * Each view is saved as a screenshot: into docs/images/ with
 * `UPDATE_SCREENSHOTS=1` (for the README), else into the system temp folder,
 * so that a test run never dirties the checkout.
 *
 * Run by `npm run test:browser` (and .ci/run), not by `npm test`.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Fiber, Layer, ManagedRuntime, Redacted, Schedule } from "effect"
import { existsSync, mkdirSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AuthyService, OneTouch, Tokens, Users } from "effect-authy"
import { defaultApiKey, Emulator } from "effect-authy/emulator"
import { Challenges, Services, VerifyService, Webhooks } from "effect-authy/verify"

/** Debian's chromium, or the one `CHROMIUM_PATH` names, or the first `chromium` on the PATH. */
const chromiumPath = (): string => {
  const candidates = [
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    ...(process.env.PATH ?? "").split(":").flatMap((dir) => [join(dir, "chromium"), join(dir, "chromium-browser")])
  ]
  const found = candidates.find((path) => path !== undefined && path !== "" && existsSync(path))
  if (found === undefined) throw new Error("No chromium found: install Debian's chromium package or set CHROMIUM_PATH")
  return found
}

const screenshots = process.env.UPDATE_SCREENSHOTS === "1"
  ? join(import.meta.dirname, "..", "..", "docs", "images")
  : join(tmpdir(), "effect-authy-inbox-screenshots")

const Env = Emulator.layerAuthy().pipe(Layer.provideMerge(NodeHttpClient.layerUndici))
type Env = Layer.Layer.Success<typeof Env>

let runtime: ManagedRuntime.ManagedRuntime<Env, unknown>
let browser: Browser
let page: Page
let url: string
let receiver: Server
let receiverUrl: string
/** The request bodies the application's endpoint received. */
const received: Array<string> = []

const run = <A, E>(effect: Effect.Effect<A, E, Env>): Promise<A> => runtime.runPromise(effect)

const shoot = async (name: string) => {
  await page.screenshot({ path: join(screenshots, `inbox-${name}.png`), fullPage: true })
}

const view = async (name: string) => {
  await page.click(`nav a[data-view="${name}"]`)
  await page.waitForSelector(`main[data-view="${name}"]`)
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  // The application's endpoint for OneTouch callbacks and Verify webhooks: answers 200.
  receiver = createServer((req, res) => {
    let body = ""
    req.on("data", (chunk: Buffer) => (body += chunk.toString()))
    req.on("end", () => {
      received.push(body)
      res.writeHead(200, { "content-type": "text/plain" }).end("ok")
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  const address = receiver.address()
  receiverUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
  runtime = ManagedRuntime.make(Env)
  url = await run(Effect.map(Emulator, (e) => e.url))
  await run(Effect.flatMap(Emulator, (e) => e.control.setCallback({ url: `${receiverUrl}/authy/callback` })))
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] })
  page = await browser.newPage({ viewport: { width: 1100, height: 800 }, colorScheme: "light" })
  await page.goto(`${url}/`)
  // The event stream is open: everything from here on arrives live.
  await page.waitForSelector("#live.on")
})

afterAll(async () => {
  await browser?.close()
  await runtime?.dispose()
  await new Promise<void>((resolve) => (receiver === undefined ? resolve() : receiver.close(() => resolve())))
})

describe("the web inbox in Chromium", () => {
  it("shows an SMS code live, and that code verifies through the client", async () => {
    const { user } = await run(Users.create({ email: "ada@example.com", cellphone: "+57 305 342 5699" }))
    await run(Users.requestSms(user.id))
    const code = page.locator(`.message[data-to="+573053425699"] .code`).first()
    // Live: no reload, the page learns of it from the event stream.
    await code.waitFor({ timeout: 1_000 })
    const shown = (await code.textContent()) ?? ""
    expect(shown).toMatch(/^\d{7}$/)
    expect(await page.locator(`.message[data-to="+573053425699"]`).first().getAttribute("data-state")).toBe("pending")
    const verified = await run(Tokens.verify(user.id, shown))
    expect(verified.token).toBe("is valid")
    // The page shows it used, again without a reload.
    await page.locator(`.message[data-to="+573053425699"][data-state="used"]`).first().waitFor()
    // Something for the other screenshots: a second user with the Authy app.
    const other = await run(Users.create({ email: "grace@example.com", cellphone: "+1 201 555 0123" }))
    await run(Effect.flatMap(Emulator, (e) => e.control.registerDevice(other.user.id, { osType: "ios" })))
    await run(Users.requestSms(user.id))
    await page.locator(`.message[data-to="+573053425699"][data-state="pending"]`).first().waitFor()
    await shoot("inbox")
    await page.emulateMedia({ colorScheme: "dark" })
    await shoot("inbox-dark")
    await page.emulateMedia({ colorScheme: "light" })
    await view("phones")
    await page.locator(`.user[data-authy-id="${other.user.id}"] .totp`).waitFor()
    await page.locator(`.user[data-authy-id="${other.user.id}"] summary`).click()
    await page.locator(`.user[data-authy-id="${other.user.id}"] img[src]`).waitFor()
    // Loaded: a QR image has a width once decoded (evaluated in the page, written as text: no DOM types here).
    await page.waitForFunction("Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0)")
    await shoot("phones")
  })

  it("approves a OneTouch request from the page: awaitApproval resolves approved, the callback is delivered", async () => {
    const { user } = await run(Users.create({ email: "ada@example.com", cellphone: "+57 305 342 5699" }))
    const sent = await run(OneTouch.sendRequest(user.id, {
      message: "Log in to Example?",
      details: { Location: "Bogotá", Browser: "Firefox" },
      secondsToExpire: 300
    }))
    const uuid = sent.approvalRequest.uuid
    const waiting = runtime.runFork(OneTouch.awaitApproval(uuid, { schedule: Schedule.spaced("100 millis"), timeout: "1 minute" }))
    await view("approvals")
    const phone = page.locator(`.phone[data-id="${uuid}"]`)
    await phone.waitFor()
    // A second, pending one for the screenshot.
    await run(OneTouch.sendRequest(user.id, { message: "Transfer $120.00 to Grace?", details: { Amount: "$120.00" } }))
    await page.locator(".phone").nth(1).waitFor()
    await shoot("approvals")
    // A phone-sized window: one column, nothing cut off.
    await page.setViewportSize({ width: 390, height: 800 })
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true)
    await shoot("approvals-narrow")
    await page.setViewportSize({ width: 1100, height: 800 })
    await phone.getByRole("button", { name: "Approve" }).click()
    const answer = await runtime.runPromise(Fiber.join(waiting))
    expect(answer.approvalRequest.status).toBe("approved")
    await page.locator(`.answered[data-id="${uuid}"][data-status="approved"]`).waitFor()
    await view("deliveries")
    const delivery = page.locator(`.delivery[data-id="${uuid}"]`)
    await delivery.waitFor()
    expect(await delivery.getAttribute("data-outcome")).toBe("delivered")
    expect(await delivery.locator(".status").textContent()).toBe("HTTP 200")
    expect(received.some((body) => body.includes(uuid))).toBe(true)
    await delivery.locator("summary").click()
    await shoot("callbacks")
  })

  it("approves a Verify push challenge from the page: awaitChallenge resolves approved, the webhook is delivered", async () => {
    const account = await run(Effect.map(Emulator, (e) => e.accounts[0]!))
    const connection = { accountSid: account.accountSid, authToken: Redacted.make(account.authToken), baseUrl: url, lookupUrl: url }
    const verify = <A, E>(effect: Effect.Effect<A, E, VerifyService | HttpClient.HttpClient>, serviceSid: string) =>
      run(effect.pipe(Effect.provide(VerifyService.layer({ ...connection, serviceSid }))))
    const service = await verify(Services.create({ friendlyName: "Example" }), `VA${"0".repeat(32)}`)
    await verify(Webhooks.create({
      friendlyName: "login",
      eventTypes: ["challenge.approved", "challenge.denied"],
      webhookUrl: `${receiverUrl}/twilio/webhook`
    }), service.sid)
    // What the Verify Push SDK does on the phone: a push factor with the device's key.
    const factorSid = await run(Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const response = yield* HttpClientRequest.post(`${url}/v2/Services/${service.sid}/Entities/ada-lovelace-1815/Factors`).pipe(
        HttpClientRequest.basicAuth(account.accountSid, account.authToken),
        HttpClientRequest.bodyUrlParams({
          FriendlyName: "Ada's phone",
          FactorType: "push",
          "Binding.Alg": "ES256",
          "Binding.PublicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
          "Config.AppId": "com.example.app",
          "Config.NotificationPlatform": "none",
          "Config.SdkVersion": "1.0"
        }),
        client.execute
      )
      return ((yield* response.json) as { readonly sid: string }).sid
    }).pipe(Effect.scoped))
    const challenge = await verify(Challenges.create("ada-lovelace-1815", {
      factorSid,
      message: "Log in to Example?",
      fields: [{ label: "Location", value: "Bogotá" }],
      expiresIn: "2 minutes"
    }), service.sid)
    const waiting = runtime.runFork(
      Challenges.awaitChallenge("ada-lovelace-1815", challenge.sid, { schedule: Schedule.spaced("100 millis"), timeout: "1 minute" }).pipe(
        Effect.provide(VerifyService.layer({ ...connection, serviceSid: service.sid }))
      )
    )
    await page.selectOption("#tenant", "t0")
    await view("approvals")
    const phone = page.locator(`.phone[data-id="${challenge.sid}"]`)
    await phone.waitFor()
    // By keyboard this time: the buttons are real buttons.
    await phone.getByRole("button", { name: "Approve" }).focus()
    await page.keyboard.press("Enter")
    const answer = await runtime.runPromise(Fiber.join(waiting))
    expect(answer.status).toBe("approved")
    await view("deliveries")
    const delivery = page.locator(".delivery").first()
    await delivery.waitFor()
    expect(await delivery.getAttribute("data-outcome")).toBe("delivered")
    expect(await delivery.locator(".status").textContent()).toBe("HTTP 200")
    expect(received.some((body) => body.includes(challenge.sid))).toBe(true)
  })

  it("settings: advancing the clock from the page moves the application's clock", async () => {
    await page.selectOption("#tenant", "a0")
    await view("settings")
    const before = await run(Effect.flatMap(Emulator, (e) => e.control.now))
    await page.getByRole("button", { name: "+1 day" }).click()
    await page.locator("#notice", { hasText: "Clock advanced" }).waitFor()
    const after = await run(Effect.flatMap(Emulator, (e) => e.control.now))
    expect(after - before).toBeGreaterThanOrEqual(86_400_000)
    await shoot("settings")
  })

  it("settings: Remove takes away that one fault, the others stay", async () => {
    await page.selectOption("#tenant", "a0")
    await view("settings")
    // Added over the control API: the open page is told and shows them without a reload.
    const add = async (path: string): Promise<string> => {
      const response = await fetch(`${url}/__emulator/faults`, {
        method: "POST",
        headers: { "x-authy-api-key": defaultApiKey, "content-type": "application/json" },
        body: JSON.stringify({ path })
      })
      return ((await response.json()) as { fault: { id: string } }).fault.id
    }
    const removed = await add("/protected/json/sms/*")
    const kept = await add("/protected/json/call/*")
    await page.locator(`button[data-fault="${kept}"]`).waitFor()
    await page.locator(`button[data-fault="${removed}"]`).click()
    await page.locator("#notice", { hasText: "Fault removed." }).waitFor()
    await page.locator(`button[data-fault="${removed}"]`).waitFor({ state: "detached" })
    const left = await run(Effect.flatMap(Emulator, (e) => e.control.faults))
    expect(left.map((f) => f.id)).toEqual([kept])
    expect(await page.locator(`button[data-fault="${kept}"]`).isVisible()).toBe(true)
    await run(Effect.flatMap(Emulator, (e) => e.control.clearFaults))
  })
})

// AuthyService is provided by Emulator.layerAuthy; named here so the type import is used.
export type { AuthyService }
