import { describe, expect, it } from 'vitest';
import { BurnRateAlert, PAGE_CHANGED, TICKET_CHANGED } from '../../src/slo/burn-rate-alert';
import type { AlertTransition } from '../../src/slo/burn-rate-alert';
import { googleAlertWindows } from '../../src/slo/alert-windows';
import { SloWindowState, createWindowReadout } from '../../src/slo/slo-window-state';
import type { WindowReadout } from '../../src/slo/slo-window-state';
import { DAY_MS, HOUR_MS, MINUTE_MS, SLO_WINDOWS } from '../../src/slo/durations';
import type { AlertWindow, PeriodSpec, Severity } from '../../src/slo/objective';

const T0 = Date.UTC(2025, 4, 5); // midnight: aligned to 1 min, 15 min and 1 h buckets
const GOOGLE = googleAlertWindows();
const BOTH = { page: true, ticket: true } as const;
/** Only the 5m/1h rule, for scenarios where the other rules would also (rightly) fire. */
const quickOnly = GOOGLE.slice(0, 1);

/** Traffic of one simulated minute. */
interface Minute {
  total: number;
  bad: number;
}

interface Fired {
  minute: number;
  severity: Severity;
  state: 'firing' | 'resolved';
  rule: string;
}

const ruleName = (w: AlertWindow): string => `${w.severity}-${w.speed}`;

/**
 * Drives an SloWindowState and a BurnRateAlert minute by minute: the minute's
 * events are spread over the minute, then the alert is evaluated at the
 * minute's last millisecond.
 */
function drive(
  minutes: Minute[],
  opts: { period?: PeriodSpec; objective?: number; minEvents?: number; windows?: readonly AlertWindow[]; start?: number },
) {
  const period = opts.period ?? { kind: 'rolling', durationMs: 30 * DAY_MS };
  const start = opts.start ?? T0;
  const state = new SloWindowState(period, { kind: 'occurrences' });
  const transitions: AlertTransition[] = [];
  const nominalPeriod = period.kind === 'rolling' ? period.durationMs : 30 * DAY_MS;
  const alert = new BurnRateAlert(
    opts.objective ?? 0.999,
    opts.windows ?? GOOGLE,
    nominalPeriod,
    opts.minEvents ?? 0,
    BOTH,
    (t) => transitions.push(t),
  );
  const readout = createWindowReadout();
  const fired: Fired[] = [];
  minutes.forEach((m, i) => {
    const minuteStart = start + i * MINUTE_MS;
    for (let j = 0; j < m.total; j++) {
      state.record(minuteStart + Math.floor((j * MINUTE_MS) / m.total), j < m.bad);
    }
    const now = minuteStart + MINUTE_MS - 1;
    state.read(now, readout);
    const before = transitions.length;
    const mask = alert.evaluate(now, readout);
    expect(mask === 0).toBe(transitions.length === before);
    for (const t of transitions.slice(before)) {
      expect(t.atMs).toBe(now);
      fired.push({ minute: i, severity: t.severity, state: t.state, rule: ruleName(t.rule) });
    }
  });
  return { fired, transitions, alert };
}

/**
 * Independent model of the windows as documented: the window of length W at
 * minute m is the W/resolution most recent buckets including m's bucket, with
 * 1-minute buckets up to 6 h and 15-minute buckets for 1d and 3d.
 */
function model(
  minutes: Minute[],
  opts: { periodMs?: number; objective?: number; minEvents?: number; windows?: readonly AlertWindow[] },
): Fired[] {
  const periodHours = (opts.periodMs ?? 30 * DAY_MS) / HOUR_MS;
  const objective = opts.objective ?? 0.999;
  const minEvents = opts.minEvents ?? 0;
  const windows = opts.windows ?? GOOGLE;
  const totalPrefix = [0];
  const badPrefix = [0];
  for (const m of minutes) {
    totalPrefix.push((totalPrefix.at(-1) ?? 0) + m.total);
    badPrefix.push((badPrefix.at(-1) ?? 0) + m.bad);
  }
  const windowAt = (minute: number, windowMs: number) => {
    const resMinutes = windowMs <= 6 * HOUR_MS ? 1 : 15;
    const buckets = windowMs / (resMinutes * MINUTE_MS);
    const first = Math.max(0, (Math.floor(minute / resMinutes) - buckets + 1) * resMinutes);
    const total = (totalPrefix[minute + 1] ?? 0) - (totalPrefix[first] ?? 0);
    const bad = (badPrefix[minute + 1] ?? 0) - (badPrefix[first] ?? 0);
    return { total, ratio: total > 0 ? bad / total : 0 };
  };
  const out: Fired[] = [];
  const firing = new Map<Severity, string>();
  for (let minute = 0; minute < minutes.length; minute++) {
    for (const severity of ['page', 'ticket'] as const) {
      const holding = windows.find((w) => {
        if (w.severity !== severity) return false;
        const factor = ((w.errorBudgetPercent / 100) * periodHours) / (w.longWindowMs / HOUR_MS);
        const threshold = factor * (1 - objective);
        const short = windowAt(minute, w.shortWindowMs);
        const long = windowAt(minute, w.longWindowMs);
        return short.total >= minEvents && short.ratio > threshold && long.ratio > threshold;
      });
      const was = firing.get(severity);
      if (holding !== undefined && was === undefined) {
        firing.set(severity, ruleName(holding));
        out.push({ minute, severity, state: 'firing', rule: ruleName(holding) });
      } else if (holding !== undefined) {
        firing.set(severity, ruleName(holding));
      } else if (was !== undefined) {
        firing.delete(severity);
        out.push({ minute, severity, state: 'resolved', rule: was });
      }
    }
  }
  return out;
}

const repeat = (count: number, m: Minute): Minute[] => Array.from({ length: count }, () => ({ ...m }));

describe('BurnRateAlert', () => {
  it('pages on a 15x burn at 99.9 % exactly when both 5m and 1h exceed 14.4 x 0.001, and resolves with the 5m window', () => {
    const warmup = 6 * 60;
    const burn = 70;
    const minutes = [
      ...repeat(warmup, { total: 1000, bad: 0 }),
      ...repeat(burn, { total: 1000, bad: 15 }),
      ...repeat(60, { total: 1000, bad: 0 }),
    ];
    const { fired, transitions } = drive(minutes, { minEvents: 100 });

    // From the window semantics: after k burn minutes (k ≤ 60, windows full of
    // 1000/min traffic) the 5m ratio is 15·min(k,5)/5000 and the 1h ratio 15k/60000.
    const threshold = 14.4 * (1 - 0.999);
    let k = 1;
    while (!((15 * Math.min(k, 5)) / 5000 > threshold && (15 * k) / 60_000 > threshold)) k++;
    expect(k).toBe(58); // 15·57/60000 = 0.01425 ≤ 0.0144 < 15·58/60000
    // After the burn, j clean minutes leave 15·(5−j)/5000 in the 5m window.
    let j = 1;
    while ((15 * (5 - j)) / 5000 > threshold) j++;

    const pages = fired.filter((f) => f.severity === 'page');
    expect(pages).toEqual([
      { minute: warmup + k - 1, severity: 'page', state: 'firing', rule: 'page-quick' },
      { minute: warmup + burn + j - 1, severity: 'page', state: 'resolved', rule: 'page-quick' },
    ]);
    // Every transition, page and ticket, matches the independent model.
    expect(fired).toEqual(model(minutes, { minEvents: 100 }));

    const firing = transitions.find((t) => t.severity === 'page' && t.state === 'firing');
    expect(firing?.factor).toBe(14.4);
    expect(firing?.shortBurnRate).toBeCloseTo(15, 9);
    expect(firing?.longBurnRate).toBeCloseTo((15 * 58) / 60, 9);
  });

  it('tickets (2h/1d) and does not page on a 3.5x burn after heavier traffic', () => {
    // Two days of clean traffic at 400/min, then 200/min with 7 bad per 10 minutes (3.5 ‰ = 3.5x).
    const warmup = 2 * 24 * 60;
    const burn = 1400;
    const burnMinute = (i: number): Minute => ({ total: 200, bad: i % 10 < 7 ? 1 : 0 });
    const minutes = [
      ...repeat(warmup, { total: 400, bad: 0 }),
      ...Array.from({ length: burn }, (_, i) => burnMinute(i)),
      ...repeat(120, { total: 200, bad: 0 }),
    ];
    const { fired, alert } = drive(minutes, {});
    const expected = model(minutes, {});
    expect(fired).toEqual(expected);
    expect(fired.some((f) => f.severity === 'page')).toBe(false);
    const ticket = fired.filter((f) => f.severity === 'ticket');
    expect(ticket.map((f) => [f.state, f.rule])).toEqual([
      ['firing', 'ticket-quick'],
      ['resolved', 'ticket-quick'],
    ]);
    // It takes most of a day of burning to spend 10 % of the budget at 3.5x.
    const firedAt = ticket[0]?.minute ?? 0;
    expect(firedAt - warmup).toBeGreaterThan(20 * 60);
    expect(firedAt - warmup).toBeLessThan(burn);
    expect(alert.firing('ticket')).toBe(false);
  });

  it('does not fire while the short window holds fewer than minEvents events, even at 100 % errors', () => {
    const minutes = repeat(3 * 60, { total: 1, bad: 1 });
    expect(drive(minutes, { minEvents: 1000 }).fired).toEqual([]);

    // Same with only the 5m/1h rule: 5 events in the 5m window suffice for minEvents 5, not 6.
    const five = drive(minutes, { minEvents: 5, windows: quickOnly }).fired;
    expect(five).toEqual([{ minute: 4, severity: 'page', state: 'firing', rule: 'page-quick' }]);
    expect(five).toEqual(model(minutes, { minEvents: 5, windows: quickOnly }));
    expect(drive(minutes, { minEvents: 6, windows: quickOnly }).fired).toEqual([]);
  });

  // With no history, a 14x burn also trips the 6x page-slow rule at once: test the 5m/1h rule alone.
  it('uses 13.44 at a 28d period: a 14x burn pages at 28d but not at 30d', () => {
    const minutes = repeat(90, { total: 1000, bad: 14 });
    const at28 = drive(minutes, { period: { kind: 'rolling', durationMs: 28 * DAY_MS }, minEvents: 100, windows: quickOnly });
    expect(at28.fired.filter((f) => f.severity === 'page')[0]).toEqual({
      minute: 0,
      severity: 'page',
      state: 'firing',
      rule: 'page-quick',
    });
    expect(at28.fired).toEqual(model(minutes, { periodMs: 28 * DAY_MS, minEvents: 100, windows: quickOnly }));
    expect(at28.transitions[0]?.factor).toBeCloseTo(13.44, 12);
    const at30 = drive(minutes, { minEvents: 100, windows: quickOnly });
    expect(at30.fired.filter((f) => f.severity === 'page')).toEqual([]);
  });

  it("takes a calendar period's length from the readout (February = 28 days)", () => {
    const minutes = repeat(30, { total: 1000, bad: 14 });
    const calendar: PeriodSpec = { kind: 'calendar', unit: 'month', timeZone: 'UTC' };
    const feb = drive(minutes, { period: calendar, start: Date.UTC(2025, 1, 10), minEvents: 100, windows: quickOnly });
    expect(feb.transitions[0]?.factor).toBeCloseTo(13.44, 12);
    expect(feb.alert.factor(0)).toBeCloseTo(13.44, 12);
    // In a 31-day month the factor is 14.88 and a 14x burn does not page.
    const march = drive(minutes, { period: calendar, start: Date.UTC(2025, 2, 10), minEvents: 100, windows: quickOnly });
    expect(march.fired.filter((f) => f.severity === 'page')).toEqual([]);
    expect(march.alert.factor(0)).toBeCloseTo(14.88, 12);
  });

  describe('with hand-made readouts', () => {
    const windowIndexOf = (label: string) => SLO_WINDOWS.findIndex((w) => w.label === label);
    function readout(ratios: Partial<Record<string, [bad: number, total: number]>>, periodMs = 30 * DAY_MS): WindowReadout {
      const r = createWindowReadout();
      for (const [label, value] of Object.entries(ratios)) {
        if (value === undefined) continue;
        r.bad[windowIndexOf(label)] = value[0];
        r.total[windowIndexOf(label)] = value[1];
      }
      r.periodMs = periodMs;
      return r;
    }

    it('does not fire exactly at the threshold (strict >)', () => {
      // objective 0.875: 1 − objective = 0.125 exactly; ticket quick: factor 3, threshold 0.375 = 3/8.
      const alert = new BurnRateAlert(0.875, GOOGLE, 30 * DAY_MS, 0, BOTH);
      expect(alert.evaluate(T0, readout({ '2h': [3, 8], '1d': [3, 8] }))).toBe(0);
      expect(alert.evaluate(T0, readout({ '2h': [376, 1000], '1d': [3, 8] }))).toBe(0);
      expect(alert.evaluate(T0, readout({ '2h': [3, 8], '1d': [376, 1000] }))).toBe(0);
      expect(alert.firing('ticket')).toBe(false);
      expect(alert.evaluate(T0, readout({ '2h': [376, 1000], '1d': [376, 1000] }))).toBe(TICKET_CHANGED);
      expect(alert.firing('ticket')).toBe(true);

      // At 99.9 %, a ratio equal to the double 14.4 × (1 − 0.999) does not page; the next double up does.
      const threshold = 14.4 * (1 - 0.999);
      const page = new BurnRateAlert(0.999, GOOGLE, 30 * DAY_MS, 0, BOTH);
      expect(page.evaluate(T0, readout({ '5m': [threshold, 1], '1h': [threshold, 1] }))).toBe(0);
      const above = threshold * (1 + Number.EPSILON);
      expect(above).toBeGreaterThan(threshold);
      expect(page.evaluate(T0, readout({ '5m': [above, 1], '1h': [above, 1] }))).toBe(PAGE_CHANGED);
    });

    it('reports transitions once, with since and the holding rule, and nothing on the steady state', () => {
      const seen: AlertTransition[] = [];
      const alert = new BurnRateAlert(0.999, GOOGLE, 30 * DAY_MS, 10, BOTH, (t) => seen.push(t));
      const burning = readout({ '5m': [100, 1000], '1h': [100, 1000], '30m': [100, 1000], '6h': [1, 1000] });
      expect(alert.evaluate(T0, burning)).toBe(PAGE_CHANGED);
      expect(alert.evaluate(T0 + MINUTE_MS, burning)).toBe(0);
      expect(seen).toHaveLength(1);
      expect(alert.firing('page')).toBe(true);
      expect(alert.firingSince('page')).toBe(T0);
      expect(alert.firingRule('page')).toBe(GOOGLE[0]);
      expect(alert.firingSince('ticket')).toBeUndefined();
      expect(seen[0]).toMatchObject({ severity: 'page', state: 'firing', atMs: T0, rule: GOOGLE[0], factor: 14.4 });
      expect(seen[0]?.shortBurnRate).toBeCloseTo(100, 9);

      expect(alert.evaluate(T0 + 2 * MINUTE_MS, readout({ '5m': [0, 1000], '1h': [100, 1000] }))).toBe(PAGE_CHANGED);
      expect(alert.firing('page')).toBe(false);
      expect(alert.firingSince('page')).toBeUndefined();
      expect(seen[1]).toMatchObject({ severity: 'page', state: 'resolved', atMs: T0 + 2 * MINUTE_MS, rule: GOOGLE[0] });
      expect(seen[1]?.shortBurnRate).toBe(0);

      // A per-call listener replaces the constructor's.
      const perCall: AlertTransition[] = [];
      alert.evaluate(T0 + 3 * MINUTE_MS, burning, (t) => perCall.push(t));
      expect(perCall).toHaveLength(1);
      expect(seen).toHaveLength(2);
    });

    it('never fires a disabled severity', () => {
      const alert = new BurnRateAlert(0.999, GOOGLE, 30 * DAY_MS, 0, { page: false, ticket: true });
      const all = readout({ '5m': [1, 1], '30m': [1, 1], '1h': [1, 1], '2h': [1, 1], '6h': [1, 1], '1d': [1, 1], '3d': [1, 1] });
      expect(alert.evaluate(T0, all)).toBe(TICKET_CHANGED);
      expect(alert.firing('page')).toBe(false);
    });

    it('treats empty windows as no errors', () => {
      const alert = new BurnRateAlert(0.999, GOOGLE, 30 * DAY_MS, 0, BOTH);
      expect(alert.evaluate(T0, createWindowReadout())).toBe(0);
    });

    it('validates its arguments', () => {
      const bad: AlertWindow = { severity: 'page', speed: 'quick', shortWindowMs: 10 * MINUTE_MS, longWindowMs: HOUR_MS, errorBudgetPercent: 2 };
      expect(() => new BurnRateAlert(0.999, [bad], 30 * DAY_MS, 0, BOTH)).toThrow(RangeError);
      expect(() => new BurnRateAlert(1, GOOGLE, 30 * DAY_MS, 0, BOTH)).toThrow(RangeError);
      expect(() => new BurnRateAlert(0, GOOGLE, 30 * DAY_MS, 0, BOTH)).toThrow(RangeError);
      expect(() => new BurnRateAlert(0.999, GOOGLE, 0, 0, BOTH)).toThrow(RangeError);
      expect(() => new BurnRateAlert(0.999, GOOGLE, 30 * DAY_MS, NaN, BOTH)).toThrow(RangeError);
    });
  });
});
