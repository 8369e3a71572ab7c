import { describe, expect, it } from 'vitest';
import { createDefaultConfig, debugExporterConfigSchema, debugExporterFactory, resolveDebugExporterSettings } from '../../../exporters/debug/config';
import type { DebugVerbosity } from '../../../exporters/debug/config';
import { DebugExporter } from '../../../exporters/debug/debug-exporter';
import { formatDuration, formatTime, severityNumberName } from '../../../exporters/debug/format';
import type { ExportTraceServiceRequest } from '../../../src/otlp/model/trace';
import type { Signal } from '../../../src/otlp/signal';
import { anchorRequest, batchOf, testContext, traceRequest } from '../otlp/helpers';

async function render(verbosity: DebugVerbosity, signal: Signal, request = anchorRequest(signal), id = 'debug'): Promise<string[]> {
  const written: string[] = [];
  const test = testContext(id);
  const exporter = new DebugExporter({ verbosity }, test.ctx, { write: (text) => written.push(text) });
  await exporter.start();
  await exporter.consume(batchOf(signal, request));
  await exporter.shutdown();
  expect(written).toHaveLength(1); // one write per batch
  expect(written[0]?.endsWith('\n')).toBe(true);
  return (written[0] ?? '').slice(0, -1).split('\n');
}

/** A span with every field set, events and links included. */
function fullSpanRequest(): ExportTraceServiceRequest {
  const request = traceRequest(7, 1);
  const span = request.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
  Object.assign(span, {
    parentSpanId: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
    traceState: 'vendor=x',
    flags: 0x301,
    status: { code: 2, message: 'payment declined' },
    droppedAttributesCount: 1,
    attributes: [
      ...(span.attributes ?? []),
      { key: 'retry', value: { boolValue: true } },
      { key: 'ratio', value: { doubleValue: 0.25 } },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2n }] } } },
      { key: 'nested', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
      { key: 'raw', value: { bytesValue: Uint8Array.from([255, 0]) } },
    ],
    events: [{ name: 'exception', timeUnixNano: 1_700_000_000_100_000_000n, attributes: [{ key: 'exception.type', value: { stringValue: 'Declined' } }] }],
    links: [{ traceId: new Uint8Array(16).fill(0xab), spanId: new Uint8Array(8).fill(0xcd), traceState: 'l=1', attributes: [{ key: 'link.kind', value: { stringValue: 'follows' } }] }],
  });
  request.resourceSpans![0]!.schemaUrl = 'https://opentelemetry.io/schemas/1.26.0';
  return request;
}

describe('debug exporter', () => {
  it('config: verbosity basic by default, Collector names', () => {
    expect(createDefaultConfig()).toEqual({ verbosity: 'basic' });
    expect(resolveDebugExporterSettings({})).toEqual({ verbosity: 'basic' });
    expect(resolveDebugExporterSettings({ verbosity: 'detailed' })).toEqual({ verbosity: 'detailed' });
    expect(debugExporterFactory).toMatchObject({ kind: 'exporter', type: 'debug', signals: ['traces', 'metrics', 'logs'] });
    expect(debugExporterConfigSchema.safeParse({ verbosity: 'loud' }).error?.issues[0]?.message).toBe(
      'must be one of basic, normal, detailed, got "loud"',
    );
  });

  it('basic: one summary line per batch', async () => {
    expect(await render('basic', 'traces', traceRequest(1, 512))).toEqual(['debug exporter: 1 resource spans, 512 spans']);
    expect(await render('basic', 'metrics')).toEqual(['debug exporter: 1 resource metrics, 4 metrics, 4 data points']);
    expect(await render('basic', 'logs', anchorRequest('logs'), 'debug/audit')).toEqual(['debug/audit exporter: 1 resource logs, 1 log records']);
  });

  it('normal: one line per span, data point and log record', async () => {
    expect(await render('normal', 'traces')).toEqual([
      'debug exporter: 1 resource spans, 1 spans',
      'span "I\'m a server span" service="my.service" trace_id=5b8efff798038103d269b633813fc60c span_id=eee19b7ec3c1b174 parent_id=eee19b7ec3c1b173 kind=Server status=Unset duration=1000ms attributes={my.span.attr="some value"}',
    ]);
    const spanLine = (await render('normal', 'traces', fullSpanRequest()))[1];
    expect(spanLine).toContain('status=Error("payment declined") duration=250ms');
    const metrics = await render('normal', 'metrics');
    expect(metrics).toHaveLength(5);
    expect(metrics[1]).toBe('metric "my.counter" service="my.service" type=Sum unit="1" value=5 attributes={my.counter.attr="some value"}');
    expect(metrics[3]).toMatch(/^metric "my\.histogram" .*type=Histogram .*count=2 sum=2 min=0 max=2/);
    expect(metrics[4]).toMatch(/type=ExponentialHistogram .*count=3 .*scale=0/);
    const logs = await render('normal', 'logs');
    expect(logs).toHaveLength(2);
    expect(logs[1]).toMatch(/^log service="my\.service" time=2018-12-13T14:51:00\.300000000Z severity=Information .*trace_id=5b8efff798038103d269b633813fc60c span_id=eee19b7ec3c1b174 body=Str\(Example log record\) attributes=\{string\.attribute="some string", boolean\.attribute=true, int\.attribute=10, .*\}$/);
  });

  it('detailed: every field, resource and scope attributes, events and links', async () => {
    const lines = await render('detailed', 'traces', fullSpanRequest());
    const text = lines.join('\n');
    for (const expected of [
      'ResourceSpans #0',
      'Resource SchemaURL: https://opentelemetry.io/schemas/1.26.0',
      'Resource attributes:',
      '     -> service.name: Str(checkout)',
      'ScopeSpans #0',
      'InstrumentationScope test 1.0.0',
      'Span #0',
      '    Parent ID              : 0102030405060708',
      '    Name                   : batch-7/0',
      '    Kind                   : Server',
      '    TraceState             : vendor=x',
      '    Flags                  : 769',
      '    Start time             : 2023-11-14T22:13:20.000000000Z',
      '    End time               : 2023-11-14T22:13:20.250000000Z',
      '    Status code            : Error',
      '    Status message         : payment declined',
      '    DroppedAttributesCount : 1',
      '     -> http.response.status_code: Int(200)',
      '     -> retry: Bool(true)',
      '     -> ratio: Double(0.25)',
      '     -> tags: Slice(["a",2])',
      '     -> nested: Map({"k":"v"})',
      '     -> raw: Bytes(/wA=)',
      'SpanEvent #0',
      '     -> Name: exception',
      '     -> Timestamp: 2023-11-14T22:13:20.100000000Z',
      '          -> exception.type: Str(Declined)',
      'SpanLink #0',
      '     -> Trace ID: abababababababababababababababab',
      '     -> ID: cdcdcdcdcdcdcdcd',
      '     -> TraceState: l=1',
      '          -> link.kind: Str(follows)',
    ]) {
      expect(lines, `missing ${JSON.stringify(expected)} in\n${text}`).toContain(expected);
    }
  });

  it('detailed: metrics and logs', async () => {
    const metrics = await render('detailed', 'metrics');
    expect(metrics).toContain('     -> Name: my.histogram');
    expect(metrics).toContain('     -> DataType: Histogram');
    expect(metrics).toContain('     -> AggregationTemporality: Delta');
    expect(metrics).toContain('     -> IsMonotonic: true');
    expect(metrics).toContain('InstrumentationScope attributes:');
    expect(metrics).toContain('     -> my.scope.attribute: Str(some scope attribute)');
    expect(metrics.filter((l) => l.startsWith('ExplicitBounds #')).length).toBeGreaterThan(0);
    const logs = await render('detailed', 'logs');
    expect(logs).toContain('SeverityText: Information');
    expect(logs).toContain('SeverityNumber: INFO2(10)');
    expect(logs).toContain('Body: Str(Example log record)');
    expect(logs).toContain('     -> int.attribute: Int(10)');
    expect(logs).toContain('     -> map.attribute: Map({"some.map.key":"some value"})');
  });

  it('formats times, durations and severities', () => {
    expect(formatTime(1_544_712_660_300_000_001n)).toBe('2018-12-13T14:51:00.300000001Z');
    expect(formatTime(undefined)).toBe('0');
    expect(formatDuration(0n, 1_500n)).toBe('1.5µs');
    expect(formatDuration(0n, 2_500_000n)).toBe('2.5ms');
    expect(formatDuration(undefined, 1n)).toBe('unknown');
    expect([0, 1, 9, 10, 13, 17, 21, 24, 25].map(severityNumberName)).toEqual(['Unspecified', 'TRACE', 'INFO', 'INFO2', 'WARN', 'ERROR', 'FATAL', 'FATAL4', 'Unknown(25)']);
  });

  it('counts what it wrote, and survives a writer that throws', async () => {
    const test = testContext('debug');
    const ok = new DebugExporter({ verbosity: 'basic' }, test.ctx, { write: () => undefined });
    await ok.consume(batchOf('traces', traceRequest(1, 4)));
    expect(ok.metrics.totals.sent.traces).toBe(4);
    const broken = new DebugExporter({ verbosity: 'basic' }, test.ctx, {
      write: () => {
        throw new Error('EPIPE');
      },
    });
    await broken.consume(batchOf('traces', traceRequest(1, 4)));
    await broken.consume(batchOf('traces', traceRequest(2, 4)));
    expect(broken.metrics.totals.sendFailed.traces).toBe(8);
    expect(test.logs).toEqual(['error: exporter debug: writing failed; further failures are counted, not logged: EPIPE']);
  });
});
