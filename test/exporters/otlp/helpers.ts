import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { systemClock } from '../../../src/clock';
import type { Clock } from '../../../src/clock';
import type { Logger } from '../../../src/logging/logger';
import { describeError } from '../../../src/logging/logger';
import { countItems, decodeJsonRequest, decodeProtobufRequest } from '../../../src/otlp/codec';
import type { ExportRequest } from '../../../src/otlp/export-request';
import type { ExportTraceServiceRequest, Span } from '../../../src/otlp/model/trace';
import type { Signal } from '../../../src/otlp/signal';
import type { ComponentContext } from '../../../src/pipeline/component';
import type { TelemetryBatch } from '../../../src/pipeline/telemetry-batch';
import { OTLP_GRPC_METHODS } from '../../../src/otlp/transport';

// ---------------------------------------------------------------------------
// Component context with a capturing logger and a readable meter

class TestMetricReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface TestContext {
  readonly ctx: ComponentContext;
  /** Every log line, `level: message`. */
  readonly logs: string[];
  /** Sum of a metric's data points with exporter = the context's id; undefined when the metric does not exist. */
  readonly metric: (name: string) => Promise<number | undefined>;
}

export function testContext(id = 'otlp', clock: Clock = systemClock): TestContext {
  const logs: string[] = [];
  const logger: Logger = {
    error: (message, error) => logs.push(`error: ${message}${error === undefined ? '' : `: ${describeError(error)}`}`),
    warn: (message) => logs.push(`warn: ${message}`),
    info: (message) => logs.push(`info: ${message}`),
    debug: () => undefined,
  };
  const reader = new TestMetricReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('slowatch');
  return {
    ctx: { id, logger, meter, clock },
    logs,
    metric: async (name) => {
      const { resourceMetrics } = await reader.collect();
      let found = false;
      let sum = 0;
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          if (metric.descriptor.name !== name) continue;
          found = true;
          for (const point of metric.dataPoints) {
            if (point.attributes.exporter === id && typeof point.value === 'number') sum += point.value;
          }
        }
      }
      return found ? sum : undefined;
    },
  };
}

// ---------------------------------------------------------------------------
// Requests

const ANCHORS = path.resolve(__dirname, '../../../../shared/anchors/otlp');

/** The OTLP specification's example requests (trace.json, metrics.json, logs.json), decoded. */
export function anchorRequest(signal: Signal): ExportRequest {
  const file = { traces: 'trace.json', metrics: 'metrics.json', logs: 'logs.json' }[signal];
  return decodeJsonRequest(signal, readFileSync(path.join(ANCHORS, file), 'utf8'));
}

function id(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (seed * 31 + i * 7 + 1) & 0xff;
  return out;
}

/** A trace request of `spans` spans whose names say which batch they belong to (`batch-<n>/<i>`). */
export function traceRequest(batchNumber: number, spans = 3): ExportTraceServiceRequest {
  const list: Span[] = [];
  for (let i = 0; i < spans; i++) {
    list.push({
      traceId: id(16, batchNumber),
      spanId: id(8, batchNumber * 1000 + i + 1),
      name: `batch-${batchNumber}/${i}`,
      kind: 2,
      startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
      endTimeUnixNano: 1_700_000_000_250_000_000n + BigInt(i),
      attributes: [
        { key: 'http.route', value: { stringValue: '/cart' } },
        { key: 'http.response.status_code', value: { intValue: 200n } },
      ],
      status: { code: 1 },
    });
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [{ scope: { name: 'test', version: '1.0.0' }, spans: list }],
      },
    ],
  };
}

export function batchOf(signal: Signal, request: ExportRequest): TelemetryBatch {
  return { signal, request, itemCount: countItems(signal, request) };
}

/** The batch numbers of the spans in a trace request (from `batch-<n>/<i>` names). */
export function batchNumbersOf(request: ExportRequest): number[] {
  const numbers = new Set<number>();
  for (const rs of (request as ExportTraceServiceRequest).resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) numbers.add(Number(/^batch-(\d+)\//.exec(span.name ?? '')?.[1]));
    }
  }
  return [...numbers];
}

// ---------------------------------------------------------------------------
// Waiting

export async function waitUntil(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// A fake OTLP/HTTP downstream

export interface ReceivedHttpRequest {
  readonly at: number;
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** As received (compressed when Content-Encoding: gzip). */
  readonly raw: Buffer;
  /** Decompressed. */
  readonly body: Buffer;
  readonly signal: Signal;
  readonly request: ExportRequest;
}

export interface FakeResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** Do not answer at all (the client times out). */
  readonly hang?: boolean;
  /** Answer after this many milliseconds. */
  readonly delayMs?: number;
}

const SIGNAL_OF_PATH: Readonly<Record<string, Signal>> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

export class FakeHttpServer {
  readonly received: ReceivedHttpRequest[] = [];
  /** Decides each answer; the default accepts everything. `attempt` counts every request, from 0. */
  respond: (request: ReceivedHttpRequest, attempt: number) => FakeResponse = () => ({ status: 200 });
  private readonly server: http.Server;
  private attempts = 0;

  /** With `tls`, an HTTPS server. */
  constructor(private readonly tls?: { readonly key: Buffer; readonly cert: Buffer }) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    this.server = tls === undefined ? http.createServer(handler) : https.createServer({ key: tls.key, cert: tls.cert }, handler);
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `${this.tls === undefined ? 'http' : 'https'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests that were answered with 2xx. */
  accepted(): ReceivedHttpRequest[] {
    return this.received.filter((r) => this.acceptedSet.has(r));
  }

  private readonly acceptedSet = new Set<ReceivedHttpRequest>();

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      const signal = SIGNAL_OF_PATH[pathname.replace(/^.*(\/v1\/\w+)$/, '$1')] ?? 'traces';
      const json = String(req.headers['content-type']).includes('json');
      const request = json ? decodeJsonRequest(signal, body) : decodeProtobufRequest(signal, body);
      const received: ReceivedHttpRequest = { at: Date.now(), method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body, signal, request };
      this.received.push(received);
      const answer = this.respond(received, this.attempts++);
      if (answer.hang === true) return;
      const send = (): void => {
        if (answer.status >= 200 && answer.status < 300) this.acceptedSet.add(received);
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      };
      if (answer.delayMs !== undefined) setTimeout(send, answer.delayMs);
      else send();
    });
  }
}

// ---------------------------------------------------------------------------
// A fake OTLP/gRPC downstream

export interface ReceivedGrpcCall {
  readonly at: number;
  readonly signal: Signal;
  readonly metadata: grpc.Metadata;
  readonly body: Buffer;
  readonly request: ExportRequest;
}

export type GrpcAnswer =
  | { readonly ok: true; readonly response?: Uint8Array; readonly delayMs?: number }
  | { readonly ok: false; readonly code: grpc.status; readonly details: string; readonly statusDetails?: Uint8Array };

const identity = (b: Buffer): Buffer => b;

export class FakeGrpcServer {
  readonly received: ReceivedGrpcCall[] = [];
  respond: (call: ReceivedGrpcCall, attempt: number) => GrpcAnswer = () => ({ ok: true });
  private readonly server = new grpc.Server();
  private attempts = 0;

  /** With `tls`, a TLS server. */
  constructor(private readonly tls?: { readonly key: Buffer; readonly cert: Buffer }) {
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      const definition = {
        Export: {
          path: OTLP_GRPC_METHODS[signal],
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      };
      this.server.addService(definition, {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          const received: ReceivedGrpcCall = {
            at: Date.now(),
            signal,
            metadata: call.metadata,
            body: call.request,
            request: decodeProtobufRequest(signal, call.request),
          };
          this.received.push(received);
          const answer = this.respond(received, this.attempts++);
          if (answer.ok) {
            const reply = (): void => callback(null, Buffer.from(answer.response ?? new Uint8Array()));
            if (answer.delayMs !== undefined) setTimeout(reply, answer.delayMs);
            else reply();
          } else {
            const trailer = new grpc.Metadata();
            if (answer.statusDetails !== undefined) trailer.set('grpc-status-details-bin', Buffer.from(answer.statusDetails));
            callback({ code: answer.code, details: answer.details, metadata: trailer });
          }
        },
      });
    }
  }

  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      const credentials =
        this.tls === undefined
          ? grpc.ServerCredentials.createInsecure()
          : grpc.ServerCredentials.createSsl(null, [{ private_key: this.tls.key, cert_chain: this.tls.cert }]);
      this.server.bindAsync('127.0.0.1:0', credentials, (error, port) => {
        if (error) reject(error);
        else resolve(`127.0.0.1:${port}`);
      });
    });
  }

  close(): Promise<void> {
    this.server.forceShutdown();
    return Promise.resolve();
  }
}

// ---------------------------------------------------------------------------
// A TCP proxy that counts the bytes a client sends (to see compression on the wire)

export class ByteCountingProxy {
  bytesFromClient = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((client) => {
    const [host, port] = this.target.split(':');
    const upstream = net.connect(Number(port), host);
    this.sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => (this.bytesFromClient += chunk.length));
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });

  constructor(private readonly target: string) {}

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
