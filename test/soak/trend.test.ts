// The soak verdict's maths over synthetic RSS series (bench/lib/soak-trend.mjs):
// flat noisy series pass, leaks fail, short or noisy runs cannot pass by
// accident. Pure and fast (well under a second).
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// The module is plain JavaScript (bench/ is not compiled); its shape, as the tests use it.
interface TrendSample {
  readonly tSec: number;
  readonly value: number;
}
interface SlopeWithInterval {
  readonly slope: number;
  readonly intercept: number;
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
}
interface MemoryTrendVerdict {
  readonly verdict: string;
  readonly pass: boolean;
  readonly tolerance?: number;
  readonly windowSamples?: number;
  readonly slopePerMin?: number;
  readonly slopePerMinLower?: number;
}
interface SoakTrendModule {
  readonly normalQuantile: (p: number) => number;
  readonly studentTQuantile: (p: number, df: number) => number;
  readonly slopeWithInterval: (samples: readonly TrendSample[], confidence?: number) => SlopeWithInterval | undefined;
  readonly memoryTrendVerdict: (samples: readonly TrendSample[], options: { warmupSec: number; tolerancePercent?: number; toleranceMb?: number }) => MemoryTrendVerdict;
}

const MODULE = path.resolve(__dirname, '..', '..', 'bench', 'lib', 'soak-trend.mjs');
let normalQuantile: SoakTrendModule['normalQuantile'];
let studentTQuantile: SoakTrendModule['studentTQuantile'];
let slopeWithInterval: SoakTrendModule['slopeWithInterval'];
let memoryTrendVerdict: SoakTrendModule['memoryTrendVerdict'];
beforeAll(async () => {
  ({ normalQuantile, studentTQuantile, slopeWithInterval, memoryTrendVerdict } = (await import(MODULE)) as SoakTrendModule);
});

/** A seeded PRNG (mulberry32) so every series is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** RSS samples every `stepSec` for `durationSec`: base + slope·t + uniform noise of ±noiseMb (+ a GC-like sawtooth). */
function series(options: { durationSec: number; stepSec: number; baseMb: number; mbPerMin: number; noiseMb: number; sawtoothMb?: number; seed?: number; alternating?: boolean }): TrendSample[] {
  const random = prng(options.seed ?? 1);
  const out: TrendSample[] = [];
  for (let t = 0, i = 0; t <= options.durationSec; t += options.stepSec, i++) {
    const sawtooth = options.sawtoothMb === undefined ? 0 : options.sawtoothMb * ((t % 7) / 7);
    // alternating: ±noiseMb in turn, noise with no trend by construction (random noise has one 5 % of the time).
    const noise = options.alternating === true ? (i % 2 === 0 ? options.noiseMb : -options.noiseMb) : (random() * 2 - 1) * options.noiseMb;
    out.push({ tSec: t, value: options.baseMb + (options.mbPerMin / 60) * t + noise + sawtooth });
  }
  return out;
}

describe('normalQuantile', () => {
  it('matches tabulated normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
  });
});

describe('studentTQuantile', () => {
  it('matches tabulated two-sided 95 % quantiles', () => {
    // Standard t-table values.
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.571, 2);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228, 3);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
    expect(studentTQuantile(0.975, 1000)).toBeCloseTo(1.962, 3);
  });

  it('rejects impossible arguments', () => {
    expect(() => studentTQuantile(1, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
  });
});

describe('slopeWithInterval', () => {
  it('recovers an exact line with a zero-width interval', () => {
    const fit = slopeWithInterval([0, 1, 2, 3, 4].map((t) => ({ tSec: t, value: 10 + 2 * t })));
    expect(fit?.slope).toBeCloseTo(2, 12);
    expect(fit?.intercept).toBeCloseTo(10, 12);
    expect(fit?.standardError).toBeCloseTo(0, 12);
  });

  it('needs four samples at distinct times', () => {
    expect(slopeWithInterval([{ tSec: 0, value: 1 }, { tSec: 1, value: 2 }, { tSec: 2, value: 3 }])).toBeUndefined();
    expect(slopeWithInterval([0, 0, 0, 0].map((t) => ({ tSec: t, value: t })))).toBeUndefined();
  });

  it('covers the true slope of noisy series about 95 % of the time', () => {
    let covered = 0;
    const trials = 400;
    for (let seed = 1; seed <= trials; seed++) {
      const samples = series({ durationSec: 60, stepSec: 1, baseMb: 100, mbPerMin: 3, noiseMb: 2, seed });
      const fit = slopeWithInterval(samples);
      if (fit !== undefined && fit.lower <= 3 / 60 && 3 / 60 <= fit.upper) covered++;
    }
    // Uniform noise, not normal, but OLS intervals are robust to that; ±3 % around 95 %.
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.98);
  });
});

describe('memoryTrendVerdict', () => {
  const options = { warmupSec: 12, tolerancePercent: 5, toleranceMb: 5 };

  it('passes a flat noisy series (a one-minute run sampled every second)', () => {
    const verdict = memoryTrendVerdict(series({ durationSec: 60, stepSec: 1, baseMb: 150, mbPerMin: 0, noiseMb: 1, alternating: true }), options);
    expect(verdict.verdict).toBe('no upward trend');
    expect(verdict.pass).toBe(true);
    expect(verdict.tolerance).toBeCloseTo(7.5, 1); // 5 % of 150 MB
    expect(verdict.windowSamples).toBe(25); // second half of 12..60 s
  });

  it('passes a flat series with a GC-like sawtooth', () => {
    const verdict = memoryTrendVerdict(series({ durationSec: 60, stepSec: 1, baseMb: 150, mbPerMin: 0, noiseMb: 1, sawtoothMb: 2 }), options);
    expect(verdict.pass).toBe(true);
  });

  it('labels real but small growth as such when it stays within the tolerance over the run', () => {
    const verdict = memoryTrendVerdict(series({ durationSec: 60, stepSec: 1, baseMb: 150, mbPerMin: 2, noiseMb: 0.2, alternating: true }), options);
    expect(verdict).toMatchObject({ verdict: 'growth within tolerance', pass: true });
    expect(verdict.slopePerMin).toBeCloseTo(2, 0);
  });

  it('fails a leak of 10 MB per minute', () => {
    const verdict = memoryTrendVerdict(series({ durationSec: 60, stepSec: 1, baseMb: 150, mbPerMin: 10, noiseMb: 1, sawtoothMb: 2 }), options);
    expect(verdict.pass).toBe(false);
    expect(verdict.verdict).toBe('upward trend');
    expect(verdict.slopePerMinLower).toBeGreaterThan(0);
  });

  it('fails a slow leak over a long soak that a short run could not see', () => {
    // 1 MB per minute over a 30-minute run: 30 MB, far above 5 % of 150 MB.
    const long = memoryTrendVerdict(series({ durationSec: 1800, stepSec: 5, baseMb: 150, mbPerMin: 1, noiseMb: 2 }), { ...options, warmupSec: 300 });
    expect(long.pass).toBe(false);
    expect(long.verdict).toBe('upward trend');
  });

  it('does not pass a noisy series whose interval is too wide to tell (fails as inconclusive)', () => {
    // ±40 MB alternating around a flat 150 MB: the slope is near 0, its interval wide.
    const samples = series({ durationSec: 60, stepSec: 1, baseMb: 150, mbPerMin: 0, noiseMb: 0 }).map((s, i) => ({ ...s, value: s.value + (i % 2 === 0 ? 40 : -40) }));
    const verdict = memoryTrendVerdict(samples, options);
    expect(verdict.pass).toBe(false);
    expect(verdict.verdict).toBe('inconclusive (interval too wide)');
  });

  it('ignores growth during the warm-up', () => {
    const samples = series({ durationSec: 60, stepSec: 1, baseMb: 150, mbPerMin: 0, noiseMb: 0.5 }).map((s) => (s.tSec < 12 ? { ...s, value: 80 + 5 * s.tSec } : s));
    expect(memoryTrendVerdict(samples, options).pass).toBe(true);
  });

  it('fails with too few samples rather than passing', () => {
    const verdict = memoryTrendVerdict(series({ durationSec: 10, stepSec: 2, baseMb: 150, mbPerMin: 0, noiseMb: 0 }), { warmupSec: 2 });
    expect(verdict).toMatchObject({ verdict: 'too few samples', pass: false });
  });

  it('uses the fixed floor when 5 % of a small process is below it', () => {
    const verdict = memoryTrendVerdict(series({ durationSec: 60, stepSec: 1, baseMb: 40, mbPerMin: 0, noiseMb: 0.2 }), options);
    expect(verdict.tolerance).toBe(5);
    expect(verdict.pass).toBe(true);
  });
});
