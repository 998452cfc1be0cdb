import { build, type Histogram } from 'hdr-histogram-js';

/** Nearest-rank percentile of an ascending array; 0 for an empty one. */
export function percentileOf(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

/** Latencies in an HDR histogram with microsecond resolution (3 significant digits). */
export class LatencyRecorder {
  private readonly histogram: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });

  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  percentileMs(p: number): number {
    return this.count === 0 ? 0 : this.histogram.getValueAtPercentile(p) / 1000;
  }

  get meanMs(): number {
    return this.count === 0 ? 0 : this.histogram.mean / 1000;
  }

  get maxMs(): number {
    return this.histogram.maxValue / 1000;
  }
}
