import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import type { ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest } from '../../src/otlp/export-request';
import { ExporterMetrics, FailureLog } from '../otlp/exporter-metrics';
import type { DebugExporterSettings } from './config';
import {
  detailedLogs,
  detailedMetrics,
  detailedTraces,
  logLines,
  metricLines,
  spanLines,
  summarizeLogs,
  summarizeMetrics,
  summarizeTraces,
} from './format';

export interface DebugExporterOptions {
  /** Where the text goes, one call per batch. @default process.stderr.write */
  readonly write?: (text: string) => void;
}

/**
 * The `debug` exporter: writes what passes through a pipeline to stderr.
 * Every verbosity starts with the batch's summary line
 * (`debug exporter: 3 resource spans, 512 spans`); `normal` adds one line per
 * span, data point or log record, `detailed` every field.
 */
export class DebugExporter implements Component, Consumer {
  readonly metrics: ExporterMetrics;
  private readonly write: (text: string) => void;
  private readonly failures: FailureLog;

  constructor(
    private readonly settings: DebugExporterSettings,
    private readonly ctx: ComponentContext,
    options: DebugExporterOptions = {},
  ) {
    this.write = options.write ?? ((text) => void process.stderr.write(text));
    this.metrics = new ExporterMetrics(ctx.meter, ctx.id);
    this.failures = new FailureLog(ctx.logger, `exporter ${ctx.id}`);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  consume(batch: TelemetryBatch): Promise<void> {
    try {
      this.write(`${renderBatch(this.ctx.id, batch, this.settings.verbosity).join('\n')}\n`);
      this.metrics.sent(batch.signal, batch.itemCount);
    } catch (error) {
      // A broken stderr (EPIPE) or an unexpected shape must not fail the pipeline.
      this.metrics.sendFailed(batch.signal, batch.itemCount);
      this.failures.record('write', 'writing', error);
    }
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The lines the exporter writes for one batch. */
export function renderBatch(id: string, batch: TelemetryBatch, verbosity: DebugExporterSettings['verbosity']): string[] {
  const header = `${id} exporter: `;
  switch (batch.signal) {
    case 'traces': {
      const request = batch.request as ExportTraceServiceRequest;
      const detail = verbosity === 'basic' ? [] : verbosity === 'normal' ? spanLines(request) : detailedTraces(request);
      return [header + summarizeTraces(request), ...detail];
    }
    case 'metrics': {
      const request = batch.request as ExportMetricsServiceRequest;
      const detail = verbosity === 'basic' ? [] : verbosity === 'normal' ? metricLines(request) : detailedMetrics(request);
      return [header + summarizeMetrics(request), ...detail];
    }
    case 'logs': {
      const request = batch.request as ExportLogsServiceRequest;
      const detail = verbosity === 'basic' ? [] : verbosity === 'normal' ? logLines(request) : detailedLogs(request);
      return [header + summarizeLogs(request), ...detail];
    }
  }
}
