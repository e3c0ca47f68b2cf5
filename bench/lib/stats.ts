/** Small statistics helpers: the harness reports medians of runs and latency percentiles. */

/** The value at quantile `q` of an ascending array (nearest rank). */
export const percentile = (sorted: ArrayLike<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}

export const median = (values: ReadonlyArray<number>): number =>
  percentile([...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b), 0.5)

/** Pass `n` starts at item `n`: in turn, every item takes every position. */
export const rotate = <A>(items: ReadonlyArray<A>, n: number): ReadonlyArray<A> =>
  items.map((_, i) => items[(i + n) % items.length] as A)
