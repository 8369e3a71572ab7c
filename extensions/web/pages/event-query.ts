import type { EventQuery } from '../../../src/storage/report-store';
import type { StoredEvent, StoredEventKind } from '../../../src/storage/store-records';
import { readQueryParameters } from '../query-parameters';

/*
 * GET /api/v1/events?kind=&service=&slo=&operation=&from=&to=&limit=
 *
 * `kind` is one kind or a comma-separated list; `from` and `to` are Unix
 * milliseconds or ISO 8601 times (`2024-05-01T12:00:00Z`), [from, to);
 * `limit` is 1..MAX_EVENT_LIMIT. The store returns newest first and at most
 * `limit` rows, so an answer is bounded whatever the range.
 */

export const EVENT_KINDS: readonly StoredEventKind[] = ['slo_alert', 'anomaly', 'regression', 'recommendation'];
/** Rows when `limit` is left out. */
export const DEFAULT_EVENT_LIMIT = 100;
/** Most rows an answer holds: about 1 KB each, so at most about 1 MB. */
export const MAX_EVENT_LIMIT = 1000;

export const EVENT_PARAMETERS = ['kind', 'service', 'slo', 'operation', 'from', 'to', 'limit'] as const;

/** An event as the API serves it: the indexed columns and the engine's event object, parsed. */
export interface EventView {
  readonly id: number | null;
  readonly atMs: number;
  readonly kind: StoredEventKind;
  readonly slo: string | null;
  readonly service: string | null;
  readonly operation: string | null;
  readonly severity: string | null;
  readonly state: string | null;
  /** The payload, parsed; the raw text when it is not JSON. */
  readonly event: unknown;
}

export function eventViewOf(stored: StoredEvent): EventView {
  let event: unknown;
  try {
    event = JSON.parse(stored.payload) as unknown;
  } catch {
    event = stored.payload;
  }
  return {
    id: stored.id ?? null,
    atMs: stored.atMs,
    kind: stored.kind,
    slo: stored.slo,
    service: stored.service,
    operation: stored.operation,
    severity: stored.severity,
    state: stored.state,
    event,
  };
}

/** A time parameter: Unix ms (digits) or an ISO 8601 date-time that `Date` reads; undefined when unreadable. */
export function parseTimeParameter(text: string): number | undefined {
  if (/^\d{1,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

export type EventQueryResult = { readonly ok: true; readonly query: EventQuery } | { readonly ok: false; readonly error: string };

/** The store query a query string asks for at `nowMs` (default range: everything up to now), or the 400 message. */
export function parseEventQuery(query: URLSearchParams, nowMs: number): EventQueryResult {
  const read = readQueryParameters(query, EVENT_PARAMETERS);
  if (!read.ok) return read;
  const values = read.values;
  const kinds: StoredEventKind[] = [];
  const kindText = values.get('kind');
  if (kindText !== undefined) {
    for (const kind of kindText.split(',')) {
      if (!(EVENT_KINDS as readonly string[]).includes(kind)) {
        return { ok: false, error: `query parameter "kind" must be one or more (comma-separated) of ${EVENT_KINDS.join(', ')}, got ${JSON.stringify(kind)}` };
      }
      if (!kinds.includes(kind as StoredEventKind)) kinds.push(kind as StoredEventKind);
    }
  }
  const times: { from: number; to: number } = { from: 0, to: nowMs + 1 };
  for (const name of ['from', 'to'] as const) {
    const text = values.get(name);
    if (text === undefined) continue;
    const ms = parseTimeParameter(text);
    if (ms === undefined) return { ok: false, error: `query parameter ${JSON.stringify(name)} must be Unix milliseconds or an ISO 8601 time, got ${JSON.stringify(text)}` };
    times[name] = ms;
  }
  if (!(times.to > times.from)) return { ok: false, error: `query parameter "to" must be after "from" (${times.from} .. ${times.to})` };
  let limit = DEFAULT_EVENT_LIMIT;
  const limitText = values.get('limit');
  if (limitText !== undefined) {
    limit = /^\d{1,7}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_EVENT_LIMIT)) return { ok: false, error: `query parameter "limit" must be a whole number from 1 to ${MAX_EVENT_LIMIT}, got ${JSON.stringify(limitText)}` };
  }
  const service = values.get('service');
  const slo = values.get('slo');
  const operation = values.get('operation');
  return {
    ok: true,
    query: {
      fromMs: times.from,
      toMs: times.to,
      limit,
      ...(kinds.length > 0 && { kinds }),
      ...(service !== undefined && { service }),
      ...(slo !== undefined && { slo }),
      ...(operation !== undefined && { operation }),
    },
  };
}
