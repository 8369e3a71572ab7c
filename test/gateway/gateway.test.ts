import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { startGatewayProcess } from '../helpers/gateway-process';
import type { GatewayPorts, RunningGatewayProcess } from '../helpers/gateway-process';
import { Downstream, makeSpans } from '../helpers/otlp-fixtures';
import { decodeTracesIndependently } from '../helpers/independent-otlp-decoder';
import { startNode, waitUntil, freePort } from '../helpers/processes';
import { parsePrometheusText, valueOf } from '../helpers/prometheus-text';
import { decodeJsonRequest, decodeProtobufRequest } from '../../src/otlp/codec';
import type { Signal } from '../../src/otlp/signal';

const ANCHORS = path.resolve(__dirname, '../../../shared/anchors/otlp');

const running: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

function config(ports: GatewayPorts, downstreamPort: number, extra: { queue?: string; signals?: Signal[] } = {}): string {
  const signals = extra.signals ?? ['traces'];
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  slo: {}
exporters:
  otlp/downstream:
    endpoint: http://127.0.0.1:${downstreamPort}
    compression: none
    ${extra.queue ?? ''}
  prometheus: { endpoint: 127.0.0.1:${ports.metrics} }
extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
service:
  extensions: [health_check]
  pipelines:
${signals
  .map((s) => `    ${s}: { receivers: [otlp], processors: [${s === 'traces' ? 'slo' : ''}], exporters: [otlp/downstream] }`)
  .join('\n')}
    metrics/self: { receivers: [], processors: [], exporters: [prometheus] }
`;
}

async function startWithDownstream(extra: Parameters<typeof config>[2] = {}): Promise<{ gateway: RunningGatewayProcess; downstream: Downstream }> {
  const downstream = new Downstream();
  await downstream.start();
  running.push(downstream);
  const gateway = await startGatewayProcess((ports) => config(ports, downstream.port, extra));
  running.unshift(gateway);
  return { gateway, downstream };
}

function post(port: number, signal: Signal, body: Uint8Array | string, contentType: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/${signal}`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

async function metrics(gateway: RunningGatewayProcess): Promise<string> {
  return (await fetch(`http://127.0.0.1:${gateway.ports.metrics}/metrics`)).text();
}

describe.skipIf(!existsSync(ANCHORS))('the OTLP specification examples (shared/anchors/otlp)', () => {
  it('accepts every example as sent with 200 and delivers it downstream unchanged', async () => {
    const { gateway, downstream } = await startWithDownstream({ signals: ['traces', 'metrics', 'logs'] });
    const files = readdirSync(ANCHORS).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['events.json', 'logs.json', 'metrics.json', 'trace.json']);
    const signalOf = (file: string): Signal => (file === 'trace.json' ? 'traces' : file === 'metrics.json' ? 'metrics' : 'logs');
    for (const file of files) {
      const text = readFileSync(path.join(ANCHORS, file), 'utf8');
      const signal = signalOf(file);
      const before = downstream.byPath.get(`/v1/${signal}`)?.length ?? 0;
      const res = await post(gateway.ports.http, signal, text, 'application/json');
      expect({ file, status: res.status }).toEqual({ file, status: 200 });
      const bodies = await waitUntil(() => {
        const got = downstream.byPath.get(`/v1/${signal}`) ?? [];
        return Promise.resolve(got.length > before ? got : undefined);
      });
      const forwarded = bodies[bodies.length - 1]!;
      expect(decodeProtobufRequest(signal, forwarded)).toEqual(decodeJsonRequest(signal, text));
      if (signal === 'traces') {
        // And by a decoder that shares nothing with ours: the ids the example wrote in hex.
        const spans = decodeTracesIndependently(forwarded);
        const example = JSON.parse(text) as { resourceSpans: { scopeSpans: { spans: { spanId: string; traceId: string }[] }[] }[] };
        const ids = example.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => `${x.traceId.toLowerCase()}/${x.spanId.toLowerCase()}`)));
        expect(spans.map((s) => `${String(s.span.traceId)}/${String(s.span.spanId)}`)).toEqual(ids);
      }
    }
  });
});

describe('gateway under a downstream outage', () => {
  it('rides out 30 s of 503s: loses nothing within the queue bound, answers 503 + Retry-After beyond it and counts the refused spans', async () => {
    const { gateway, downstream } = await startWithDownstream({
      queue: `sending_queue: { num_consumers: 1, queue_size: 4 }
    retry_on_failure: { initial_interval: 1s, max_interval: 5s, max_elapsed_time: 120s }`,
    });
    const OUTAGE_MS = 30_000;
    downstream.down = true;
    const outageStarted = Date.now();
    const accepted: string[][] = [];
    let refused = 0;
    for (let n = 0; n < 10; n++) {
      const spans = makeSpans(`svc-${n}`, 5);
      const res = await post(gateway.ports.http, 'traces', ProtobufTraceSerializer.serializeRequest(spans)!, 'application/x-protobuf');
      await res.arrayBuffer();
      if (res.status === 200) accepted.push(spans.map((s) => s.spanContext().spanId));
      else {
        expect(res.status).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        refused++;
      }
    }
    // The queue's 4 batches plus the one the consumer is retrying.
    expect(accepted).toHaveLength(5);
    expect(refused).toBe(5);
    const during = parsePrometheusText(await metrics(gateway));
    expect(valueOf(during, 'slowatch_receiver_refused_spans_total', { receiver: 'otlp', transport: 'http' })).toBe(refused * 10);
    expect(valueOf(during, 'slowatch_receiver_accepted_spans_total', { receiver: 'otlp', transport: 'http' })).toBe(accepted.length * 10);

    // The downstream stays down for the whole 30 s (the client side above took a moment of it).
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - outageStarted))));
    expect(downstream.spans()).toHaveLength(0);
    downstream.down = false;
    const expected = accepted.flat().sort();
    const delivered = await waitUntil(() => {
      const ids = downstream.spans().map((s) => String(s.span.spanId));
      return Promise.resolve(ids.length >= expected.length ? ids : undefined);
    }, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(downstream.spans().map((s) => String(s.span.spanId)).sort()).toEqual(expected);
    expect(new Set(delivered).size).toBe(delivered.length);
    await waitUntil(async () =>
      valueOf(parsePrometheusText(await metrics(gateway)), 'slowatch_exporter_sent_spans_total', { exporter: 'otlp/downstream' }) === expected.length
        ? true
        : undefined,
    );
  }, 90_000);
});

describe('gateway lifecycle', () => {
  it('drains its queue to a slow downstream on SIGTERM, then exits 0', async () => {
    const { gateway, downstream } = await startWithDownstream({ queue: 'sending_queue: { num_consumers: 1, queue_size: 20 }' });
    // Slow enough that the five requests are all queued long before the last is delivered.
    downstream.delayMs = 800;
    const sent: string[] = [];
    for (let n = 0; n < 5; n++) {
      const spans = makeSpans(`svc-${n}`, 5);
      const res = await post(gateway.ports.http, 'traces', ProtobufTraceSerializer.serializeRequest(spans)!, 'application/x-protobuf');
      expect(res.status).toBe(200);
      sent.push(...spans.map((s) => s.spanContext().spanId));
    }
    expect(downstream.spans().length).toBeLessThan(sent.length);
    expect(await gateway.proc.stop(15_000)).toBe(0);
    expect(downstream.spans().map((s) => String(s.span.spanId)).sort()).toEqual(sent.sort());
    expect(gateway.proc.stderr()).toContain('SIGTERM: shutting down');
  });

  it('exits 1 with one line naming the file when a TLS file is missing', async () => {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-tls-'));
    running.push({ close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) });
    const file = path.join(dir, 'otel-config.yaml');
    writeFileSync(
      file,
      `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:${port}\n        tls: { cert_file: ${dir}/missing.crt, key_file: ${dir}/missing.key }\nprocessors:\n  slo: {}\nservice:\n  pipelines:\n    traces: { receivers: [otlp], processors: [slo], exporters: [] }\n`,
    );
    const bad = startNode(['dist/src/cli/main.js', 'serve', '--config', file], {});
    const code = await new Promise<number | null>((resolve) => bad.child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = bad.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^slowatch error: cannot start: otlp: .*missing\.crt/);
  });

  it.runIf(spawnSync('promtool', ['--version']).status === 0 || process.env.CI === 'true')('serves its own metrics clean under promtool check metrics', async () => {
    const { gateway } = await startWithDownstream();
    const spans = makeSpans('svc', 3);
    await post(gateway.ports.http, 'traces', ProtobufTraceSerializer.serializeRequest(spans)!, 'application/x-protobuf');
    await post(gateway.ports.http, 'traces', 'not protobuf', 'application/x-protobuf');
    await waitUntil(async () => (parsePrometheusText(await metrics(gateway)).some((s) => s.name === 'slowatch_exporter_sent_spans_total' && s.value === 6) ? true : undefined));
    const result = spawnSync('promtool', ['check', 'metrics'], { input: await metrics(gateway), encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
