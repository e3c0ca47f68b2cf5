/**
 * CPU profiling of the measured loops only (not start-up, not module
 * loading): when `BENCH_CPU_PROFILE` names a file, the V8 profiler runs from
 * the first measured cell to the last and the profile is written there.
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"

export const profiled = async <A>(run: () => Promise<A>): Promise<A> => {
  const file = process.env.BENCH_CPU_PROFILE
  if (file === undefined || file === "") return run()
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 200 })
  await session.post("Profiler.start")
  const result = await run()
  const { profile } = await session.post("Profiler.stop")
  writeFileSync(file, JSON.stringify(profile))
  session.disconnect()
  return result
}
