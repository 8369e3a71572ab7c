import type { AlertWindow } from './objective';
import { DAY_MS, HOUR_MS, MINUTE_MS, SLO_WINDOWS } from './durations';

/**
 * Sloth's default alert windows (its embedded `google-30d.yaml` and
 * `google-28d.yaml`), taken from the SRE Workbook's recommended parameters
 * (ch. 5 "Alerting on SLOs", table 5-8). They are stated as shares of the
 * period's budget, so the same four rules serve every period length; only
 * the burn-rate factor derived from them changes (see `burnRateFactor`).
 */
const GOOGLE_ALERT_WINDOWS: readonly AlertWindow[] = Object.freeze([
  Object.freeze<AlertWindow>({ severity: 'page', speed: 'quick', shortWindowMs: 5 * MINUTE_MS, longWindowMs: HOUR_MS, errorBudgetPercent: 2 }),
  Object.freeze<AlertWindow>({ severity: 'page', speed: 'slow', shortWindowMs: 30 * MINUTE_MS, longWindowMs: 6 * HOUR_MS, errorBudgetPercent: 5 }),
  Object.freeze<AlertWindow>({ severity: 'ticket', speed: 'quick', shortWindowMs: 2 * HOUR_MS, longWindowMs: DAY_MS, errorBudgetPercent: 10 }),
  Object.freeze<AlertWindow>({ severity: 'ticket', speed: 'slow', shortWindowMs: 6 * HOUR_MS, longWindowMs: 3 * DAY_MS, errorBudgetPercent: 10 }),
]);

/**
 * The default (Google) rule set, in Sloth's order: page quick 2 % 5m/1h,
 * page slow 5 % 30m/6h, ticket quick 10 % 2h/1d, ticket slow 10 % 6h/3d.
 * Returns the same frozen array every time.
 */
export function googleAlertWindows(): readonly AlertWindow[] {
  return GOOGLE_ALERT_WINDOWS;
}

/**
 * The burn rate at which `window` fires: spending `errorBudgetPercent` of the
 * budget within the long window. Sloth's formula (internal/alert/window.go):
 *
 *   factor = errorBudgetPercent / 100 × periodHours / longWindowHours
 *
 * evaluated in that order so the floating-point result is bit-identical to
 * the numbers Sloth prints: 14.4, 6, 3, 1 at 30d; 13.44, 5.6000000000000005,
 * 2.8000000000000003, 0.9333333333333333 at 28d.
 */
export function burnRateFactor(window: AlertWindow, periodMs: number): number {
  const periodHours = periodMs / HOUR_MS;
  const longWindowHours = window.longWindowMs / HOUR_MS;
  return ((window.errorBudgetPercent / 100) * periodHours) / longWindowHours;
}

/**
 * Index into `SLO_WINDOWS` of the window lasting exactly `ms`, or -1. Alert
 * rules can only use windows the state keeps; the config layer rejects others
 * with this.
 */
export function windowIndex(ms: number): number {
  for (let i = 0; i < SLO_WINDOWS.length; i++) {
    if (SLO_WINDOWS[i]?.ms === ms) return i;
  }
  return -1;
}
