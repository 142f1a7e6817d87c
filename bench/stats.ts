// Figures the benchmarks print: nearest-rank percentiles of their samples.

/** The nearest-rank `p` percentile (0 < p <= 1) of the samples; NaN when there are none. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

/** The median of an odd number of samples; the lower middle one otherwise. */
export const median = (xs: readonly number[]): number => percentile(xs, 0.5);
