/**
 * The OTLP specification's own JSON examples (opentelemetry-proto
 * examples/*.json, copied to /work/shared/anchors/otlp): each decodes as the
 * JSON request of its signal, re-encodes to protobuf and back to JSON with the
 * same content. Skipped, with a message, where that directory is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  countItems,
  decodeJsonRequest,
  decodeProtobufRequest,
  encodeJsonRequest,
  encodeProtobufRequest,
} from '../../src/otlp';
import type { Signal } from '../../src/otlp/signal';
import { decodeWithProtobufjs } from '../helpers/protobufjs-otlp';

const anchorsDir = path.resolve(__dirname, '../../../shared/anchors/otlp');
const present = existsSync(anchorsDir);
if (!present) {
  console.warn(`OTLP anchor tests skipped: ${anchorsDir} is absent (the specification's JSON examples live there when /work/shared is mounted)`);
}

const SIGNAL_OF: Record<string, Signal> = { 'trace.json': 'traces', 'metrics.json': 'metrics', 'logs.json': 'logs', 'events.json': 'logs' };
const TYPE_OF: Record<Signal, string> = { traces: 'ExportTraceServiceRequest', metrics: 'ExportMetricsServiceRequest', logs: 'ExportLogsServiceRequest' };
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);
const INT64_KEYS = new Set([
  'startTimeUnixNano',
  'endTimeUnixNano',
  'timeUnixNano',
  'observedTimeUnixNano',
  'intValue',
  'asInt',
  'count',
  'zeroCount',
  'bucketCounts',
]);

/**
 * The spec's examples as a canonical JSON value: ids lowercase hex, 64-bit
 * integers as decimal strings, and default values (0, '', false, empty
 * lists) left out, as the OTLP/JSON writer leaves them out — except inside
 * AnyValue and for the data points' value oneof and optional fields, where
 * presence matters.
 */
function normalize(v: unknown, key = '', keepZero = false): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x, key, true));
    return items.length === 0 ? undefined : items;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    const isAnyValue = key === 'value' || key === 'body' || key === 'values';
    for (const [k, x] of Object.entries(v)) {
      const keep = isAnyValue || ['asDouble', 'asInt', 'sum', 'min', 'max'].includes(k);
      const n = normalize(x, k, keep);
      if (n !== undefined) out[k] = n;
    }
    return out;
  }
  if (ID_KEYS.has(key) && typeof v === 'string') return v.toLowerCase() || undefined;
  if (INT64_KEYS.has(key) && (typeof v === 'string' || typeof v === 'number')) {
    const s = BigInt(v).toString();
    return s === '0' && !keepZero ? undefined : s;
  }
  if (!keepZero && (v === 0 || v === '' || v === false)) return undefined;
  return v;
}

describe.skipIf(!present)(
  present ? 'the specification JSON examples (/work/shared/anchors/otlp)' : `the specification JSON examples — SKIPPED: ${anchorsDir} is absent`,
  () => {
  const files = present ? readdirSync(anchorsDir).filter((f) => f.endsWith('.json')) : [];

  it('are all known', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(SIGNAL_OF[f], `signal of ${f}`).toBeDefined();
  });

  for (const file of present ? readdirSync(anchorsDir).filter((f) => f.endsWith('.json')) : []) {
    const signal = SIGNAL_OF[file] ?? 'traces';
    it(`${file}: JSON → model → protobuf → model → JSON keeps the content`, () => {
      const text = readFileSync(path.join(anchorsDir, file), 'utf8');
      const model = decodeJsonRequest(signal, text);
      expect(countItems(signal, model)).toBeGreaterThan(0);
      const pb = encodeProtobufRequest(signal, model);
      const fromPb = decodeProtobufRequest(signal, pb);
      expect(fromPb).toEqual(model);
      const json = encodeJsonRequest(signal, fromPb);
      expect(normalize(JSON.parse(json))).toEqual(normalize(JSON.parse(text)));
      // The protobuf we write is what an independent decoder reads, too.
      const theirs = decodeWithProtobufjs(TYPE_OF[signal], pb);
      expect(countKeys(theirs)).toBeGreaterThan(0);
    });
  }

  it('trace.json: the ids are the example ids, the times exact', () => {
    const model = decodeJsonRequest('traces', readFileSync(path.join(anchorsDir, 'trace.json'), 'utf8'));
    const span = model.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0];
    expect(Buffer.from(span!.traceId!).toString('hex')).toBe('5b8efff798038103d269b633813fc60c');
    expect(Buffer.from(span!.spanId!).toString('hex')).toBe('eee19b7ec3c1b174');
    expect(Buffer.from(span!.parentSpanId!).toString('hex')).toBe('eee19b7ec3c1b173');
    expect(span!.startTimeUnixNano).toBe(1544712660000000000n);
    expect(span!.endTimeUnixNano).toBe(1544712661000000000n);
    expect(span!.kind).toBe(2);
  });

  it('metrics.json: every metric type of the example decodes', () => {
    const model = decodeJsonRequest('metrics', readFileSync(path.join(anchorsDir, 'metrics.json'), 'utf8'));
    const metrics = model.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics ?? [];
    const types = metrics.map((m) => Object.keys(m).find((k) => ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'].includes(k)));
    expect(types).toContain('sum');
    expect(types).toContain('gauge');
    expect(types).toContain('histogram');
    expect(types).toContain('exponentialHistogram');
    const hist = metrics.find((m) => m.histogram)!.histogram!.dataPoints![0]!;
    expect(hist.bucketCounts).toEqual([1n, 1n]);
    expect(hist.min).toBe(0); // optional: present although zero
  });

  it('events.json: the event name and the kvlist body with intValue "0"', () => {
    const model = decodeJsonRequest('logs', readFileSync(path.join(anchorsDir, 'events.json'), 'utf8'));
    const record = model.resourceLogs?.[0]?.scopeLogs?.[0]?.logRecords?.[0];
    expect(record?.eventName).toBe('browser.page_view');
    expect(record?.body?.kvlistValue?.values?.[0]).toEqual({ key: 'type', value: { intValue: 0n } });
  });
  },
);

function countKeys(v: unknown): number {
  return v !== null && typeof v === 'object' ? Object.keys(v).length : 0;
}
