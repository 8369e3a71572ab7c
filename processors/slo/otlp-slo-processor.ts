import type { Component } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import type { SloEngine } from '../../src/engine/slo-engine';
import { SpanSample, EMPTY_ATTRIBUTES } from '../../src/engine/span-sample';
import type { AttributeMap } from '../../src/engine/span-sample';
import type { ExportTraceServiceRequest } from '../../src/otlp/model/trace';
import type { AnyValue, KeyValue } from '../../src/otlp/model/common';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';

/** Nanoseconds per millisecond, as a bigint for the subtraction of OTLP timestamps. */
const NS_PER_MS = 1_000_000;

/**
 * The gateway's adapter from decoded OTLP traces to the SLO engine: the same
 * engine, maths and metrics as the agent's SloSpanProcessor, fed from
 * ExportTraceServiceRequest instead of SDK spans. It reads the batch and
 * passes it on unchanged; a failure to read never stops the batch.
 */
export class OtlpSloProcessor implements Consumer, Component {
  private readonly sample = new SpanSample();
  private readonly failures: FailureCounter;

  constructor(
    private readonly engine: SloEngine,
    private readonly next: Consumer,
    logger: Logger,
  ) {
    this.failures = new FailureCounter(logger, 'SLO processing of OTLP spans');
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  consume(batch: TelemetryBatch): Promise<void> {
    try {
      this.record(batch.request);
    } catch (error) {
      this.failures.record(error);
    }
    return this.next.consume(batch);
  }

  private record(request: ExportTraceServiceRequest): void {
    const sample = this.sample;
    for (const resourceSpans of request.resourceSpans ?? []) {
      // Resource attributes are converted once per resource, not per span.
      const resourceAttributes = keyValuesToRecord(resourceSpans.resource?.attributes);
      const service = resourceAttributes['service.name'];
      sample.service = typeof service === 'string' ? service : '';
      sample.resourceAttributes = resourceAttributes;
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          const start = span.startTimeUnixNano ?? 0n;
          const end = span.endTimeUnixNano ?? 0n;
          sample.kind = span.kind ?? 0;
          sample.name = span.name ?? '';
          sample.statusCode = span.status?.code ?? 0;
          sample.durationMs = end > start ? Number(end - start) / NS_PER_MS : 0;
          sample.endTimeMs = Number(end / 1000n) / 1000;
          sample.attributes = keyValuesToRecord(span.attributes);
          this.engine.record(sample);
        }
      }
    }
  }
}

/**
 * OTLP attributes as the plain map the engine reads: strings, numbers
 * (int64 as a number when exact, else its decimal string), booleans, and
 * arrays of those; key-value lists and bytes are left out (no SLI reads them).
 */
export function keyValuesToRecord(attributes: readonly KeyValue[] | undefined): AttributeMap {
  if (attributes === undefined || attributes.length === 0) return EMPTY_ATTRIBUTES;
  const record: Record<string, unknown> = {};
  for (const kv of attributes) {
    if (kv.key === undefined || kv.value === undefined) continue;
    const value = scalarOf(kv.value);
    if (value !== undefined) record[kv.key] = value;
  }
  return record;
}

function scalarOf(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : value.intValue.toString();
  }
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(scalarOf);
  return undefined;
}
