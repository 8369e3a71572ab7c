import { describe, expect, it } from 'vitest';
import { alertEventFromSlo, sloAlertObjectiveOf } from '../../src/alerts/slo-alert';
import type { SloAlertEvent } from '../../src/engine/slo-alert-event';
import { objectiveSpec } from '../helpers/objectives';

const DAY_MS = 86_400_000;

const firing: SloAlertEvent = {
  slo: 'checkout-availability',
  labels: { service: 'checkout', 'http.route': '/cart' },
  severity: 'page',
  state: 'firing',
  atMs: 1_700_000_000_000,
  shortWindow: '5m',
  longWindow: '1h',
  shortBurnRate: 20,
  longBurnRate: 15,
  factor: 14.4,
  errorBudgetRemaining: 0.75,
};

describe('alertEventFromSlo', () => {
  it('labels the alert like Sloth and Alertmanager routes expect, with valid label names', () => {
    const event = alertEventFromSlo(firing);
    expect(event.source).toBe('slo');
    expect(event.state).toBe('firing');
    expect(event.atMs).toBe(firing.atMs);
    expect(event.expiresAfterMs).toBeUndefined();
    expect(event.labels).toEqual({
      alertname: 'SloErrorBudgetBurn',
      slo: 'checkout-availability',
      service: 'checkout',
      http_route: '/cart',
      severity: 'critical',
      sloth_id: 'checkout-availability', // the objective's name without the repeated service, as in the rules
      sloth_service: 'checkout',
      sloth_slo: 'availability',
      sloth_severity: 'page',
    });
  });

  it('describes burn rates, budget remaining and the exhaustion forecast at the long window burn rate', () => {
    const objective = sloAlertObjectiveOf(objectiveSpec({ objective: 0.999 }));
    expect(objective).toEqual({ objective: 0.999, periodMs: 30 * DAY_MS, periodLabel: '30d' });
    const { annotations } = alertEventFromSlo(firing, objective);
    expect(annotations.summary).toBe('SLO checkout-availability of checkout is burning its error budget too fast (page)');
    // 0.75 × 30 d / 15 = 1.5 d.
    expect(annotations.description).toBe(
      'SLO checkout-availability of checkout (objective 99.9% over 30d): burn rate 15× over 1h and 20× over 5m (alert threshold 14.4×); ' +
        'error budget remaining 75%; at the 1h burn rate the budget is exhausted in 1d 12h.',
    );
  });

  it('says when the budget is already spent, and leaves the forecast out without the objective', () => {
    const spent = alertEventFromSlo({ ...firing, errorBudgetRemaining: -0.25 }, sloAlertObjectiveOf(objectiveSpec()));
    expect(spent.annotations.description).toMatch(/error budget remaining -25%; the budget is exhausted\.$/);
    expect(alertEventFromSlo(firing).annotations.description).toBe(
      'SLO checkout-availability of checkout: burn rate 15× over 1h and 20× over 5m (alert threshold 14.4×); error budget remaining 75%.',
    );
  });

  it('maps a resolve onto the same labels, and a ticket onto severity warning', () => {
    const resolved = alertEventFromSlo({ ...firing, state: 'resolved', severity: 'ticket', longBurnRate: 0, shortBurnRate: 0 }, sloAlertObjectiveOf(objectiveSpec()));
    expect(resolved.state).toBe('resolved');
    expect(resolved.labels.severity).toBe('warning');
    expect(resolved.labels.sloth_severity).toBe('ticket');
    expect(resolved.annotations.summary).toBe('SLO checkout-availability of checkout is no longer burning its error budget too fast (ticket)');
    expect(resolved.annotations.description).toMatch(/; not burning\.$/);
  });

  it('sizes calendar periods at their nominal length and labels them by unit', () => {
    expect(sloAlertObjectiveOf(objectiveSpec({ period: { kind: 'calendar', unit: 'month', timeZone: 'UTC' } }))).toEqual({ objective: 0.999, periodMs: 30 * DAY_MS, periodLabel: 'month' });
    expect(sloAlertObjectiveOf(objectiveSpec({ period: { kind: 'calendar', unit: 'week', timeZone: 'UTC' } })).periodMs).toBe(7 * DAY_MS);
    expect(sloAlertObjectiveOf(objectiveSpec({ period: { kind: 'rolling', durationMs: 36 * 3_600_000 } })).periodLabel).toBe('36h');
  });
});
