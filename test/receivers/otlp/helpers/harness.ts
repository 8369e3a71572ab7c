import { request as httpRequest } from 'node:http';
import type { Agent, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Signal } from '../../../../src/otlp/signal';
import type { ComponentContext } from '../../../../src/pipeline/component';
import type { Consumer } from '../../../../src/pipeline/consumer';
import { BackpressureError, PermanentError } from '../../../../src/pipeline/pipeline-errors';
import type { TelemetryBatch } from '../../../../src/pipeline/telemetry-batch';
import { describeError } from '../../../../src/logging/logger';
import type { Logger } from '../../../../src/logging/logger';
import { decodeStatusProto } from './protobuf';

// ---------------------------------------------------------------------------
// A Consumer that records what it gets, or rejects as told.

export type ConsumerMode = 'accept' | 'backpressure' | 'permanent' | 'crash';

export class FakeConsumer implements Consumer {
  readonly batches: TelemetryBatch[] = [];
  mode: ConsumerMode = 'accept';
  /** Milliseconds consume waits before settling (to test requests in flight). */
  delayMs = 0;
  retryAfterSeconds = 7;
  /** Calls that reached consume (before any delay): lets tests wait for a request to be in flight. */
  started = 0;

  /** Resolves once `n` calls have reached consume. */
  async waitForStarted(n = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.started < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.started} of ${n} calls reached the consumer`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  get items(): number {
    return this.batches.reduce((sum, batch) => sum + batch.itemCount, 0);
  }

  async consume(batch: TelemetryBatch): Promise<void> {
    this.started++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    switch (this.mode) {
      case 'backpressure':
        throw new BackpressureError('sending queue is full', this.retryAfterSeconds);
      case 'permanent':
        throw new PermanentError('span names must not be empty');
      case 'crash':
        throw new Error('exporter exploded: secret detail');
      case 'accept':
        this.batches.push(batch);
    }
  }
}

export function fakeConsumers(signals: readonly Signal[] = ['traces', 'metrics', 'logs']): Record<Signal, FakeConsumer> & Partial<Record<Signal, Consumer>> {
  const all = { traces: new FakeConsumer(), metrics: new FakeConsumer(), logs: new FakeConsumer() };
  for (const signal of ['traces', 'metrics', 'logs'] as const) if (!signals.includes(signal)) delete (all as Partial<typeof all>)[signal];
  return all;
}

// ---------------------------------------------------------------------------
// A ComponentContext whose metrics and log lines the test can read.

class CollectingReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export interface TestContext extends ComponentContext {
  readonly lines: string[];
  /** Sum of a counter's points whose attributes include `attributes`. */
  counter(name: string, attributes?: Record<string, string>): Promise<number>;
  /** Every metric name collected. */
  metricNames(): Promise<string[]>;
}

export function testContext(id = 'otlp'): TestContext {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });
  const lines: string[] = [];
  const logger: Logger = {
    error: (message, error) => lines.push(`error: ${message}${error === undefined ? '' : `: ${describeError(error)}`}`),
    warn: (message) => lines.push(`warn: ${message}`),
    info: (message) => lines.push(`info: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`),
  };
  const collectAll = async () => (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  return {
    id,
    logger,
    meter: provider.getMeter('slowatch'),
    clock: { now: () => Date.now() },
    lines,
    async counter(name, attributes = {}) {
      const metric = (await collectAll()).find((m) => m.descriptor.name === name);
      if (metric === undefined) return 0;
      let sum = 0;
      for (const point of metric.dataPoints) {
        if (Object.entries(attributes).every(([k, v]) => point.attributes[k] === v)) sum += point.value as number;
      }
      return sum;
    },
    async metricNames() {
      return (await collectAll()).map((m) => m.descriptor.name);
    },
  };
}

// ---------------------------------------------------------------------------
// HTTP

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface PostOptions {
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Buffer | string;
  /** Send the body in chunks without Content-Length (Transfer-Encoding: chunked). */
  readonly chunked?: boolean;
  readonly agent?: Agent | false;
}

/**
 * One HTTP request. Resolves with the answer even when the server answers
 * before the body is sent and then closes (413): write errors after the
 * answer are expected then.
 */
export function send(url: string, options: PostOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const headers: OutgoingHttpHeaders = { ...options.headers };
    if (body !== undefined && !options.chunked && headers['content-length'] === undefined) headers['content-length'] = body.length;
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: options.agent ?? false });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (body === undefined) {
      req.end();
    } else if (options.chunked) {
      const step = 64 * 1024;
      let at = 0;
      const pump = (): void => {
        while (at < body.length) {
          const ok = req.write(body.subarray(at, at + step));
          at += step;
          if (!ok) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    } else {
      req.end(body);
    }
  });
}

/** The google.rpc.Status of an error answer, in the answer's format. */
export function statusOf(result: HttpResult): { code: number; message: string } {
  const type = result.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    const parsed = JSON.parse(result.body.toString('utf8')) as { code?: number; message?: string };
    return { code: parsed.code ?? 0, message: parsed.message ?? '' };
  }
  if (type.startsWith('application/x-protobuf')) return decodeStatusProto(result.body);
  throw new Error(`error answer with content type ${JSON.stringify(type)} (${result.status}): ${result.body.toString('utf8')}`);
}

export const PROTOBUF = { 'content-type': 'application/x-protobuf' } as const;
export const JSON_TYPE = { 'content-type': 'application/json' } as const;
