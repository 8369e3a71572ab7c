import { fromHex } from '../otlp/codec/bytes';
import type { AnyValue, KeyValue } from '../otlp/model/common';
import { SeverityNumber } from '../otlp/model/logs';
import type { ExportLogsServiceRequest, LogRecord } from '../otlp/model/logs';
import type { Recommendation } from './recommendation';
import type { RecommendationChange } from './recommendation-store';

/** The log record's event name: how a backend finds recommendations among other logs. */
export const RECOMMENDATION_EVENT_NAME = 'slowatch.recommendation';

/** The instrumentation scope of the records. */
export const RECOMMENDATION_SCOPE = 'slowatch.recommend';

const str = (value: string): AnyValue => ({ stringValue: value });
const dbl = (value: number): AnyValue => ({ doubleValue: value });
const int = (value: number): AnyValue => ({ intValue: BigInt(Math.round(value)) });
const kv = (key: string, value: AnyValue): KeyValue => ({ key, value });

function anyValueOf(value: string | number | readonly string[]): AnyValue {
  if (typeof value === 'string') return str(value);
  // Beyond 2^53 an integer is not exact anyway, and beyond 2^63 int64 would wrap: a double keeps its magnitude.
  if (typeof value === 'number') return Number.isSafeInteger(value) ? int(value) : dbl(value);
  return { arrayValue: { values: value.map(str) } };
}

/** The readable body: severity, title, impact, advice. */
export function recommendationBody(change: RecommendationChange['kind'], r: Recommendation): string {
  const impact =
    r.impact.perRequestMs > 0
      ? ` Fixing it saves about ${Math.round(r.impact.perRequestMs)} ms per affected request` +
        (r.impact.affectedShare > 0 ? ` (${Math.round(r.impact.affectedShare * 100)} % of ${r.operation || 'the'} requests)` : '') +
        (r.impact.errorBudgetShare !== undefined ? `; it consumes ${Math.round(r.impact.errorBudgetShare * 100)} % of SLO ${r.impact.slo ?? ''}'s error budget` : '') +
        '.'
      : '';
  const verb = change === 'resolved' ? 'Resolved' : change === 'reopened' ? 'Reopened' : change === 'escalated' ? 'Escalated' : 'Opened';
  return `${verb} [${r.severity}] ${r.title} (${r.service}).${impact} ${r.advice}`;
}

/**
 * One recommendation change as an OTLP log record: `event.name =
 * slowatch.recommendation`, the fields as `slowatch.recommendation.*`
 * attributes (evidence as a key-value list), a readable body, the severity
 * mapped onto OTLP's (critical ERROR, high WARN, else INFO; a resolution is
 * INFO), and the first example trace as the record's trace id so backends
 * link the two.
 */
export function recommendationLogRecord(change: RecommendationChange, nowMs: number): LogRecord {
  const r = change.recommendation;
  const attributes: KeyValue[] = [
    kv('event.name', str(RECOMMENDATION_EVENT_NAME)),
    kv('slowatch.recommendation.change', str(change.kind)),
    kv('slowatch.recommendation.id', str(r.id)),
    kv('slowatch.recommendation.type', str(r.type)),
    kv('slowatch.recommendation.title', str(r.title)),
    kv('slowatch.recommendation.advice', str(r.advice)),
    kv('slowatch.recommendation.service', str(r.service)),
    kv('slowatch.recommendation.operation', str(r.operation)),
    kv('slowatch.recommendation.severity', str(r.severity)),
    kv('slowatch.recommendation.status', str(r.status)),
    kv('slowatch.recommendation.effort', str(r.effort)),
    kv('slowatch.recommendation.risk', str(r.risk)),
    kv('slowatch.recommendation.priority', dbl(r.priority)),
    kv('slowatch.recommendation.occurrences', int(r.occurrences)),
    kv('slowatch.recommendation.first_seen', str(new Date(r.firstSeenMs).toISOString())),
    kv('slowatch.recommendation.last_seen', str(new Date(r.lastSeenMs).toISOString())),
    kv('slowatch.recommendation.impact.per_request_ms', dbl(r.impact.perRequestMs)),
    kv('slowatch.recommendation.impact.latency_share', dbl(r.impact.latencyShare)),
    kv('slowatch.recommendation.impact.affected_share', dbl(r.impact.affectedShare)),
    kv('slowatch.recommendation.example_trace_ids', anyValueOf(r.exampleTraceIds)),
    kv('slowatch.recommendation.evidence', { kvlistValue: { values: Object.entries(r.evidence).map(([key, value]) => kv(key, anyValueOf(value))) } }),
  ];
  if (r.impact.errorBudgetShare !== undefined) attributes.push(kv('slowatch.recommendation.impact.error_budget_share', dbl(r.impact.errorBudgetShare)));
  if (r.impact.slo !== undefined) attributes.push(kv('slowatch.recommendation.slo', str(r.impact.slo)));
  if (r.hotFunctions !== undefined) {
    attributes.push(
      kv('slowatch.recommendation.hot_functions', anyValueOf(r.hotFunctions.map((f) => `${f.function} (${f.file}:${f.line}) ${Math.round(f.selfShare * 100)}%`))),
    );
  }
  const severity =
    change.kind === 'resolved'
      ? { severityNumber: SeverityNumber.SEVERITY_NUMBER_INFO, severityText: 'INFO' }
      : r.severity === 'critical'
        ? { severityNumber: SeverityNumber.SEVERITY_NUMBER_ERROR, severityText: 'ERROR' }
        : r.severity === 'high'
          ? { severityNumber: SeverityNumber.SEVERITY_NUMBER_WARN, severityText: 'WARN' }
          : { severityNumber: SeverityNumber.SEVERITY_NUMBER_INFO, severityText: 'INFO' };
  const nanos = BigInt(Math.round(nowMs)) * 1_000_000n;
  const record: LogRecord = {
    timeUnixNano: nanos,
    observedTimeUnixNano: nanos,
    ...severity,
    eventName: RECOMMENDATION_EVENT_NAME,
    body: str(recommendationBody(change.kind, r)),
    attributes,
  };
  const traceId = r.exampleTraceIds[0] === undefined ? undefined : fromHex(r.exampleTraceIds[0]);
  if (traceId !== undefined && traceId.length === 16) record.traceId = traceId;
  return record;
}

/**
 * An export request holding the changes' log records, one ResourceLogs per
 * service (`service.name` is the service the recommendation is about, so
 * the records sit beside that service's own logs), scope `slowatch.recommend`.
 */
export function recommendationLogsRequest(changes: readonly RecommendationChange[], nowMs: number, version: string): ExportLogsServiceRequest {
  const byService = new Map<string, LogRecord[]>();
  for (const change of changes) {
    const service = change.recommendation.service;
    let records = byService.get(service);
    if (records === undefined) {
      records = [];
      byService.set(service, records);
    }
    records.push(recommendationLogRecord(change, nowMs));
  }
  return {
    resourceLogs: [...byService].map(([service, logRecords]) => ({
      resource: { attributes: [kv('service.name', str(service))] },
      scopeLogs: [{ scope: { name: RECOMMENDATION_SCOPE, version }, logRecords }],
    })),
  };
}
