/**
 * The soak of scripts/soak.ts (`npm run soak`: thousands of operations) with
 * a small count, so that the script cannot rot: the same checks, a run of a
 * few seconds.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { format, soak } from "../scripts/soak.js"

describe("soak (small)", () => {
  it.live("mixed operations under random faults: typed outcomes, no duplicates, consistent state", () =>
    Effect.gen(function*() {
      const report = yield* soak({ operations: 400, concurrency: 50, faultRate: 0.05, users: 20, maxHeapGrowth: 32 * 1024 * 1024 })
      expect(report.problems, format(report)).toEqual([])
      expect(report.defects).toBe(0)
      expect(report.duplicates).toBe(0)
      const calls = Object.values(report.byOperation).reduce((n, t) => n + t.calls, 0)
      expect(calls).toBe(400)
      // the faults really happened, and some operations really failed because of them
      expect(Object.values(report.faultsInjected).reduce((n, k) => n + (k ?? 0), 0)).toBeGreaterThan(0)
      expect(Object.keys(report.errors).length).toBeGreaterThan(0)
      expect(report.byOperation["users.requestSms"]?.successes).toBeGreaterThan(0)
    }), 60_000)
})
