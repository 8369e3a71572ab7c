import type { SloReportInput } from '../../src/report/slo-report';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** 2024-05-01T00:00:00Z */
export const FROM_MS = Date.UTC(2024, 4, 1);
export const TO_MS = FROM_MS + 30 * DAY_MS;

/** A 30-day budget line: one point a day, from `remaining(day)`. */
function daily(remaining: (day: number) => number): { atMs: number; budgetRemaining: number }[] {
  return Array.from({ length: 31 }, (_, day) => ({ atMs: FROM_MS + day * DAY_MS, budgetRemaining: remaining(day) }));
}

/**
 * Two SLOs over May 2024: `checkout-availability` overspent (two page/ticket
 * incidents, an anomaly, a regression, recommendations), `catalog-latency`
 * healthy. Listed healthy first so the report's sorting shows.
 */
export const REPORT_INPUT: SloReportInput = {
  period: { fromMs: FROM_MS, toMs: TO_MS, label: 'May 2024 (30d)' },
  slos: [
    {
      name: 'catalog-latency',
      service: 'catalog',
      objective: 0.99,
      sli: { kind: 'latency', thresholdMs: 300 },
      goodEvents: 1_990_000,
      badEvents: 4_000,
      burnDown: daily((day) => 1 - (0.2 * day) / 30),
      incidents: [],
      anomalies: [],
      regressions: [],
      recommendations: [],
    },
    {
      name: 'checkout-availability',
      service: 'checkout',
      objective: 0.999,
      sli: { kind: 'availability' },
      goodEvents: 996_500,
      badEvents: 3_500,
      // Steady until day 10, the error burst, steady again, then the slower deploy on day 20.
      burnDown: daily((day) => (day < 10 ? 1 - 0.03 * day : day < 20 ? 0.2 - 0.05 * (day - 10) : -0.3 - 0.22 * (day - 20))),
      incidents: [
        { severity: 'ticket', startMs: FROM_MS + 20 * DAY_MS + 2 * HOUR_MS, endMs: undefined, budgetSpent: 1.1 },
        { severity: 'page', startMs: FROM_MS + 10 * DAY_MS + 3 * HOUR_MS, endMs: FROM_MS + 10 * DAY_MS + 4 * HOUR_MS + 20 * 60_000, budgetSpent: 0.5 },
      ],
      anomalies: [
        { atMs: FROM_MS + 20 * DAY_MS + HOUR_MS, operation: 'POST /checkout', signal: 'latency_p99', unit: 'ms', observed: 812, expected: 240.5, score: 0.97 },
        { atMs: FROM_MS + 10 * DAY_MS + 3 * HOUR_MS, operation: 'POST /checkout', signal: 'error_ratio', unit: 'ratio', observed: 0.183, expected: 0.0012, score: 0.999 },
      ],
      regressions: [
        {
          atMs: FROM_MS + 20 * DAY_MS + 90 * 60_000,
          operation: 'POST /checkout',
          outcome: 'regression',
          baselineVersion: '1.4.0',
          version: '1.5.0',
          estimateMs: 120,
          effectSize: 1.45,
          pValue: 0.00002,
        },
      ],
      recommendations: [
        { id: 'r-seq', type: 'sequential_calls', title: 'Sequential calls to inventory and pricing could run together', severity: 'medium', impact: { perRequestMs: 35 } },
        { id: 'r-n1', type: 'n_plus_one_db', title: 'N+1 queries: SELECT * FROM items WHERE id = ? (12 per request)', severity: 'high', impact: { perRequestMs: 84.25 } },
      ],
    },
  ],
};
