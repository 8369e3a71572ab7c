import { describe, expect, it } from 'vitest';
import { parsePeriodParameter, resolvePeriod, sloPeriod } from '../../../extensions/web/pages/report-period';
import { DAY_MS } from '../../../src/slo/durations';

const NOW = Date.UTC(2024, 2, 15, 12);

describe('report page periods', () => {
  it('reports a rolling SLO over its window ending now, labelled as configured', () => {
    expect(sloPeriod({ kind: 'rolling', durationMs: 28 * DAY_MS }, NOW)).toEqual({
      period: { fromMs: NOW - 28 * DAY_MS, toMs: NOW, label: '28d' },
      fullLengthMs: 28 * DAY_MS,
    });
  });

  it('reports a calendar SLO from its period start to now, with the whole period for the burn-rate factors', () => {
    const resolved = sloPeriod({ kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' }, NOW);
    // March 2024 in Berlin starts at 23:00 UTC on Feb 29 and loses an hour to DST on the 31st.
    expect(resolved.period).toEqual({ fromMs: Date.UTC(2024, 1, 29, 23), toMs: NOW, label: 'month to date (Europe/Berlin)' });
    expect(resolved.fullLengthMs).toBe(31 * DAY_MS - 3_600_000);
  });

  it('lets ?period= override every SLO with a rolling window', () => {
    expect(resolvePeriod({ kind: 'calendar', unit: 'week', timeZone: 'UTC' }, 7 * DAY_MS, NOW).period).toEqual({ fromMs: NOW - 7 * DAY_MS, toMs: NOW, label: '7d' });
    expect(resolvePeriod({ kind: 'rolling', durationMs: 30 * DAY_MS }, undefined, NOW).period.label).toBe('30d');
  });

  it.each([
    [undefined, { ok: true, durationMs: undefined }],
    ['7d', { ok: true, durationMs: 7 * DAY_MS }],
    ['1m', { ok: true, durationMs: 60_000 }],
    ['400d', { ok: true, durationMs: 400 * DAY_MS }],
    ['59s', { ok: false, error: 'query parameter "period" must be from 1m to 400d, got "59s"' }],
    ['7 d', { ok: false, error: 'query parameter "period" must be a duration such as 7d or 30d: spaces are not allowed; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w' }],
  ])('reads ?period=%s', (text, expected) => {
    expect(parsePeriodParameter(text)).toEqual(expected);
  });
});
