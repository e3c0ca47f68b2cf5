/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and sums self time by
 * function and by the package or folder the function comes from.
 */
import { readFileSync } from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly children?: ReadonlyArray<number>
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface Entry {
  readonly name: string
  readonly ms: number
  readonly share: number
}

/** `effect`, `@effect/platform`, `undici`, `src/internal`, `node:internal`… */
const bucketOf = (url: string): string => {
  if (url === "") return "(native / GC / idle)"
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:dist\/\w+\/|src\/)?(?:internal\/)?([^/]*)/.exec(url)
  if (pkg) return `${pkg[1]}`
  const src = /\/src\/(.*)$/.exec(url)
  if (src) return `effect-authy src/${src[1]}`
  if (url.startsWith("node:")) return url.replace(/^node:internal\/([^/]+).*/, "node:$1")
  return url.replace(/^.*\/bench\//, "bench/")
}

const shortUrl = (url: string): string => url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/work\/main\//, "")

const top = (totals: Map<string, number>, all: number, count: number): ReadonlyArray<Entry> =>
  [...totals].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, us]) => ({ name, ms: us / 1000, share: us / all }))

/**
 * Each sample charged to the innermost frame of our own code (src/ or bench/)
 * on its stack: what each line of effect-authy costs, the Effect runtime and
 * undici work it starts included. Fibers resumed by the scheduler have no
 * frame of ours on their stack and show as "(runtime, no frame of ours)".
 */
const byOwnFrame = (profile: Profile, nodes: Map<number, ProfileNode>): Map<string, number> => {
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const totals = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    if (nodes.get(id)?.callFrame.functionName === "(idle)") return
    let current: number | undefined = id
    let label = "(runtime, no frame of ours)"
    while (current !== undefined) {
      const frame = nodes.get(current)?.callFrame
      if (frame !== undefined && /\/(src|bench)\//.test(frame.url) && !frame.url.includes("node_modules")) {
        label = `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
        break
      }
      current = parent.get(current)
    }
    totals.set(label, (totals.get(label) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  return totals
}

/** Self time per function and per bucket, idle time left out. */
export const summarise = (file: string, count = 25) => {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const byFunction = new Map<string, number>()
  const byBucket = new Map<string, number>()
  let all = 0
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id)?.callFrame
    const us = profile.timeDeltas[i] ?? 0
    if (frame === undefined || frame.functionName === "(idle)") return
    all += us
    const fn = `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
    const bucket = frame.functionName === "(garbage collector)" ? "(garbage collector)" : bucketOf(frame.url)
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us)
  })
  return {
    totalMs: all / 1000,
    functions: top(byFunction, all, count),
    buckets: top(byBucket, all, count),
    ownCode: top(byOwnFrame(profile, nodes), all, count)
  }
}
