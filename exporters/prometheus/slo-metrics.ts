import type { Attributes, Meter } from '@opentelemetry/api';
import type { SloEngine } from '../../src/engine/slo-engine';
import { SLO_WINDOWS } from '../../src/slo/durations';
import { counter, gauge, registerBatchObservables } from './batch-observables';

/**
 * The SLO metrics contract, as Prometheus shows it. Names carry their unit
 * and `_total` already, so the OpenTelemetry Prometheus exporter leaves
 * them as they are; instruments have no OTel unit for the same reason.
 */
export const SLO_METRIC_NAMES = {
  events: 'slowatch_slo_events_total',
  objective: 'slowatch_slo_objective_ratio',
  sliErrorRatio: 'slowatch_slo_sli_error_ratio',
  burnRate: 'slowatch_slo_burn_rate',
  budgetRemaining: 'slowatch_slo_error_budget_remaining_ratio',
  alertFiring: 'slowatch_slo_alert_firing',
  budgetExhaustion: 'slowatch_slo_budget_exhaustion_seconds',
} as const;

/** Data points one series contributes to the largest instrument (one per window plus the period). */
export const POINTS_PER_SERIES_PER_INSTRUMENT = SLO_WINDOWS.length + 1;

/**
 * The OpenTelemetry SDK's per-instrument cardinality limit that lets every
 * SLO series through: the engine's own cap (max_series plus one overflow
 * series per objective) is what bounds them. The SDK keeps one slot of the
 * limit for its own overflow point, hence the +1. Never below the SDK's default of 2000.
 */
export function sloCardinalityLimit(objectives: readonly { readonly maxSeries: number }[]): number {
  const series = objectives.reduce((n, o) => n + o.maxSeries + 1, 0);
  return Math.max(2000, series * POINTS_PER_SERIES_PER_INSTRUMENT + 1);
}

/**
 * Publishes the engine's series through an OpenTelemetry Meter. One batch
 * callback computes each series' status once per collection and observes
 * every instrument from it.
 */
export function registerSloMetrics(meter: Meter, engine: SloEngine): void {
  const specs = {
    events: counter(SLO_METRIC_NAMES.events, 'Span events counted toward the SLO, by outcome (good or bad).'),
    objective: gauge(SLO_METRIC_NAMES.objective, 'The SLO objective as a ratio (0.999 for 99.9%).'),
    sliErrorRatio: gauge(SLO_METRIC_NAMES.sliErrorRatio, 'Share of bad events in the window (0 when the window has no events).'),
    burnRate: gauge(SLO_METRIC_NAMES.burnRate, 'Error ratio in the window divided by the error budget (1 - objective).'),
    budgetRemaining: gauge(SLO_METRIC_NAMES.budgetRemaining, 'Share of the period error budget left: 1 - period burn rate; negative when overspent.'),
    alertFiring: gauge(SLO_METRIC_NAMES.alertFiring, '1 while the multiwindow burn-rate alert of that severity fires, else 0.'),
    budgetExhaustion: gauge(SLO_METRIC_NAMES.budgetExhaustion, 'Seconds until the error budget is spent at the current 1h burn rate (+Inf when not burning).'),
  };
  registerBatchObservables(meter, specs, (result, instruments) => {
    engine.collect((series, status, periodLabel) => {
      const base: Attributes = { slo: series.objective.name, ...series.labels };
      result.observe(instruments.events, status.goodEvents, { ...base, outcome: 'good' });
      result.observe(instruments.events, status.badEvents, { ...base, outcome: 'bad' });
      result.observe(instruments.objective, status.objective, base);
      for (let i = 0; i < SLO_WINDOWS.length; i++) {
        const window: Attributes = { ...base, window: (SLO_WINDOWS[i] as (typeof SLO_WINDOWS)[number]).label };
        result.observe(instruments.sliErrorRatio, status.windowErrorRatio[i] ?? 0, window);
        result.observe(instruments.burnRate, status.windowBurnRate[i] ?? 0, window);
      }
      const period: Attributes = { ...base, window: periodLabel };
      result.observe(instruments.sliErrorRatio, status.periodErrorRatio, period);
      result.observe(instruments.burnRate, status.periodBurnRate, period);
      result.observe(instruments.budgetRemaining, status.errorBudgetRemaining, base);
      result.observe(instruments.budgetExhaustion, status.budgetExhaustionSeconds, base);
      result.observe(instruments.alertFiring, status.pageFiring ? 1 : 0, { ...base, severity: 'page' });
      result.observe(instruments.alertFiring, status.ticketFiring ? 1 : 0, { ...base, severity: 'ticket' });
    });
  });
}
