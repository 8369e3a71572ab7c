import { describe, expect, it } from 'vitest';
import { RulesInputError } from '../../src/rules/rules-input-error';
import { alertWindowsForPeriod, parseSlothAlertWindows } from '../../src/rules/sloth-alert-windows';
import { googleAlertWindows } from '../../src/slo/alert-windows';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/slo/durations';

const SEVEN_DAYS = `
apiVersion: sloth.slok.dev/v1
kind: AlertWindows
spec:
  sloPeriod: 7d
  page:
    quick: { errorBudgetPercent: 8, shortWindow: 5m, longWindow: 1h }
    slow: { errorBudgetPercent: 12.5, shortWindow: 30m, longWindow: 6h }
  ticket:
    quick: { errorBudgetPercent: 20, shortWindow: 2h, longWindow: 24h }
    slow: { errorBudgetPercent: 42, shortWindow: 6h, longWindow: 72h }
`;

describe('Sloth AlertWindows', () => {
  it('parses the period and the four rules in Sloth order', () => {
    const parsed = parseSlothAlertWindows(SEVEN_DAYS);
    expect(parsed.periodMs).toBe(7 * DAY_MS);
    expect(parsed.windows[0]).toEqual({ severity: 'page', speed: 'quick', shortWindowMs: 5 * MINUTE_MS, longWindowMs: HOUR_MS, errorBudgetPercent: 8 });
    expect(parsed.windows.map((w) => w.errorBudgetPercent)).toEqual([8, 12.5, 20, 42]);
  });

  it('finds custom windows first, then the 30d and 28d defaults, else nothing', () => {
    const custom = parseSlothAlertWindows(SEVEN_DAYS);
    expect(alertWindowsForPeriod(7 * DAY_MS, [custom])).toBe(custom.windows);
    expect(alertWindowsForPeriod(28 * DAY_MS)).toBe(googleAlertWindows());
    expect(alertWindowsForPeriod(7 * DAY_MS)).toBeUndefined();
  });

  it('names every bad field', () => {
    const bad = SEVEN_DAYS.replace('kind: AlertWindows', 'kind: Windows').replace('shortWindow: 5m', 'shortWindow: 2h').replace('errorBudgetPercent: 42', 'errorBudgetPercent: 0');
    expect(() => parseSlothAlertWindows(bad, 'w.yaml')).toThrow(RulesInputError);
    expect(() => parseSlothAlertWindows(bad, 'w.yaml')).toThrow(
      [
        'w.yaml: kind: must be AlertWindows, got "Windows"',
        'w.yaml: spec.page.quick.shortWindow: must be shorter than longWindow (1h)',
        'w.yaml: spec.ticket.slow.errorBudgetPercent: must be a percentage > 0 and <= 100, got 0',
      ].join('\n'),
    );
  });
});
