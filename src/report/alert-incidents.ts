import type { Severity } from '../slo/objective';

/**
 * Alert edges (an SLO alert starting or stopping to fire) paired into
 * incidents, for the SLO report. Pure: the edges and the period are
 * parameters, nothing is read or remembered.
 *
 * Rules, per (severity, series):
 * - a `firing` edge opens an incident unless one is open already (the
 *   engine reports one edge per severity, but several sources, e.g. two
 *   gateways, or rule-level edges, may report overlapping firings: they are
 *   one incident);
 * - a `resolved` edge closes the open incident; one with nothing open is an
 *   incident that started before the period, so it starts at the period's
 *   start, unless an incident of that key already ended (a duplicate resolve);
 * - an incident still open after the last edge has no end (`endMs`
 *   undefined): it was firing at the period's end;
 * - finally, incidents of one key that overlap or touch merge into one.
 *
 * Edges outside [fromMs, toMs) are ignored. Memory: one interval per
 * incident, plus one entry per key.
 */

export interface AlertEdge {
  readonly severity: Severity;
  readonly state: 'firing' | 'resolved';
  readonly atMs: number;
  /** Which series fired: any string that is equal for one series (e.g. its labels as canonical JSON). */
  readonly series: string;
}

export interface AlertIncidentSpan {
  readonly severity: Severity;
  readonly series: string;
  readonly startMs: number;
  /** Undefined while still firing at the period's end. */
  readonly endMs: number | undefined;
}

interface MutableSpan {
  severity: Severity;
  series: string;
  startMs: number;
  endMs: number | undefined;
}

/** The incidents of `edges` within [fromMs, toMs), by start time (then severity, series). */
export function pairAlertIncidents(edges: readonly AlertEdge[], period: { readonly fromMs: number; readonly toMs: number }): AlertIncidentSpan[] {
  const inPeriod = edges
    .filter((edge) => edge.atMs >= period.fromMs && edge.atMs < period.toMs)
    // Stable by time; at one instant a resolve goes first, so resolve-then-fire at the same ms stays two touching spans (merged below).
    .map((edge, index) => ({ edge, index }))
    .sort((a, b) => a.edge.atMs - b.edge.atMs || rankOfState(a.edge.state) - rankOfState(b.edge.state) || a.index - b.index)
    .map(({ edge }) => edge);
  const byKey = new Map<string, MutableSpan[]>();
  for (const edge of inPeriod) {
    const key = `${edge.severity}\u0000${edge.series}`;
    let spans = byKey.get(key);
    if (spans === undefined) {
      spans = [];
      byKey.set(key, spans);
    }
    const last = spans.at(-1);
    const open = last !== undefined && last.endMs === undefined;
    if (edge.state === 'firing') {
      if (!open) spans.push({ severity: edge.severity, series: edge.series, startMs: edge.atMs, endMs: undefined });
    } else if (open) {
      last.endMs = edge.atMs;
    } else if (last === undefined) {
      // Fired before the period: the part inside the period starts at its start.
      spans.push({ severity: edge.severity, series: edge.series, startMs: period.fromMs, endMs: edge.atMs });
    }
  }
  const incidents: AlertIncidentSpan[] = [];
  for (const spans of byKey.values()) incidents.push(...mergeOverlapping(spans));
  return incidents.sort(
    (a, b) => a.startMs - b.startMs || compareText(a.severity, b.severity) || compareText(a.series, b.series),
  );
}

/**
 * Spans of one key, time-ordered by start, with overlapping or touching
 * spans merged (an open span absorbs everything after its start).
 */
export function mergeOverlapping(spans: readonly AlertIncidentSpan[]): AlertIncidentSpan[] {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs);
  const merged: MutableSpan[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && (last.endMs === undefined || span.startMs <= last.endMs)) {
      if (last.endMs !== undefined) last.endMs = span.endMs === undefined ? undefined : Math.max(last.endMs, span.endMs);
    } else {
      merged.push({ ...span });
    }
  }
  return merged;
}

function rankOfState(state: AlertEdge['state']): number {
  return state === 'resolved' ? 0 : 1;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
