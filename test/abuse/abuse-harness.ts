import { readFileSync } from 'node:fs';
import { startGatewayProcess } from '../helpers/gateway-process';
import type { GatewayPorts, RunningGatewayProcess } from '../helpers/gateway-process';
import { parsePrometheusText, select } from '../helpers/prometheus-text';
import type { Sample } from '../helpers/prometheus-text';
import { encodeProtobufRequest } from '../../src/otlp/codec';
import type { KeyValue } from '../../src/otlp/model/common';
import type { ExportTraceServiceRequest, Span } from '../../src/otlp/model/trace';

/*
 * What the abuse tests share: a real gateway process (dist/, built by
 * `npm run build`), its resident memory read from /proc, its /metrics, and
 * fast OTLP/protobuf bodies of many distinct spans.
 */

export interface AbuseGateway {
  readonly gateway: RunningGatewayProcess;
  readonly ports: GatewayPorts;
  readonly pid: number;
  metrics(): Promise<Sample[]>;
  close(): Promise<unknown>;
}

export async function startAbuseGateway(render: (ports: GatewayPorts) => string): Promise<AbuseGateway> {
  const gateway = await startGatewayProcess(render);
  const pid = gateway.proc.child.pid;
  if (pid === undefined) throw new Error('the gateway process has no pid');
  return {
    gateway,
    ports: gateway.ports,
    pid,
    async metrics() {
      const response = await fetch(`http://127.0.0.1:${gateway.ports.metrics}/metrics`);
      return parsePrometheusText(await response.text());
    },
    close: () => gateway.close(),
  };
}

/** The process's resident set (VmRSS of /proc/<pid>/status), in bytes. */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Samples a process's RSS every `intervalMs` until stopped; keeps the first, the last and the peak. */
export class RssSampler {
  readonly first: number;
  private peakBytes: number;
  private lastBytes: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.first = residentBytes(pid);
    this.peakBytes = this.first;
    this.lastBytes = this.first;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  get peak(): number {
    return this.peakBytes;
  }

  get last(): number {
    return this.lastBytes;
  }

  /** Takes one more sample now and stops. */
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    try {
      this.lastBytes = residentBytes(this.pid);
      this.peakBytes = Math.max(this.peakBytes, this.lastBytes);
    } catch {
      // The process has exited; the test's own assertions say why.
    }
  }
}

export const MIB = 1024 * 1024;
export const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

/** Sum of the samples of `name` whose labels include `match`. */
export function total(samples: readonly Sample[], name: string, match: Readonly<Record<string, string>> = {}): number {
  return select(samples, name, match).reduce((sum, sample) => sum + sample.value, 0);
}

/** The distinct values of `label` among the samples of `name` matching `match`. */
export function labelValues(samples: readonly Sample[], name: string, label: string, match: Readonly<Record<string, string>> = {}): Set<string> {
  return new Set(select(samples, name, match).map((sample) => sample.labels[label] ?? ''));
}

export async function postProtobuf(port: number, body: Uint8Array, path = '/v1/traces'): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  await response.arrayBuffer();
  return response.status;
}

const stringAttribute = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

const DIGITS = 9;
const NAME_MARK = '#'.repeat(DIGITS);
/** 16 bytes that cannot occur elsewhere in the template (no field of it holds 0xfe bytes). */
const TRACE_MARK = Buffer.alloc(16, 0xfe);

/**
 * OTLP/protobuf requests of `spansPerRequest` server spans, each of its own
 * operation (`GET /op/000000042`, http.route `/op/000000042`) and trace, for
 * one service and version. The request is encoded once as a template with
 * fixed-width placeholders; each request is a copy with the span numbers
 * written in, so a million distinct spans cost the test a few hundred
 * milliseconds rather than the gateway's share of two cores.
 */
export class DistinctOperationRequests {
  private readonly template: Buffer;
  /** Where each span's digits go: two name-like fields per span (name, route), then the trace id. */
  private readonly digitOffsets: number[] = [];
  private readonly traceOffsets: number[] = [];
  private next = 0;

  constructor(
    readonly spansPerRequest: number,
    service: string,
    version: string,
    endMs: number,
  ) {
    const endNs = BigInt(endMs) * 1_000_000n;
    const spans: Span[] = [];
    for (let i = 0; i < spansPerRequest; i++) {
      spans.push({
        traceId: TRACE_MARK,
        spanId: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]),
        name: `GET /op/${NAME_MARK}`,
        kind: 2,
        startTimeUnixNano: endNs - 20_000_000n,
        endTimeUnixNano: endNs,
        attributes: [stringAttribute('http.route', `/op/${NAME_MARK}`)],
        status: {},
      });
    }
    const request: ExportTraceServiceRequest = {
      resourceSpans: [{ resource: { attributes: [stringAttribute('service.name', service), stringAttribute('service.version', version)] }, scopeSpans: [{ spans }] }],
    };
    this.template = Buffer.from(encodeProtobufRequest('traces', request));
    for (let at = this.template.indexOf(NAME_MARK); at >= 0; at = this.template.indexOf(NAME_MARK, at + DIGITS)) this.digitOffsets.push(at);
    for (let at = this.template.indexOf(TRACE_MARK); at >= 0; at = this.template.indexOf(TRACE_MARK, at + 16)) this.traceOffsets.push(at);
    if (this.digitOffsets.length !== 2 * spansPerRequest || this.traceOffsets.length !== spansPerRequest) {
      throw new Error(`template placeholders: ${this.digitOffsets.length} names, ${this.traceOffsets.length} trace ids for ${spansPerRequest} spans`);
    }
  }

  /** Spans made so far: the operations are numbered 0 … made - 1. */
  get made(): number {
    return this.next;
  }

  /** The next request: the next `spansPerRequest` operation numbers. */
  nextRequest(): Buffer {
    const body = Buffer.from(this.template);
    for (let i = 0; i < this.spansPerRequest; i++) {
      const digits = String(this.next).padStart(DIGITS, '0');
      body.write(digits, this.digitOffsets[2 * i]!, 'latin1');
      body.write(digits, this.digitOffsets[2 * i + 1]!, 'latin1');
      const trace = this.traceOffsets[i]!;
      body.fill(0, trace, trace + 12);
      body.writeUInt32BE(this.next + 1, trace + 12);
      this.next++;
    }
    return body;
  }
}
