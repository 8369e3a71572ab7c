import type { AnyValue, InstrumentationScope, KeyValue, Resource } from '../../src/otlp/model/common';
import type { ExportLogsServiceRequest, LogRecord } from '../../src/otlp/model/logs';
import type {
  Exemplar,
  ExponentialHistogramDataPoint,
  ExportMetricsServiceRequest,
  HistogramDataPoint,
  Metric,
  NumberDataPoint,
  SummaryDataPoint,
} from '../../src/otlp/model/metrics';
import type { ExportTraceServiceRequest, Span } from '../../src/otlp/model/trace';

/*
 * Text renderings of OTLP requests for the debug exporter, in its three
 * verbosities. Pure functions from a request to lines.
 *
 * - summary: counts of one batch, one line.
 * - normal: one line per span, metric data point or log record.
 * - detailed: every field, indented blocks (like the Collector's debug exporter).
 */

// ---------------------------------------------------------------------------
// Summaries (basic)

export function summarizeTraces(request: ExportTraceServiceRequest): string {
  const resources = request.resourceSpans ?? [];
  let spans = 0;
  for (const rs of resources) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
  return `${resources.length} resource spans, ${spans} spans`;
}

export function summarizeMetrics(request: ExportMetricsServiceRequest): string {
  const resources = request.resourceMetrics ?? [];
  let metrics = 0;
  let points = 0;
  for (const rm of resources) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        metrics++;
        points += metricDataPoints(metric).points.length;
      }
    }
  }
  return `${resources.length} resource metrics, ${metrics} metrics, ${points} data points`;
}

export function summarizeLogs(request: ExportLogsServiceRequest): string {
  const resources = request.resourceLogs ?? [];
  let records = 0;
  for (const rl of resources) for (const sl of rl.scopeLogs ?? []) records += sl.logRecords?.length ?? 0;
  return `${resources.length} resource logs, ${records} log records`;
}

// ---------------------------------------------------------------------------
// One line per item (normal)

export function spanLines(request: ExportTraceServiceRequest): string[] {
  const lines: string[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const service = serviceName(rs.resource);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const status = spanStatusName(span.status?.code);
        const message = span.status?.message ?? '';
        lines.push(
          [
            `span ${quote(span.name ?? '')}`,
            ...(service !== undefined ? [`service=${quote(service)}`] : []),
            `trace_id=${hex(span.traceId)}`,
            `span_id=${hex(span.spanId)}`,
            ...(span.parentSpanId !== undefined && span.parentSpanId.length > 0 ? [`parent_id=${hex(span.parentSpanId)}`] : []),
            `kind=${spanKindName(span.kind)}`,
            `status=${status}${message !== '' ? `(${quote(message)})` : ''}`,
            `duration=${formatDuration(span.startTimeUnixNano, span.endTimeUnixNano)}`,
            ...(span.attributes !== undefined && span.attributes.length > 0 ? [`attributes=${formatAttributesInline(span.attributes)}`] : []),
          ].join(' '),
        );
      }
    }
  }
  return lines;
}

export function metricLines(request: ExportMetricsServiceRequest): string[] {
  const lines: string[] = [];
  for (const rm of request.resourceMetrics ?? []) {
    const service = serviceName(rm.resource);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const { type, points } = metricDataPoints(metric);
        for (const point of points) {
          lines.push(
            [
              `metric ${quote(metric.name ?? '')}`,
              ...(service !== undefined ? [`service=${quote(service)}`] : []),
              `type=${type}`,
              ...(metric.unit !== undefined && metric.unit !== '' ? [`unit=${quote(metric.unit)}`] : []),
              ...pointValue(type, point),
              ...(point.attributes !== undefined && point.attributes.length > 0 ? [`attributes=${formatAttributesInline(point.attributes)}`] : []),
            ].join(' '),
          );
        }
      }
    }
  }
  return lines;
}

export function logLines(request: ExportLogsServiceRequest): string[] {
  const lines: string[] = [];
  for (const rl of request.resourceLogs ?? []) {
    const service = serviceName(rl.resource);
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) {
        lines.push(
          [
            'log',
            ...(service !== undefined ? [`service=${quote(service)}`] : []),
            `time=${formatTime(record.timeUnixNano ?? record.observedTimeUnixNano)}`,
            `severity=${severityOf(record)}`,
            ...(record.eventName !== undefined && record.eventName !== '' ? [`event=${quote(record.eventName)}`] : []),
            ...(record.traceId !== undefined && record.traceId.length > 0 ? [`trace_id=${hex(record.traceId)}`] : []),
            ...(record.spanId !== undefined && record.spanId.length > 0 ? [`span_id=${hex(record.spanId)}`] : []),
            `body=${formatAnyValue(record.body)}`,
            ...(record.attributes !== undefined && record.attributes.length > 0 ? [`attributes=${formatAttributesInline(record.attributes)}`] : []),
          ].join(' '),
        );
      }
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------
// Every field (detailed)

export function detailedTraces(request: ExportTraceServiceRequest): string[] {
  const out: string[] = [];
  (request.resourceSpans ?? []).forEach((rs, r) => {
    out.push(`ResourceSpans #${r}`);
    resourceBlock(out, rs.resource, rs.schemaUrl);
    (rs.scopeSpans ?? []).forEach((ss, s) => {
      out.push(`ScopeSpans #${s}`);
      scopeBlock(out, ss.scope, ss.schemaUrl);
      (ss.spans ?? []).forEach((span, i) => spanBlock(out, span, i));
    });
  });
  return out;
}

export function detailedMetrics(request: ExportMetricsServiceRequest): string[] {
  const out: string[] = [];
  (request.resourceMetrics ?? []).forEach((rm, r) => {
    out.push(`ResourceMetrics #${r}`);
    resourceBlock(out, rm.resource, rm.schemaUrl);
    (rm.scopeMetrics ?? []).forEach((sm, s) => {
      out.push(`ScopeMetrics #${s}`);
      scopeBlock(out, sm.scope, sm.schemaUrl);
      (sm.metrics ?? []).forEach((metric, i) => metricBlock(out, metric, i));
    });
  });
  return out;
}

export function detailedLogs(request: ExportLogsServiceRequest): string[] {
  const out: string[] = [];
  (request.resourceLogs ?? []).forEach((rl, r) => {
    out.push(`ResourceLog #${r}`);
    resourceBlock(out, rl.resource, rl.schemaUrl);
    (rl.scopeLogs ?? []).forEach((sl, s) => {
      out.push(`ScopeLogs #${s}`);
      scopeBlock(out, sl.scope, sl.schemaUrl);
      (sl.logRecords ?? []).forEach((record, i) => logBlock(out, record, i));
    });
  });
  return out;
}

function resourceBlock(out: string[], resource: Resource | undefined, schemaUrl: string | undefined): void {
  out.push(`Resource SchemaURL: ${schemaUrl ?? ''}`);
  attributeBlock(out, 'Resource attributes', resource?.attributes, '');
  if ((resource?.droppedAttributesCount ?? 0) > 0) out.push(`Resource dropped attributes count: ${resource?.droppedAttributesCount}`);
  for (const ref of resource?.entityRefs ?? []) {
    out.push(`Resource entity: type=${ref.type ?? ''} id_keys=[${(ref.idKeys ?? []).join(', ')}] description_keys=[${(ref.descriptionKeys ?? []).join(', ')}] schema_url=${ref.schemaUrl ?? ''}`);
  }
}

function scopeBlock(out: string[], scope: InstrumentationScope | undefined, schemaUrl: string | undefined): void {
  out.push(`Scope SchemaURL: ${schemaUrl ?? ''}`);
  out.push(`InstrumentationScope ${scope?.name ?? ''} ${scope?.version ?? ''}`.trimEnd());
  attributeBlock(out, 'InstrumentationScope attributes', scope?.attributes, '');
  if ((scope?.droppedAttributesCount ?? 0) > 0) out.push(`InstrumentationScope dropped attributes count: ${scope?.droppedAttributesCount}`);
}

function spanBlock(out: string[], span: Span, index: number): void {
  out.push(`Span #${index}`);
  field(out, 'Trace ID', hex(span.traceId));
  field(out, 'Parent ID', hex(span.parentSpanId));
  field(out, 'ID', hex(span.spanId));
  field(out, 'Name', span.name ?? '');
  field(out, 'Kind', spanKindName(span.kind));
  field(out, 'TraceState', span.traceState ?? '');
  field(out, 'Flags', String(span.flags ?? 0));
  field(out, 'Start time', formatTime(span.startTimeUnixNano));
  field(out, 'End time', formatTime(span.endTimeUnixNano));
  field(out, 'Duration', formatDuration(span.startTimeUnixNano, span.endTimeUnixNano));
  field(out, 'Status code', spanStatusName(span.status?.code));
  field(out, 'Status message', span.status?.message ?? '');
  field(out, 'DroppedAttributesCount', String(span.droppedAttributesCount ?? 0));
  field(out, 'DroppedEventsCount', String(span.droppedEventsCount ?? 0));
  field(out, 'DroppedLinksCount', String(span.droppedLinksCount ?? 0));
  attributeBlock(out, 'Attributes', span.attributes, '');
  if ((span.events ?? []).length > 0) {
    out.push('Events:');
    (span.events ?? []).forEach((event, i) => {
      out.push(`SpanEvent #${i}`);
      out.push(`     -> Name: ${event.name ?? ''}`);
      out.push(`     -> Timestamp: ${formatTime(event.timeUnixNano)}`);
      out.push(`     -> DroppedAttributesCount: ${event.droppedAttributesCount ?? 0}`);
      attributeBlock(out, '     -> Attributes', event.attributes, '     ');
    });
  }
  if ((span.links ?? []).length > 0) {
    out.push('Links:');
    (span.links ?? []).forEach((link, i) => {
      out.push(`SpanLink #${i}`);
      out.push(`     -> Trace ID: ${hex(link.traceId)}`);
      out.push(`     -> ID: ${hex(link.spanId)}`);
      out.push(`     -> TraceState: ${link.traceState ?? ''}`);
      out.push(`     -> Flags: ${link.flags ?? 0}`);
      out.push(`     -> DroppedAttributesCount: ${link.droppedAttributesCount ?? 0}`);
      attributeBlock(out, '     -> Attributes', link.attributes, '     ');
    });
  }
}

function metricBlock(out: string[], metric: Metric, index: number): void {
  const { type, points, temporality, monotonic } = metricDataPoints(metric);
  out.push(`Metric #${index}`);
  out.push('Descriptor:');
  out.push(`     -> Name: ${metric.name ?? ''}`);
  out.push(`     -> Description: ${metric.description ?? ''}`);
  out.push(`     -> Unit: ${metric.unit ?? ''}`);
  out.push(`     -> DataType: ${type}`);
  if (monotonic !== undefined) out.push(`     -> IsMonotonic: ${monotonic}`);
  if (temporality !== undefined) out.push(`     -> AggregationTemporality: ${temporalityName(temporality)}`);
  attributeBlock(out, '     -> Metadata', metric.metadata, '     ');
  points.forEach((point, i) => {
    out.push(`${dataPointLabel(type)} #${i}`);
    attributeBlock(out, 'Data point attributes', point.attributes, '');
    out.push(`StartTimestamp: ${formatTime(point.startTimeUnixNano)}`);
    out.push(`Timestamp: ${formatTime(point.timeUnixNano)}`);
    for (const line of pointDetails(type, point)) out.push(line);
    out.push(`Flags: ${point.flags ?? 0}`);
    const exemplars = 'exemplars' in point ? (point.exemplars ?? []) : [];
    if (exemplars.length > 0) {
      out.push('Exemplars:');
      exemplars.forEach((exemplar, e) => exemplarBlock(out, exemplar, e));
    }
  });
}

function exemplarBlock(out: string[], exemplar: Exemplar, index: number): void {
  out.push(`Exemplar #${index}`);
  out.push(`     -> Trace ID: ${hex(exemplar.traceId)}`);
  out.push(`     -> Span ID: ${hex(exemplar.spanId)}`);
  out.push(`     -> Timestamp: ${formatTime(exemplar.timeUnixNano)}`);
  out.push(`     -> Value: ${exemplar.asInt !== undefined ? exemplar.asInt.toString() : formatNumber(exemplar.asDouble ?? 0)}`);
  attributeBlock(out, '     -> FilteredAttributes', exemplar.filteredAttributes, '     ');
}

function logBlock(out: string[], record: LogRecord, index: number): void {
  out.push(`LogRecord #${index}`);
  out.push(`ObservedTimestamp: ${formatTime(record.observedTimeUnixNano)}`);
  out.push(`Timestamp: ${formatTime(record.timeUnixNano)}`);
  out.push(`SeverityText: ${record.severityText ?? ''}`);
  out.push(`SeverityNumber: ${severityNumberName(record.severityNumber ?? 0)}(${record.severityNumber ?? 0})`);
  out.push(`EventName: ${record.eventName ?? ''}`);
  out.push(`Body: ${formatAnyValue(record.body)}`);
  attributeBlock(out, 'Attributes', record.attributes, '');
  out.push(`DroppedAttributesCount: ${record.droppedAttributesCount ?? 0}`);
  out.push(`Trace ID: ${hex(record.traceId)}`);
  out.push(`Span ID: ${hex(record.spanId)}`);
  out.push(`Flags: ${record.flags ?? 0}`);
}

function field(out: string[], name: string, value: string): void {
  out.push(`    ${name.padEnd(22)} : ${value}`);
}

function attributeBlock(out: string[], title: string, attributes: readonly KeyValue[] | undefined, indent: string): void {
  if (attributes === undefined || attributes.length === 0) return;
  out.push(`${title}:`);
  for (const kv of attributes) out.push(`${indent}     -> ${kv.key ?? ''}: ${formatAnyValue(kv.value)}`);
}

// ---------------------------------------------------------------------------
// Metric data points

type MetricType = 'Gauge' | 'Sum' | 'Histogram' | 'ExponentialHistogram' | 'Summary' | 'Empty';
type AnyDataPoint = NumberDataPoint | HistogramDataPoint | ExponentialHistogramDataPoint | SummaryDataPoint;

function metricDataPoints(metric: Metric): { type: MetricType; points: readonly AnyDataPoint[]; temporality?: number; monotonic?: boolean } {
  if (metric.gauge !== undefined) return { type: 'Gauge', points: metric.gauge.dataPoints ?? [] };
  if (metric.sum !== undefined) {
    return { type: 'Sum', points: metric.sum.dataPoints ?? [], temporality: metric.sum.aggregationTemporality ?? 0, monotonic: metric.sum.isMonotonic ?? false };
  }
  if (metric.histogram !== undefined) {
    return { type: 'Histogram', points: metric.histogram.dataPoints ?? [], temporality: metric.histogram.aggregationTemporality ?? 0 };
  }
  if (metric.exponentialHistogram !== undefined) {
    return {
      type: 'ExponentialHistogram',
      points: metric.exponentialHistogram.dataPoints ?? [],
      temporality: metric.exponentialHistogram.aggregationTemporality ?? 0,
    };
  }
  if (metric.summary !== undefined) return { type: 'Summary', points: metric.summary.dataPoints ?? [] };
  return { type: 'Empty', points: [] };
}

function dataPointLabel(type: MetricType): string {
  switch (type) {
    case 'Histogram':
      return 'HistogramDataPoints';
    case 'ExponentialHistogram':
      return 'ExponentialHistogramDataPoints';
    case 'Summary':
      return 'SummaryDataPoints';
    default:
      return 'NumberDataPoints';
  }
}

/** `value=5` / `count=3 sum=10.5 …`, for the one-line form. */
function pointValue(type: MetricType, point: AnyDataPoint): string[] {
  switch (type) {
    case 'Gauge':
    case 'Sum':
      return [`value=${numberValue(point)}`];
    case 'Histogram': {
      const p = point as HistogramDataPoint;
      return [`count=${(p.count ?? 0n).toString()}`, ...optionalNumbers(p)];
    }
    case 'ExponentialHistogram': {
      const p = point as ExponentialHistogramDataPoint;
      return [`count=${(p.count ?? 0n).toString()}`, ...optionalNumbers(p), `scale=${p.scale ?? 0}`];
    }
    case 'Summary': {
      const p = point as SummaryDataPoint;
      const quantiles = (p.quantileValues ?? []).map((q) => `${formatNumber(q.quantile ?? 0)}:${formatNumber(q.value ?? 0)}`);
      return [`count=${(p.count ?? 0n).toString()}`, `sum=${formatNumber(p.sum ?? 0)}`, ...(quantiles.length > 0 ? [`quantiles={${quantiles.join(', ')}}`] : [])];
    }
    default:
      return [];
  }
}

function optionalNumbers(p: HistogramDataPoint | ExponentialHistogramDataPoint): string[] {
  return [
    ...(p.sum !== undefined ? [`sum=${formatNumber(p.sum)}`] : []),
    ...(p.min !== undefined ? [`min=${formatNumber(p.min)}`] : []),
    ...(p.max !== undefined ? [`max=${formatNumber(p.max)}`] : []),
  ];
}

/** Every field of a data point's value, for the detailed form. */
function pointDetails(type: MetricType, point: AnyDataPoint): string[] {
  switch (type) {
    case 'Gauge':
    case 'Sum': {
      const p = point as NumberDataPoint;
      return [p.asInt !== undefined ? `Value: Int(${p.asInt.toString()})` : `Value: Double(${formatNumber(p.asDouble ?? 0)})`];
    }
    case 'Histogram': {
      const p = point as HistogramDataPoint;
      const lines = [`Count: ${(p.count ?? 0n).toString()}`];
      if (p.sum !== undefined) lines.push(`Sum: ${formatNumber(p.sum)}`);
      if (p.min !== undefined) lines.push(`Min: ${formatNumber(p.min)}`);
      if (p.max !== undefined) lines.push(`Max: ${formatNumber(p.max)}`);
      (p.explicitBounds ?? []).forEach((bound, i) => lines.push(`ExplicitBounds #${i}: ${formatNumber(bound)}`));
      (p.bucketCounts ?? []).forEach((count, i) => lines.push(`Buckets #${i}, Count: ${count.toString()}`));
      return lines;
    }
    case 'ExponentialHistogram': {
      const p = point as ExponentialHistogramDataPoint;
      const lines = [`Count: ${(p.count ?? 0n).toString()}`];
      if (p.sum !== undefined) lines.push(`Sum: ${formatNumber(p.sum)}`);
      if (p.min !== undefined) lines.push(`Min: ${formatNumber(p.min)}`);
      if (p.max !== undefined) lines.push(`Max: ${formatNumber(p.max)}`);
      lines.push(`Scale: ${p.scale ?? 0}`);
      lines.push(`ZeroCount: ${(p.zeroCount ?? 0n).toString()}`);
      lines.push(`ZeroThreshold: ${formatNumber(p.zeroThreshold ?? 0)}`);
      lines.push(`Positive: offset ${p.positive?.offset ?? 0}, bucket counts [${(p.positive?.bucketCounts ?? []).join(', ')}]`);
      lines.push(`Negative: offset ${p.negative?.offset ?? 0}, bucket counts [${(p.negative?.bucketCounts ?? []).join(', ')}]`);
      return lines;
    }
    case 'Summary': {
      const p = point as SummaryDataPoint;
      const lines = [`Count: ${(p.count ?? 0n).toString()}`, `Sum: ${formatNumber(p.sum ?? 0)}`];
      (p.quantileValues ?? []).forEach((q, i) => lines.push(`QuantileValue #${i}: Quantile ${formatNumber(q.quantile ?? 0)}, Value ${formatNumber(q.value ?? 0)}`));
      return lines;
    }
    default:
      return [];
  }
}

function numberValue(p: NumberDataPoint): string {
  return p.asInt !== undefined ? p.asInt.toString() : formatNumber(p.asDouble ?? 0);
}

function temporalityName(value: number): string {
  return ['Unspecified', 'Delta', 'Cumulative'][value] ?? `Unknown(${value})`;
}

// ---------------------------------------------------------------------------
// Values

const SPAN_KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS_CODES = ['Unset', 'Ok', 'Error'];
const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

export function spanKindName(kind: number | undefined): string {
  return SPAN_KINDS[kind ?? 0] ?? `Unknown(${kind})`;
}

export function spanStatusName(code: number | undefined): string {
  return STATUS_CODES[code ?? 0] ?? `Unknown(${code})`;
}

/** `INFO`, `WARN3`, `Unspecified` for SeverityNumber 9, 15, 0. */
export function severityNumberName(n: number): string {
  if (n < 1 || n > 24 || !Number.isInteger(n)) return n === 0 ? 'Unspecified' : `Unknown(${n})`;
  const name = SEVERITY_NAMES[Math.floor((n - 1) / 4)] ?? '';
  const step = (n - 1) % 4;
  return step === 0 ? name : `${name}${step + 1}`;
}

function severityOf(record: LogRecord): string {
  if (record.severityText !== undefined && record.severityText !== '') return record.severityText;
  return severityNumberName(record.severityNumber ?? 0);
}

/** Lower-case hex; empty for absent ids. */
export function hex(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Nanoseconds since the epoch as RFC 3339 with all nine fraction digits; `0` when unset. */
export function formatTime(ns: bigint | undefined): string {
  if (ns === undefined || ns === 0n) return '0';
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return ns.toString();
  return `${date.toISOString().slice(0, 19)}.${fraction}Z`;
}

/** `1000ms`, `1.5ms`, `250µs`: end - start, in the largest unit that keeps it readable. */
export function formatDuration(start: bigint | undefined, end: bigint | undefined): string {
  if (start === undefined || end === undefined) return 'unknown';
  const ns = end - start;
  if (ns < 0n) return `${ns.toString()}ns`;
  if (ns < 1_000n) return `${ns.toString()}ns`;
  if (ns < 1_000_000n) return `${formatNumber(Number(ns) / 1_000)}µs`;
  return `${formatNumber(Number(ns) / 1_000_000)}ms`;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

function quote(text: string): string {
  return JSON.stringify(text);
}

/** The Collector's typed rendering: Str(x), Int(5), Double(1.5), Bool(true), Bytes(base64), Slice([...]), Map({...}), Empty(). */
export function formatAnyValue(value: AnyValue | undefined): string {
  if (value === undefined) return 'Empty()';
  if (value.stringValue !== undefined) return `Str(${value.stringValue})`;
  if (value.boolValue !== undefined) return `Bool(${value.boolValue})`;
  if (value.intValue !== undefined) return `Int(${value.intValue.toString()})`;
  if (value.doubleValue !== undefined) return `Double(${formatNumber(value.doubleValue)})`;
  if (value.bytesValue !== undefined) return `Bytes(${Buffer.from(value.bytesValue).toString('base64')})`;
  if (value.arrayValue !== undefined) return `Slice(${JSON.stringify((value.arrayValue.values ?? []).map(plainValue))})`;
  if (value.kvlistValue !== undefined) return `Map(${JSON.stringify(plainMap(value.kvlistValue.values))})`;
  return 'Empty()';
}

/** `{http.route="/cart", status=200}`, for one-line output. */
function formatAttributesInline(attributes: readonly KeyValue[]): string {
  return `{${attributes.map((kv) => `${kv.key ?? ''}=${JSON.stringify(plainValue(kv.value))}`).join(', ')}}`;
}

/** An AnyValue as plain JSON data (int64 as a string when it does not fit a double exactly). */
function plainValue(value: AnyValue | undefined): unknown {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number.isSafeInteger(Number(value.intValue)) ? Number(value.intValue) : value.intValue.toString();
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return Buffer.from(value.bytesValue).toString('base64');
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plainValue);
  if (value.kvlistValue !== undefined) return plainMap(value.kvlistValue.values);
  return null;
}

function plainMap(values: readonly KeyValue[] | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const kv of values ?? []) result[kv.key ?? ''] = plainValue(kv.value);
  return result;
}

function serviceName(resource: Resource | undefined): string | undefined {
  const value = resource?.attributes?.find((kv) => kv.key === 'service.name')?.value?.stringValue;
  return value !== undefined && value !== '' ? value : undefined;
}
