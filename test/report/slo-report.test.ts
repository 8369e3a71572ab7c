import { describe, expect, it } from 'vitest';
import { budgetConsumedOf, buildSloReport, sloStatusOf } from '../../src/report/slo-report';
import type { SloReportEntryInput } from '../../src/report/slo-report';
import { FROM_MS, REPORT_INPUT, TO_MS } from './report-fixture';

const period = { fromMs: FROM_MS, toMs: TO_MS, label: '30d' };
const slo = (overrides: Partial<SloReportEntryInput>): SloReportEntryInput => ({
  name: 'x',
  service: undefined,
  objective: 0.99,
  sli: { kind: 'availability' },
  goodEvents: 0,
  badEvents: 0,
  burnDown: [],
  incidents: [],
  anomalies: [],
  regressions: [],
  recommendations: [],
  ...overrides,
});
const one = (overrides: Partial<SloReportEntryInput>) => buildSloReport({ period, slos: [slo(overrides)] }).slos[0];

describe('buildSloReport maths', () => {
  it('spends nothing with zero events, and has no attained SLI', () => {
    expect(budgetConsumedOf(0, 0, 0.999)).toBe(0);
    expect(one({})).toMatchObject({ totalEvents: 0, attainedSli: null, budgetConsumed: 0, budgetRemaining: 1, status: 'ok', service: null });
  });

  it('with 100 % bad events consumes 1 / (1 − objective) budgets', () => {
    const entry = one({ badEvents: 50, objective: 0.9 });
    expect(entry?.attainedSli).toBe(0);
    expect(entry?.budgetConsumed).toBeCloseTo(10, 12);
    expect(entry?.budgetRemaining).toBeCloseTo(-9, 12);
    expect(entry?.status).toBe('exhausted');
  });

  it('spends exactly the budget when the error ratio equals 1 − objective', () => {
    const entry = one({ goodEvents: 999, badEvents: 1, objective: 0.999 });
    expect(entry?.attainedSli).toBeCloseTo(0.999, 15);
    expect(entry?.budgetConsumed).toBeCloseTo(1, 12);
    expect(entry?.status).toBe('exhausted');
  });

  it('handles objectives near the ends of (0, 1) and refuses 0, 1 and beyond', () => {
    expect(one({ goodEvents: 99_999, badEvents: 1, objective: 0.99999 })?.budgetConsumed).toBeCloseTo(1, 6);
    expect(one({ goodEvents: 1, badEvents: 1, objective: 0.01 })?.budgetConsumed).toBeCloseTo(0.5 / 0.99, 12);
    for (const objective of [0, 1, 1.5, -0.1, Number.NaN]) expect(() => one({ objective })).toThrow(RangeError);
  });

  it('refuses negative or non-finite counts and an empty period', () => {
    expect(() => one({ badEvents: -1 })).toThrow(/badEvents/);
    expect(() => one({ goodEvents: Number.POSITIVE_INFINITY })).toThrow(/goodEvents/);
    expect(() => buildSloReport({ period: { ...period, toMs: FROM_MS }, slos: [] })).toThrow(/period/);
  });

  it('puts the status thresholds where documented', () => {
    expect(sloStatusOf(0.26, 0.25)).toBe('ok');
    expect(sloStatusOf(0.25, 0.25)).toBe('at-risk');
    expect(sloStatusOf(0.0001, 0.25)).toBe('at-risk');
    expect(sloStatusOf(0, 0.25)).toBe('exhausted');
    expect(sloStatusOf(-3, 0.25)).toBe('exhausted');
    expect(one({ goodEvents: 9_920, badEvents: 80 })?.status).toBe('at-risk');
    expect(buildSloReport({ period, slos: [slo({ goodEvents: 9_920, badEvents: 80 })] }, { atRiskBelow: 0.1 }).slos[0]?.status).toBe('ok');
  });
});

describe('buildSloReport ordering', () => {
  const report = buildSloReport(REPORT_INPUT);

  it('sorts SLOs by budget remaining, least first, and counts statuses', () => {
    expect(report.slos.map((entry) => entry.name)).toEqual(['checkout-availability', 'catalog-latency']);
    expect(report.summary).toEqual({ ok: 1, atRisk: 0, exhausted: 1 });
    const checkout = report.slos[0];
    expect(checkout?.budgetRemaining).toBeCloseTo(-2.5, 12);
    expect(report.slos[1]?.budgetRemaining).toBeCloseTo(1 - 4_000 / 1_994_000 / 0.01, 12);
  });

  it('orders incidents, anomalies and recommendations, and marks open incidents with null', () => {
    const checkout = report.slos[0];
    expect(checkout?.incidents.map((incident) => [incident.severity, incident.endMs === null])).toEqual([
      ['page', false],
      ['ticket', true],
    ]);
    expect(checkout?.anomalies.map((anomaly) => anomaly.signal)).toEqual(['error_ratio', 'latency_p99']);
    expect(checkout?.recommendations.map((recommendation) => recommendation.id)).toEqual(['r-n1', 'r-seq']);
  });

  it('keeps at most maxRecommendations and only burn-down points inside the period', () => {
    const entry = buildSloReport(
      {
        period,
        slos: [
          slo({
            burnDown: [
              { atMs: FROM_MS - 1, budgetRemaining: 1 },
              { atMs: TO_MS, budgetRemaining: 0.5 },
              { atMs: FROM_MS, budgetRemaining: 1 },
            ],
            recommendations: REPORT_INPUT.slos[1]?.recommendations ?? [],
          }),
        ],
      },
      { maxRecommendations: 1 },
    ).slos[0];
    expect(entry?.burnDown.map((point) => point.atMs)).toEqual([FROM_MS, TO_MS]);
    expect(entry?.recommendations.map((recommendation) => recommendation.id)).toEqual(['r-n1']);
  });
});
