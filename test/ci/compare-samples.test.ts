import { describe, expect, it } from 'vitest';
import { compareSamples } from '../../src/ci/compare-samples';
import { formatCompareJson, formatCompareTable, formatQuantity } from '../../src/ci/compare-report-format';
import type { MetricSamples } from '../../src/ci/samples-input';

const samples = (metrics: Record<string, number[]>): MetricSamples => ({ format: 'json-object', metrics: new Map(Object.entries(metrics)) });
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

describe('compareSamples', () => {
  const baseline = samples({ slower: range(100, 20), faster: range(100, 20), same: range(100, 20), gone: [1] });
  const current = samples({ fresh: [2], same: range(100, 20), faster: range(60, 20), slower: range(140, 20) });

  it('classifies current against baseline, in the baseline’s order, with summaries', () => {
    const report = compareSamples(baseline, current);
    expect(report.comparisons.map((c) => [c.metric, c.result.classification, c.verdict])).toEqual([
      ['slower', 'High', 'regression'],
      ['faster', 'Low', 'improvement'],
      ['same', 'Pass', 'ok'],
    ]);
    const slower = report.comparisons[0];
    expect(slower?.baseline).toEqual({ count: 20, mean: 109.5, median: 109.5 });
    expect(slower?.current).toEqual({ count: 20, mean: 149.5, median: 149.5 });
    expect(slower?.changePercent).toBeCloseTo((40 / 109.5) * 100, 12);
    expect(report).toMatchObject({ onlyInBaseline: ['gone'], onlyInCurrent: ['fresh'], regressions: 1, improvements: 1, better: 'lower' });
  });

  it('swaps regression and improvement when higher is better, and honours the selection', () => {
    const report = compareSamples(baseline, current, { better: 'higher', metrics: ['faster', 'fresh'] });
    expect(report.comparisons.map((c) => [c.metric, c.verdict])).toEqual([['faster', 'regression']]);
    expect(report.onlyInBaseline).toEqual([]);
    expect(report.onlyInCurrent).toEqual(['fresh']);
  });

  it('passes the tolerance and confidence level through', () => {
    const report = compareSamples(baseline, current, { tolerance: 5, confidenceLevel: 0.9 });
    expect(report.comparisons.every((c) => c.verdict === 'ok')).toBe(true);
    expect(report).toMatchObject({ tolerance: 5, confidenceLevel: 0.9 });
  });

  it('gives n/a (null in JSON) for a change from a zero mean', () => {
    const report = compareSamples(samples({ errors: [0, 0, 0, 0] }), samples({ errors: [0, 0, 1, 0] }));
    expect(report.comparisons[0]?.changePercent).toBeNaN();
    expect(formatCompareTable(report)).toMatch(/^errors +4 +4 +0\.000 +0\.2500 +0\.000 +0\.000 +n\/a /m);
    const json = JSON.parse(formatCompareJson(report, { baseline: 'a', current: 'b' })) as { metrics: { changePercent: unknown; effectSize: unknown }[] };
    expect(json.metrics[0]?.changePercent).toBeNull();
    expect(json.metrics[0]?.effectSize).toBeNull();
  });
});

describe('formatQuantity', () => {
  it('keeps four significant digits, exponents outside 0.001 … 1e6', () => {
    expect(formatQuantity(99.264333)).toBe('99.26');
    expect(formatQuantity(80)).toBe('80.00');
    expect(formatQuantity(0.021374)).toBe('0.02137');
    expect(formatQuantity(0.0004567)).toBe('4.567e-4');
    expect(formatQuantity(9_028_734)).toBe('9.029e+6');
    expect(formatQuantity(0)).toBe('0.000');
    expect(formatQuantity(Number.NaN)).toBe('n/a');
  });
});
