import { describe, expect, it } from 'vitest';
import type { ChangeSpec, LatencySeriesSpec } from '../../../eval/synthetic/latency-series';
import { changeMultiplier, generateLatencySeries } from '../../../eval/synthetic/latency-series';
import { SeededRandom } from '../../../eval/synthetic/seeded-random';

function spec(change: ChangeSpec, overrides: Partial<LatencySeriesSpec> = {}): LatencySeriesSpec {
  return {
    seed: 42,
    intervals: 2880,
    startMs: Date.UTC(2024, 0, 1),
    quantile: 0.5,
    medianSeconds: 0.1,
    requestSigma: 0.5,
    requestsPerInterval: 1000,
    trafficAmplitude: 0.5,
    latencyAmplitude: 0.1,
    sharedSigma: 0.02,
    sharedAutocorrelation: 0.7,
    gaps: [],
    change,
    ...overrides,
  };
}

const NONE: ChangeSpec = { kind: 'none', start: 0, length: 0, size: 0 };

function median(values: ArrayLike<number>, from = 0, to = values.length): number {
  const v = Array.from(values).slice(from, to).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)] ?? Number.NaN;
}

describe('SeededRandom', () => {
  it('is deterministic per seed and roughly uniform / normal', () => {
    const a = new SeededRandom(1);
    const b = new SeededRandom(1);
    const c = new SeededRandom(2);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    const r = new SeededRandom(3);
    const n = 20_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
    let poisson = 0;
    for (let i = 0; i < 2000; i++) poisson += r.poisson(30);
    expect(poisson / 2000).toBeCloseTo(30, 0);
    let beta = 0;
    for (let i = 0; i < 2000; i++) beta += r.beta(2, 6);
    expect(beta / 2000).toBeCloseTo(0.25, 1);
  });
});

describe('generateLatencySeries', () => {
  it('is reproducible from its spec', () => {
    const s = spec({ kind: 'step', start: 2000, length: 0, size: 0.3 });
    const a = generateLatencySeries(s);
    const b = generateLatencySeries(s);
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
    expect(Array.from(generateLatencySeries({ ...s, seed: 43 }).values)).not.toEqual(Array.from(a.values));
  });

  it('labels exactly the intervals the change affects', () => {
    const step = generateLatencySeries(spec({ kind: 'step', start: 2000, length: 0, size: 0.3 }));
    expect(step.labels.indexOf(1)).toBe(2000);
    expect(step.labels.slice(2000).every((l) => l === 1)).toBe(true);
    const deploy = generateLatencySeries(spec({ kind: 'deploy', start: 1000, length: 90, size: 0.5 }));
    expect(deploy.labels.reduce((n, l) => n + l, 0)).toBe(90);
    expect([deploy.labels[999], deploy.labels[1000], deploy.labels[1089], deploy.labels[1090]]).toEqual([0, 1, 1, 0]);
    const spike = generateLatencySeries(spec({ kind: 'spike', start: 500, length: 1, size: 3 }));
    expect(spike.labels.reduce((n, l) => n + l, 0)).toBe(1);
    expect(generateLatencySeries(spec(NONE)).labels.every((l) => l === 0)).toBe(true);
    expect(changeMultiplier({ kind: 'drift', start: 100, length: 10, size: 1 }, 104)).toBeCloseTo(1.5, 12);
    expect(changeMultiplier({ kind: 'drift', start: 100, length: 10, size: 1 }, 500)).toBe(2);
  });

  it('reports the requested quantile of log-normal latencies, with the change applied', () => {
    const series = generateLatencySeries(spec({ kind: 'step', start: 1440, length: 0, size: 0.5 }, { latencyAmplitude: 0, sharedSigma: 0 }));
    // p50 of a log-normal with median 0.1 s is about 0.1 s; after the step about 0.15 s.
    expect(median(series.values, 0, 1440)).toBeCloseTo(0.1, 2);
    expect(median(series.values, 1440)).toBeCloseTo(0.15, 2);
    const p99 = generateLatencySeries(spec(NONE, { quantile: 0.99, latencyAmplitude: 0, sharedSigma: 0 }));
    // p99 = median × exp(2.326 σ) = 0.1 × e^{1.163} ≈ 0.32 s.
    expect(median(p99.values)).toBeCloseTo(0.32, 1);
  });

  it('makes per-interval noise depend on traffic, and counts follow the daily cycle and gaps', () => {
    const low = generateLatencySeries(spec(NONE, { requestsPerInterval: 50, trafficAmplitude: 0, latencyAmplitude: 0, sharedSigma: 0, quantile: 0.99 }));
    const high = generateLatencySeries(spec(NONE, { requestsPerInterval: 5000, trafficAmplitude: 0, latencyAmplitude: 0, sharedSigma: 0, quantile: 0.99 }));
    const spreadOf = (v: Float64Array): number => {
      const m = median(v);
      return median(Array.from(v, (x) => Math.abs(Math.log(x / m))));
    };
    expect(spreadOf(low.values)).toBeGreaterThan(5 * spreadOf(high.values));
    const gap = generateLatencySeries(spec(NONE, { gaps: [{ start: 100, length: 30, factor: 0.01 }] }));
    expect(median(gap.counts, 100, 130)).toBeLessThan(30);
    // Traffic peaks at 15:00 UTC and bottoms at 03:00.
    expect(median(gap.counts, 14 * 60, 16 * 60)).toBeGreaterThan(2 * median(gap.counts, 2 * 60, 4 * 60));
  });
});
