import { percentile } from '../sim-kit/percentile.js';

/** A percentile for the report: NaN (null in results.json) when there are no values. */
export function percentileOrNaN(values: readonly number[], p: number): number {
  return percentile(values, p) ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentileOrNaN(values, 50);
}

export function summarize(values: readonly number[]) {
  return {
    count: values.length,
    p50: round(percentileOrNaN(values, 50)),
    p95: round(percentileOrNaN(values, 95)),
    p99: round(percentileOrNaN(values, 99)),
    max: round(values.length ? Math.max(...values) : Number.NaN),
  };
}

export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Cumulative bucket counts of one Prometheus histogram: upper bound -> count. */
export type Buckets = Map<number, number>;

/** Reads `<name>_bucket{le="..."}` lines of a /metrics text. */
export function parseHistogram(text: string, name: string): Buckets {
  const buckets: Buckets = new Map();
  const pattern = new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\}\\s+(\\S+)`, 'gm');
  for (const match of text.matchAll(pattern)) {
    const le = match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/** Bucket-wise a + b (to merge processes) or a - b (to take the change over a phase). */
export function combineBuckets(a: Buckets, b: Buckets, sign: 1 | -1): Buckets {
  const result: Buckets = new Map(a);
  for (const [le, count] of b) result.set(le, (result.get(le) ?? 0) + sign * count);
  return result;
}

/**
 * A quantile read from cumulative buckets: `bound` is the upper edge of the bucket the
 * quantile falls in (the honest "at most"), `estimate` interpolates linearly inside it.
 */
export function bucketQuantile(
  buckets: Buckets,
  q: number,
): { count: number; bound: number; estimate: number } {
  const edges = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Number.POSITIVE_INFINITY) ?? 0;
  if (!total) return { count: 0, bound: Number.NaN, estimate: Number.NaN };
  const target = q * total;
  let previousEdge = 0;
  let previousCount = 0;
  for (const edge of edges) {
    const count = buckets.get(edge)!;
    if (count >= target) {
      const inside = count - previousCount;
      const upper = Number.isFinite(edge) ? edge : previousEdge;
      const estimate =
        inside > 0
          ? previousEdge + ((target - previousCount) / inside) * (upper - previousEdge)
          : upper;
      return { count: total, bound: edge, estimate: round(estimate, 3) };
    }
    previousEdge = edge;
    previousCount = count;
  }
  return { count: total, bound: Number.POSITIVE_INFINITY, estimate: Number.NaN };
}

/** Reads a plain counter or gauge (summing label sets) from a /metrics text. */
export function parseScalar(text: string, name: string): number {
  let sum = 0;
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)`, 'gm');
  for (const match of text.matchAll(pattern)) sum += Number(match[1]);
  return sum;
}
