import { SLO_WINDOWS } from '../slo/durations';

/**
 * What an SLO series looks like at one instant: the figures the metrics,
 * reports and alerts are made of. One instance is reused for every series
 * during a collection, so read it inside the visitor and do not keep it.
 */
export class SloStatus {
  /** Objective as a ratio, e.g. 0.999. */
  objective = 0;
  /** Span events counted since start (not windowed). */
  goodEvents = 0;
  badEvents = 0;
  /** Per SLO_WINDOWS entry: events in the window, error ratio, burn rate. */
  readonly windowTotal = new Float64Array(SLO_WINDOWS.length);
  readonly windowErrorRatio = new Float64Array(SLO_WINDOWS.length);
  readonly windowBurnRate = new Float64Array(SLO_WINDOWS.length);
  /** The SLO period: its label (e.g. '30d', 'month'), length and figures. */
  periodLabel = '';
  periodMs = 0;
  periodStartMs = 0;
  periodTotal = 0;
  periodErrorRatio = 0;
  periodBurnRate = 0;
  /** 1 − period burn rate; negative once the budget is overspent (as in Sloth). */
  errorBudgetRemaining = 1;
  /** Seconds until the budget is spent at the current 1h burn rate; +Inf when not burning. */
  budgetExhaustionSeconds = Number.POSITIVE_INFINITY;
  pageFiring = false;
  ticketFiring = false;
}
