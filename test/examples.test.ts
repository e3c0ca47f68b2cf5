/**
 * Every example runs, as a user would run it (`npx tsx examples/<file>.ts`),
 * against the in-process emulator: exit code 0 and the lines that show it
 * did its job.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const limit = 180_000 // a safety net for a hung example, far above the few seconds each takes

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs an example to its end, or kills it at the limit. `npx` runs the example
 * in a grandchild process, so the child leads a process group of its own and
 * the whole group is killed: killing `npx` alone would leave the example
 * running, holding the pipes open, and this promise would never settle.
 */
const runExample = (file: string, args: ReadonlyArray<string> = []): Promise<Run> => {
  // Without AUTHY_API_KEY the examples use the emulator, never a real server.
  const { AUTHY_API_KEY: _key, AUTHY_API_URL: _url, ...env } = process.env
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", `examples/${file}`, ...args], {
      cwd: root,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${limit} ms)`
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
    }, limit)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** The output, for the assertion message when the exit code is not 0. */
const succeeded = (run: Run) => expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)

// One at a time: each run is mostly CPU-bound start-up (loading and
// transpiling), and running them side by side only brings each nearer the limit.
describe.sequential("examples", () => {
  it("quickstart.ts: the whole two-factor story on the emulator", async () => {
    const run = await runExample("quickstart.ts")
    succeeded(run)
    expect(run.stdout).toContain("Authy emulator started at http://127.0.0.1:")
    expect(run.stdout).toMatch(/from the emulator's outbox: Token is valid\./)
    expect(run.stdout).toMatch(/A wrong code is refused\n\s+ApiError 60020 \(HTTP 401\)/)
    expect(run.stdout).toContain("status: approved")
    expect(run.stdout).toContain("User removed from application")
    expect(run.stdout).toContain("Done.")
  }, limit + 5_000)

  it("onetouch-poll.ts: awaitApproval sees the approval made a moment later", async () => {
    const run = await runExample("onetouch-poll.ts")
    succeeded(run)
    expect(run.stdout).toMatch(/Approval request [0-9a-f-]{36} sent to Authy id 1/)
    const lines = run.stdout.split("\n")
    const waiting = lines.indexOf("Waiting for the answer (polling)...")
    const tapped = lines.indexOf("(the user taps Approve)")
    const answer = lines.findIndex((line) => line.startsWith("Answer: approved (at "))
    expect(waiting).toBeGreaterThanOrEqual(0)
    expect(tapped).toBeGreaterThan(waiting)
    expect(answer).toBeGreaterThan(tapped)
    expect(run.stdout).toContain("Logged in.")
  }, limit + 5_000)

  it("verify-login.ts: SMS, TOTP and push logins on the Verify emulator, with a verified webhook", async () => {
    const run = await runExample("verify-login.ts")
    succeeded(run)
    expect(run.stdout).toContain("Twilio Verify emulator started at http://127.0.0.1:")
    expect(run.stdout).toContain("wrong code: valid false, status pending")
    expect(run.stdout).toMatch(/code \d\d•+ from the emulator's outbox: valid true, status approved/)
    expect(run.stdout).toContain("the finished verification is gone: ApiError 20404 (HTTP 404)")
    expect(run.stdout).toMatch(/show once as a QR code: otpauth:\/\/totp\/Example:/)
    expect(run.stdout).toMatch(/first code \d\d•+: factor verified/)
    expect(run.stdout).toMatch(/code \d\d•+: challenge approved/)
    const lines = run.stdout.split("\n").map((line) => line.trim())
    const waiting = lines.indexOf("Waiting for the answer (awaitChallenge polls)...")
    const tapped = lines.indexOf("(the user taps Approve)")
    const answered = lines.indexOf("awaitChallenge: approved")
    expect(waiting).toBeGreaterThanOrEqual(0)
    expect(tapped).toBeGreaterThan(waiting)
    expect(answered).toBeGreaterThan(tapped)
    expect(run.stdout).toMatch(/verified webhook: challenge\.approved for ada-lovelace-1815 \(challenge YC[0-9a-f]{32}\)/)
    expect(run.stdout).toContain("Logged in.")
    expect(run.stdout).not.toContain("Verify webhook refused")
    // No full number and no whole code in the transcript.
    expect(run.stdout).not.toContain("5017122661")
  }, limit + 5_000)

  for (const args of [[], ["--get"]]) {
    const method = args.length === 0 ? "POST" : "GET"
    it(`${["onetouch-callback.ts", ...args].join(" ")}: the server logs the verified ${method} callback`, async () => {
      const run = await runExample("onetouch-callback.ts", args)
      succeeded(run)
      const uuid = /Approval request ([0-9a-f-]{36}) sent/.exec(run.stdout)?.[1]
      expect(uuid).toBeDefined()
      expect(run.stdout).toContain(`sends ${method} callbacks there`)
      expect(run.stdout).toContain(
        `Verified callback: request ${uuid} was approved by Authy id 1 ` +
          `("Log in to Example?", details {"Browser":"Firefox","Location":"Bogotá"})`
      )
      expect(run.stdout).toContain("Logged in.")
      expect(run.stdout).not.toContain("OneTouch callback refused")
    }, limit + 5_000)
  }
})
