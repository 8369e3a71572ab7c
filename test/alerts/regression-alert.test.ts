import { describe, expect, it } from 'vitest';
import { DEFAULT_REGRESSION_ALERT_MS, alertEventFromRegression } from '../../src/alerts/regression-alert';
import type { RegressionEvent } from '../../src/regression/regression-event';

const regression: RegressionEvent = {
  outcome: 'regression',
  classification: 'High',
  critical: true,
  baselineVersion: '1.0.0',
  version: '1.1.0',
  canary: false,
  effectSize: 1.503,
  pValue: 1.234e-45,
  confidenceInterval: [17.2, 22.5],
  estimateMs: 19.8,
  controlCount: 500,
  experimentCount: 480,
  controlMeanMs: 40.12,
  experimentMeanMs: 60.31,
  atMs: 1_700_000_000_000,
  deployedAtMs: 1_699_999_000_000,
  service: 'shop',
  operation: 'POST /checkout',
  spanKind: 'server',
};

describe('alertEventFromRegression', () => {
  it('fires once per deploy and operation, expiring after an hour by default', () => {
    const event = alertEventFromRegression(regression);
    expect(event).toEqual({
      source: 'regression',
      state: 'firing',
      labels: {
        alertname: 'DeployRegression',
        service: 'shop',
        operation: 'POST /checkout',
        span_kind: 'server',
        version: '1.1.0',
        baseline_version: '1.0.0',
        severity: 'critical',
      },
      annotations: {
        summary: 'Deploy 1.0.0 → 1.1.0 of shop slowed "POST /checkout"',
        description:
          'latency mean 40.12 ms → 60.31 ms (1.5×), shift +19.80 ms [+17.20, +22.50], p-value 1.23e-45, 500 baseline / 480 new samples, rolling deploy.',
      },
      atMs: 1_700_000_000_000,
      expiresAfterMs: DEFAULT_REGRESSION_ALERT_MS,
    });
    expect(DEFAULT_REGRESSION_ALERT_MS).toBe(3_600_000);
  });

  it('grades a non-critical regression warning and an improvement info, with its own alertname', () => {
    expect(alertEventFromRegression({ ...regression, critical: false }).labels.severity).toBe('warning');
    const improvement = alertEventFromRegression({ ...regression, outcome: 'improvement', classification: 'Low', critical: false, canary: true }, { expiresAfterMs: 60_000 });
    expect(improvement.labels).toMatchObject({ alertname: 'DeployImprovement', severity: 'info' });
    expect(improvement.annotations.summary).toContain('sped up');
    expect(improvement.annotations.description).toMatch(/canary\.$/);
    expect(improvement.expiresAfterMs).toBe(60_000);
  });
});
