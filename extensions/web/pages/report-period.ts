import { formatDuration, tryParseDuration } from '../../../src/config/duration';
import type { ReportPeriod } from '../../../src/report/slo-report';
import { calendarPeriod } from '../../../src/slo/calendar';
import { DAY_MS, MINUTE_MS } from '../../../src/slo/durations';
import type { PeriodSpec } from '../../../src/slo/objective';

/*
 * Which period a page reports. Without `?period=`, each SLO is shown over
 * its own period as the engine counts it: a rolling window ends now (the
 * last 30 days for `window: 30d`), a calendar period runs from its start to
 * now (month to date). `?period=7d` reports every SLO over the same rolling
 * window instead. Pure: the caller passes the time.
 */

/** Shortest and longest `?period=`: below a minute the rollups are too coarse; 400 days outlasts any SLO window (at most 90d) and the store's retention. */
export const MIN_PERIOD_MS = MINUTE_MS;
export const MAX_PERIOD_MS = 400 * DAY_MS;

/** A period to report and the length its burn-rate factors are computed for (the whole calendar period, not only the part elapsed). */
export interface ResolvedPeriod {
  readonly period: ReportPeriod;
  /** The SLO period's full length: Sloth's factor uses it (`burnRateFactor`). */
  readonly fullLengthMs: number;
}

export type PeriodParameterResult =
  | { readonly ok: true; readonly durationMs: number | undefined }
  | { readonly ok: false; readonly error: string };

/** Reads `?period=` (a duration such as `7d`); undefined when absent. */
export function parsePeriodParameter(value: string | undefined): PeriodParameterResult {
  if (value === undefined) return { ok: true, durationMs: undefined };
  const parsed = tryParseDuration(value);
  if (!parsed.ok) return { ok: false, error: `query parameter "period" must be a duration such as 7d or 30d: ${parsed.reason}` };
  if (parsed.ms < MIN_PERIOD_MS || parsed.ms > MAX_PERIOD_MS) {
    return { ok: false, error: `query parameter "period" must be from 1m to 400d, got ${JSON.stringify(value)}` };
  }
  return { ok: true, durationMs: parsed.ms };
}

/** The rolling period of `durationMs` ending at `nowMs`, labelled as the user would write it (`7d`). */
export function rollingPeriod(durationMs: number, nowMs: number): ResolvedPeriod {
  return { period: { fromMs: nowMs - durationMs, toMs: nowMs, label: formatDuration(durationMs) }, fullLengthMs: durationMs };
}

/**
 * An SLO's own period at `nowMs`: the rolling window ending now, or the
 * calendar period's start to now (`month to date (Europe/Berlin)`). A
 * calendar period that started this very millisecond is widened to 1 ms so
 * the period is never empty.
 */
export function sloPeriod(spec: PeriodSpec, nowMs: number): ResolvedPeriod {
  if (spec.kind === 'rolling') return rollingPeriod(spec.durationMs, nowMs);
  const bounds = calendarPeriod(nowMs, spec.unit, spec.timeZone);
  return {
    period: { fromMs: bounds.startMs, toMs: Math.max(nowMs, bounds.startMs + 1), label: `${spec.unit} to date (${spec.timeZone})` },
    fullLengthMs: bounds.endMs - bounds.startMs,
  };
}

/** The period a page shows for `spec`: `?period=` when given, else the SLO's own. */
export function resolvePeriod(spec: PeriodSpec, overrideMs: number | undefined, nowMs: number): ResolvedPeriod {
  return overrideMs === undefined ? sloPeriod(spec, nowMs) : rollingPeriod(overrideMs, nowMs);
}

/** A key that is equal for equal periods, to group SLOs read together. */
export function periodKey(period: ReportPeriod): string {
  return `${period.fromMs}/${period.toMs}/${period.label}`;
}
