import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from 'node:v8';
import { BurnRateAlert } from '../../src/slo/burn-rate-alert';
import type { AlertTransition } from '../../src/slo/burn-rate-alert';
import { alertRuleSignature, parseBurnRateAlertSnapshot } from '../../src/slo/burn-rate-alert-snapshot';
import { googleAlertWindows } from '../../src/slo/alert-windows';
import { createWindowReadout } from '../../src/slo/slo-window-state';
import type { WindowReadout } from '../../src/slo/slo-window-state';
import { DAY_MS } from '../../src/slo/durations';
import { thrownBy } from '../helpers/thrown';

const T0 = Date.UTC(2026, 4, 5);
const GOOGLE = googleAlertWindows();
const PERIOD = 30 * DAY_MS;

/** A readout with the same error ratio in every window and the period. */
function readoutWith(errorRatio: number): WindowReadout {
  const r = createWindowReadout();
  r.total.fill(1000);
  r.bad.fill(1000 * errorRatio);
  r.periodTotal = 1000;
  r.periodBad = 1000 * errorRatio;
  r.periodMs = PERIOD;
  r.periodStartMs = T0 - PERIOD;
  return r;
}

function alertLogging(log: AlertTransition[], severities = { page: true, ticket: true }): BurnRateAlert {
  return new BurnRateAlert(0.999, GOOGLE, PERIOD, 0, severities, (t) => log.push(t));
}

const summary = (t: AlertTransition): string => `${t.severity} ${t.state} ${t.rule.speed} at ${t.atMs - T0}`;

describe('BurnRateAlert export/restore', () => {
  it('a severity firing before the snapshot does not fire again after restore, and its end is reported', () => {
    const before: AlertTransition[] = [];
    const original = alertLogging(before);
    original.evaluate(T0, readoutWith(0.1));
    expect(before.map(summary)).toEqual(['page firing quick at 0', 'ticket firing quick at 0']);

    const snapshot = parseBurnRateAlertSnapshot(deserialize(serialize(original.exportState())), 'alert');
    expect(snapshot.page).toEqual({ sinceMs: T0, rule: 0 });
    expect(snapshot.ticket).toEqual({ sinceMs: T0, rule: 2 });

    const after: AlertTransition[] = [];
    const restored = alertLogging(after);
    restored.restoreState(snapshot);
    expect([restored.firing('page'), restored.firingSince('page'), restored.firingRule('ticket')]).toEqual([true, T0, GOOGLE[2]]);

    expect(restored.evaluate(T0 + 60_000, readoutWith(0.1))).toBe(0);
    expect(after).toEqual([]);
    restored.evaluate(T0 + 120_000, readoutWith(0));
    expect(after.map(summary)).toEqual(['page resolved quick at 120000', 'ticket resolved quick at 120000']);

    // Without the restore the same evaluations would have paged a second time.
    const cold: AlertTransition[] = [];
    alertLogging(cold).evaluate(T0 + 60_000, readoutWith(0.1));
    expect(cold.map(summary)).toContain('page firing quick at 60000');
  });

  it('a quiet alert restores as quiet; restoring replaces a firing state', () => {
    const log: AlertTransition[] = [];
    const alert = alertLogging(log);
    alert.evaluate(T0, readoutWith(0.1));
    alert.restoreState(alertLogging([]).exportState());
    expect([alert.firing('page'), alert.firing('ticket'), alert.firingSince('page'), alert.firingRule('page')]).toEqual([false, false, undefined, undefined]);
    alert.evaluate(T0 + 60_000, readoutWith(0.1));
    expect(log.map(summary)).toEqual(['page firing quick at 0', 'ticket firing quick at 0', 'page firing quick at 60000', 'ticket firing quick at 60000']);
  });

  it('a severity firing when saved but disabled since is resolved at the next evaluation', () => {
    const original = alertLogging([]);
    original.evaluate(T0, readoutWith(0.1));
    const log: AlertTransition[] = [];
    const pageOnly = alertLogging(log, { page: true, ticket: false });
    pageOnly.restoreState(original.exportState());
    pageOnly.evaluate(T0 + 60_000, readoutWith(0.1));
    expect(log.map(summary)).toEqual(['ticket resolved quick at 60000']);
  });

  it('refuses a snapshot taken with other rules, changing nothing', () => {
    const original = alertLogging([]);
    original.evaluate(T0, readoutWith(0.1));
    const other = new BurnRateAlert(0.999, GOOGLE.slice(0, 2), PERIOD, 0, { page: true, ticket: true });
    const reason = other.stateMismatch(original.exportState());
    expect(reason).toContain('alert rules [page quick 300000/3600000 ms 2%, page slow 1800000/21600000 ms 5%, ticket quick');
    expect(reason).toContain('saved, [page quick 300000/3600000 ms 2%, page slow 1800000/21600000 ms 5%] expected');
    expect(() => other.restoreState(original.exportState())).toThrow(RangeError);
    expect(other.firing('page')).toBe(false);
  });

  it('refuses a severity saved as firing on a rule of the other severity', () => {
    const alert = alertLogging([]);
    const snapshot = { rules: GOOGLE.map(alertRuleSignature), page: { sinceMs: T0, rule: 3 }, ticket: null };
    expect(alert.stateMismatch(snapshot)).toBe('a page alert saved as firing on rule 3, which is not one of its rules');
  });

  it.each([
    ['rule index out of range', { rules: ['a'], page: { sinceMs: 0, rule: 1 }, ticket: null }, 'alert.page.rule: rule 1 does not exist (1 rules saved)'],
    ['rules not strings', { rules: [1], page: null, ticket: null }, 'alert.rules[0]: expected a string, got number 1'],
    ['missing ticket', { rules: [], page: null }, 'alert.ticket: expected an object, got undefined'],
    ['since not finite', { rules: ['a'], page: { sinceMs: NaN, rule: 0 }, ticket: null }, 'alert.page.sinceMs: expected a finite number, got number NaN'],
  ])('parse throws a TypeError naming the field: %s', (_name, value, message) => {
    expect(thrownBy(TypeError, () => parseBurnRateAlertSnapshot(value, 'alert')).message).toBe(message);
  });
});
