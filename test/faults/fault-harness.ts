import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { decodeTracesIndependently } from '../helpers/independent-otlp-decoder';
import { freePort, startNode } from '../helpers/processes';
import type { RunningProcess } from '../helpers/processes';
import { parsePrometheusText, select } from '../helpers/prometheus-text';
import type { Sample } from '../helpers/prometheus-text';
import type { GatewayPorts } from '../helpers/gateway-process';

/*
 * What the fault tests share: a downstream OTLP/HTTP receiver whose failure
 * mode the test switches at will, the gateway config they run, and small
 * readers of /metrics and of the spans they post. Everything is counted by
 * span id, so "nothing lost" is an exact set comparison.
 */

/** How the downstream answers every /v1/* request. */
export type DownstreamBehaviour =
  | { readonly kind: 'accept' }
  /** 503, like a backend that is down behind its load balancer; with Retry-After when `retryAfterSeconds` is set. */
  | { readonly kind: 'unavailable'; readonly retryAfterSeconds?: number }
  /** A status the OTLP spec says must not be retried (400, 413...). */
  | { readonly kind: 'reject'; readonly status: number };

export class FaultDownstream {
  behaviour: DownstreamBehaviour = { kind: 'accept' };
  /** Milliseconds before any answer (a slow backend); the body is read first. */
  delayMs = 0;
  /** Every request received, whatever it was answered. */
  requests = 0;
  /** Requests whose answer has not been sent yet (a slow backend's backlog). */
  inFlight = 0;
  /** The largest `inFlight` seen. */
  maxInFlight = 0;
  /** Span ids of the requests answered 200, in order (duplicates kept: a redelivery shows up twice). */
  readonly acceptedSpanIds: string[] = [];
  /** Span ids of every request received (answered 200 or not). */
  readonly receivedSpanIds: string[] = [];
  port = 0;
  private server: Server | undefined;

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const ids = req.url === '/v1/traces' ? decodeTracesIndependently(body).map((s) => String(s.span.spanId)) : [];
        this.receivedSpanIds.push(...ids);
        const answer = (): void => {
          this.inFlight--;
          // The behaviour when the answer goes out counts (a slow request can outlive an outage's start).
          const behaviour = this.behaviour;
          if (behaviour.kind === 'unavailable') {
            const retryAfter = behaviour.retryAfterSeconds === undefined ? {} : { 'retry-after': String(behaviour.retryAfterSeconds) };
            res.writeHead(503, { ...retryAfter, 'content-type': 'application/x-protobuf' }).end();
          } else if (behaviour.kind === 'reject') {
            res.writeHead(behaviour.status, { 'content-type': 'application/x-protobuf' }).end();
          } else {
            this.acceptedSpanIds.push(...ids);
            res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
          }
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}

export interface FaultGatewayOptions {
  /** The otlp exporter's sending_queue and retry_on_failure lines (YAML flow mappings). */
  readonly queue?: string;
  readonly retry?: string;
  /** Absolute path of a store: adds the storage extension (snapshot_interval 1s). */
  readonly storePath?: string;
  /** The availability objective, percent. @default 99 */
  readonly objective?: number;
}

export const FAULT_SLO = 'availability';
export const FAULT_SERVICE = 'shop';

/** `slowatch serve`'s config for the fault tests: otlp in, slo, otlp out to the downstream, /metrics, readiness. */
export function faultGatewayConfig(ports: GatewayPorts, downstreamPort: number | undefined, options: FaultGatewayOptions = {}): string {
  const exporter =
    downstreamPort === undefined
      ? ''
      : `  otlp/downstream:
    endpoint: http://127.0.0.1:${downstreamPort}
    compression: none
    timeout: 30s
    sending_queue: ${options.queue ?? '{ num_consumers: 1, queue_size: 8 }'}
    retry_on_failure: ${options.retry ?? '{ initial_interval: 100ms, max_interval: 500ms, max_elapsed_time: 120s }'}
`;
  const storage = options.storePath === undefined ? '' : `  storage: { path: ${JSON.stringify(options.storePath)}, snapshot_interval: 1s }\n`;
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  slo:
    evaluation_interval: 1s
    objectives:
      - name: ${FAULT_SLO}
        service: ${FAULT_SERVICE}
        sli: { availability: {} }
        objective: ${options.objective ?? 99}
exporters:
${exporter}  prometheus: { endpoint: 127.0.0.1:${ports.metrics} }
extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
${storage}service:
  extensions: [health_check${options.storePath === undefined ? '' : ', storage'}]
  pipelines:
    traces: { receivers: [otlp], processors: [slo], exporters: [${downstreamPort === undefined ? '' : 'otlp/downstream'}] }
    metrics/self: { receivers: [], processors: [], exporters: [prometheus] }
`;
}

/** The gateway's /metrics, parsed. */
export async function scrape(metricsPort: number): Promise<Sample[]> {
  return parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
}

/** Sum of every series of `name` matching `labels` (0 when none). */
export function total(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  return select(samples, name, labels).reduce((sum, s) => sum + s.value, 0);
}

/** The fault SLO's good and bad event counters. */
export function sloCounts(samples: readonly Sample[]): { good: number; bad: number } {
  const series = { slo: FAULT_SLO, service: FAULT_SERVICE };
  return {
    good: total(samples, 'slowatch_slo_events_total', { ...series, outcome: 'good' }),
    bad: total(samples, 'slowatch_slo_events_total', { ...series, outcome: 'bad' }),
  };
}

/** The span ids of an `availabilityBatch` body, as the downstream decodes them (lowercase hex). */
export function spanIdsOf(batch: unknown): string[] {
  const body = batch as { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] };
  return body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.spanId.toLowerCase())));
}

/** POSTs an OTLP/JSON body to /v1/traces and returns the status (the body is read, never thrown on). */
export async function postStatus(httpPort: number, body: unknown): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `slowatch serve --config <configPath>` (dist/); resolves once /readyz answers 200, rejects if it exits first. */
export async function startServe(configPath: string, healthPort: number, timeoutMs = 20_000): Promise<RunningProcess> {
  const proc = startNode(['dist/src/cli/main.js', 'serve', '--config', configPath], {});
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`slowatch serve exited (${String(proc.child.exitCode ?? proc.child.signalCode)}) before it was ready:\n${proc.stderr()}`);
    }
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return proc;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`slowatch serve not ready within ${timeoutMs} ms:\n${proc.stderr()}`);
    }
    await sleep(50);
  }
}

/** A temporary directory for a config and a store, removed by `close`. */
export function scratchDirectory(prefix: string): { readonly dir: string; close(): Promise<void> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `slowatch-fault-${prefix}-`));
  return { dir, close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
}
