/** Small statistics helpers: the harness reports medians of runs and latency percentiles. */

/** The value at quantile `q` of an ascending array (nearest rank). */
export const percentile = (sorted: ArrayLike<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}

export const median = (values: ReadonlyArray<number>): number =>
  percentile([...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b), 0.5)
