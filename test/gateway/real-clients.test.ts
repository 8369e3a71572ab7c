import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { freePort, startNode, waitUntil } from '../helpers/processes';
import type { RunningProcess } from '../helpers/processes';
import { decodeTracesIndependently } from '../helpers/independent-otlp-decoder';
import { Downstream, makeSpans } from '../helpers/otlp-fixtures';
import type { IndependentSpan } from '../helpers/independent-otlp-decoder';
import { parsePrometheusText, valueOf } from '../helpers/prometheus-text';

interface Ports {
  http: number;
  grpc: number;
  metrics: number;
  health: number;
}

function gatewayConfig(ports: Ports, downstreamPort: number): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http} }
      grpc: { endpoint: 127.0.0.1:${ports.grpc} }
processors:
  slo:
    evaluation_interval: 1s
    objectives:
      - name: availability
        sli: { availability: {} }
        objective: 99.9
  batch:
    timeout: 50ms
exporters:
  otlp/downstream:
    endpoint: http://127.0.0.1:${downstreamPort}
    protocol: http/protobuf
  prometheus:
    endpoint: 127.0.0.1:${ports.metrics}
extensions:
  health_check:
    endpoint: 127.0.0.1:${ports.health}
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [slo, batch]
      exporters: [otlp/downstream]
    metrics:
      receivers: []
      processors: []
      exporters: [prometheus]
`;
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (result) => (result.code === ExportResultCode.SUCCESS ? resolve() : reject(result.error ?? new Error('export failed'))));
  });
}

function byId(spans: IndependentSpan[]): Map<string, IndependentSpan> {
  return new Map(spans.map((s) => [String(s.span.spanId), s]));
}

describe('gateway with real OpenTelemetry JS clients', () => {
  let dir: string;
  let downstream: Downstream;
  let gateway: RunningProcess;
  let ports: Ports;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-gw-'));
    downstream = new Downstream();
    await downstream.start();
    ports = { http: await freePort(), grpc: await freePort(), metrics: await freePort(), health: await freePort() };
    const config = path.join(dir, 'otel-config.yaml');
    writeFileSync(config, gatewayConfig(ports, downstream.port));
    gateway = startNode(['dist/src/cli/main.js', 'serve', '--config', config], {});
    await waitUntil(async () => ((await fetch(`http://127.0.0.1:${ports.health}/readyz`)).status === 200 ? true : undefined));
  });

  afterAll(async () => {
    await gateway?.stop();
    await downstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards every span from proto, JSON and gRPC exporters field for field, and counts the SLOs', async () => {
    const clients: [string, SpanExporter][] = [
      ['proto', new ProtoExporter({ url: `http://127.0.0.1:${ports.http}/v1/traces` })],
      ['json', new JsonExporter({ url: `http://127.0.0.1:${ports.http}/v1/traces` })],
      ['grpc', new GrpcExporter({ url: `http://127.0.0.1:${ports.grpc}` })],
    ];
    const sent: IndependentSpan[] = [];
    for (const [name, exporter] of clients) {
      const spans = makeSpans(`svc-${name}`, 30);
      // What the client means to send, encoded by the SDK itself and decoded independently.
      sent.push(...decodeTracesIndependently(ProtobufTraceSerializer.serializeRequest(spans)!));
      await exportWith(exporter, spans);
      await exporter.shutdown();
    }
    const received = await waitUntil(() => Promise.resolve(downstream.spans().length >= sent.length ? downstream.spans() : undefined));
    expect(received).toHaveLength(sent.length);
    const got = byId(received);
    for (const expected of sent) expect(got.get(String(expected.span.spanId))).toEqual(expected);

    // The downstream has the data before the gateway has read its 200 and counted: wait for the count.
    const samples = await waitUntil(async () => {
      const s = parsePrometheusText(await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text());
      return s.some((x) => x.name === 'slowatch_exporter_sent_spans_total' && x.value === 180) ? s : undefined;
    });
    for (const name of ['proto', 'json', 'grpc']) {
      // 30 server spans each: every 10th answered 503, every 15th ERROR (0 is both): 3 + 2 - 1 = 4 bad.
      expect(valueOf(samples, 'slowatch_slo_events_total', { slo: 'availability', service: `svc-${name}`, outcome: 'bad' })).toBe(4);
      expect(valueOf(samples, 'slowatch_slo_events_total', { slo: 'availability', service: `svc-${name}`, outcome: 'good' })).toBe(26);
    }
    expect(valueOf(samples, 'slowatch_receiver_accepted_spans_total', { receiver: 'otlp', transport: 'http' })).toBe(120);
    expect(valueOf(samples, 'slowatch_receiver_accepted_spans_total', { receiver: 'otlp', transport: 'grpc' })).toBe(60);
    expect(valueOf(samples, 'slowatch_exporter_sent_spans_total', { exporter: 'otlp/downstream' })).toBe(180);
  });
});
