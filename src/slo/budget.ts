/**
 * Error-budget arithmetic, as pure functions of counts and ratios.
 *
 * Definitions follow the Google SRE Workbook, ch. 5 "Alerting on SLOs", and
 * the recording rules Sloth generates (`slo:sli_error:ratio_rate<w>`,
 * `slo:period_error_budget_remaining:ratio`). The objective is always a
 * ratio in (0, 1), e.g. 0.999 for 99.9 %; `1 − objective` is the error budget
 * as a ratio of events.
 */

/**
 * Share of bad events: `bad / total`, and 0 when there were no events (an
 * idle service spends no budget, as in Sloth where the rule then yields no
 * sample and alerts cannot fire).
 */
export function errorRatio(bad: number, total: number): number {
  return total > 0 ? bad / total : 0;
}

/**
 * How fast the budget is being spent: `errorRatio / (1 − objective)`.
 * 1 means "exactly the whole budget over one period"; 14.4 over an hour at a
 * 30d period means 2 % of the budget gone in that hour (SRE Workbook table 5-4).
 */
export function burnRate(errorRatio: number, objective: number): number {
  return errorRatio / (1 - objective);
}

/**
 * Share of the period's budget still unspent: `1 − periodErrorRatio / (1 − objective)`,
 * i.e. one minus the burn rate over the period. 1 = untouched, 0 = spent,
 * negative = overspent (Sloth's `slo:period_error_budget_remaining:ratio`
 * goes negative the same way).
 */
export function errorBudgetRemaining(periodErrorRatio: number, objective: number): number {
  return 1 - burnRate(periodErrorRatio, objective);
}

/**
 * Forecast of the seconds until the budget is spent if the 1h burn rate
 * holds: `remaining × periodSeconds / burnRate1h`. A burn rate of 1 spends a
 * whole budget (remaining = 1) in exactly one period.
 * 0 when nothing remains (`remaining ≤ 0`); +Infinity when nothing is burning
 * (`burnRate1h ≤ 0`).
 */
export function budgetExhaustionSeconds(remaining: number, burnRate1h: number, periodMs: number): number {
  if (!(remaining > 0)) return 0;
  if (!(burnRate1h > 0)) return Infinity;
  return (remaining * (periodMs / 1000)) / burnRate1h;
}
