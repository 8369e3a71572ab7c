import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Clock } from '../../src/clock';
import type { ExportRequest } from '../../src/otlp/export-request';
import type { Signal } from '../../src/otlp/signal';
import {
  decodeJsonResponse,
  decodeJsonStatus,
  decodeProtobufResponse,
  decodeProtobufStatus,
  encodeJsonRequest,
  encodeProtobufRequest,
} from '../../src/otlp/codec';
import { toBuffer } from '../../src/otlp/transport';
import type { OtlpExporterSettings } from './config';
import type { SendResult } from './send-result';
import { parseRetryAfter, RETRYABLE_HTTP_STATUSES } from './send-result';
import type { PreparedRequest, Transport } from './transport';
import { describeNetworkError } from './transport';
import { userAgent } from './user-agent';

const gzip = promisify(zlib.gzip);
/**
 * Level 1: OTLP is repetitive enough that the fastest level keeps most of the
 * saving, at a fraction of the CPU of zlib's default (6), which
 * bench:gateway measured at about 10 µs per span, more than everything else.
 */
const GZIP_OPTIONS: zlib.ZlibOptions = { level: zlib.constants.Z_BEST_SPEED };
const gunzip = promisify(zlib.gunzip);

/**
 * Response bodies are read up to this many bytes (the Collector's otlphttp
 * exporter reads 64 KiB too): enough for a partial_success or a Status
 * message, and a misbehaving server cannot make us buffer more.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** Longest downstream error message quoted in a log line. */
const MAX_MESSAGE_CHARS = 300;

interface ResponseData {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body was longer than MAX_RESPONSE_BYTES and was cut. */
  readonly truncated: boolean;
}

class AbortedError extends Error {
  override readonly name = 'AbortedError';
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * OTLP/HTTP: POST to `<endpoint>/v1/<signal>` with node:http(s) keep-alive
 * agents (at most num_consumers sockets per origin: one per concurrent send).
 */
export class HttpTransport implements Transport {
  private readonly json: boolean;
  private httpAgent?: http.Agent;
  private httpsAgent?: https.Agent;
  private readonly inFlight = new Map<http.ClientRequest, (error: Error) => void>();

  constructor(
    private readonly settings: OtlpExporterSettings,
    private readonly clock: Clock,
  ) {
    this.json = settings.protocol === 'http/json';
  }

  async start(): Promise<void> {
    const maxSockets = Math.max(1, this.settings.sendingQueue.enabled ? this.settings.sendingQueue.numConsumers : 16);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    if (Object.values(this.settings.endpoints).some((url) => url.startsWith('https:'))) {
      const { caFile, certFile, keyFile, insecureSkipVerify } = this.settings.tls;
      const [ca, cert, key] = await Promise.all([readTlsFile('ca_file', caFile), readTlsFile('cert_file', certFile), readTlsFile('key_file', keyFile)]);
      this.httpsAgent = new https.Agent({
        keepAlive: true,
        maxSockets,
        ...(ca !== undefined && { ca }),
        ...(cert !== undefined && { cert }),
        ...(key !== undefined && { key }),
        rejectUnauthorized: !insecureSkipVerify,
      });
    }
  }

  async prepare(signal: Signal, request: ExportRequest): Promise<PreparedRequest> {
    const encoded = toBuffer(this.json ? encodeJsonRequest(signal, request) : encodeProtobufRequest(signal, request));
    return { body: this.settings.compression === 'gzip' ? await gzip(encoded, GZIP_OPTIONS) : encoded };
  }

  async send(signal: Signal, prepared: PreparedRequest): Promise<SendResult> {
    let response: ResponseData;
    try {
      response = await this.post(this.settings.endpoints[signal], prepared.body);
    } catch (error) {
      if (error instanceof AbortedError) return { kind: 'aborted', reason: error.message };
      if (error instanceof TimeoutError) return { kind: 'retryable', reason: error.message, failureKind: 'timeout' };
      return { kind: 'retryable', reason: describeNetworkError(error), failureKind: 'network error' };
    }
    return this.classify(signal, response);
  }

  abortAll(reason: string): void {
    for (const cancel of [...this.inFlight.values()]) cancel(new AbortedError(reason));
  }

  close(): void {
    this.httpAgent?.destroy();
    this.httpsAgent?.destroy();
  }

  private post(url: string, body: Buffer): Promise<ResponseData> {
    const secure = url.startsWith('https:');
    const headers: http.OutgoingHttpHeaders = {
      'User-Agent': userAgent(),
      ...this.settings.headers,
      'Content-Type': this.json ? 'application/json' : 'application/x-protobuf',
      'Content-Length': body.length,
      ...(this.settings.compression === 'gzip' && { 'Content-Encoding': 'gzip' }),
    };
    return new Promise<ResponseData>((resolve, reject) => {
      const request = (secure ? https : http).request(url, {
        method: 'POST',
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
      });
      /** Why we cut the exchange short ourselves (timeout, shutdown), which is what the caller needs, not the resulting socket error. */
      let cause: Error | undefined;
      let settled = false;
      const cancel = (error: Error): void => {
        cause ??= error;
        request.destroy(error);
      };
      const timer = setTimeout(() => cancel(new TimeoutError(`timed out after ${this.settings.timeoutMs} ms`)), this.settings.timeoutMs);
      timer.unref();
      this.inFlight.set(request, cancel);
      const settle = (outcome: { data: ResponseData } | { error: Error }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(request);
        if ('data' in outcome) resolve(outcome.data);
        else reject(cause ?? outcome.error);
      };
      request.once('error', (error) => settle({ error }));
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (truncated: boolean): void =>
          settle({ data: { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), truncated } });
        response.on('data', (chunk: Buffer) => {
          if (settled) return;
          if (size + chunk.length > MAX_RESPONSE_BYTES) {
            chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
            done(true);
            // Stop reading: the rest is not needed, and this socket is not reused.
            response.destroy();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        response.once('end', () => done(false));
        response.once('error', (error) => settle({ error }));
        response.once('aborted', () => settle({ error: new Error('the downstream closed the connection mid-response') }));
      });
      request.end(body);
    });
  }

  private async classify(signal: Signal, response: ResponseData): Promise<SendResult> {
    const body = await this.responseBody(response);
    const contentType = String(response.headers['content-type'] ?? '').toLowerCase();
    const isJson = contentType.includes('json');
    if (response.status >= 200 && response.status < 300) {
      if (body.length === 0 || response.truncated) return { kind: 'ok', rejected: 0, errorMessage: '' };
      try {
        const partial = isJson || (contentType === '' && this.json) ? decodeJsonResponse(signal, body.toString('utf8')) : decodeProtobufResponse(signal, body);
        return { kind: 'ok', rejected: Number(partial.rejected), errorMessage: partial.errorMessage };
      } catch {
        // A success we cannot read is still a success: the data was accepted.
        return { kind: 'ok', rejected: 0, errorMessage: '' };
      }
    }
    const status = errorStatus(body, contentType, response.truncated);
    const reason = `HTTP ${response.status}${status.message !== '' ? `: ${status.message}` : ''}`;
    const failureKind = `HTTP ${response.status}`;
    if (RETRYABLE_HTTP_STATUSES.has(response.status)) {
      // Retry-After first (the OTLP/HTTP rule); a RetryInfo in the Status body otherwise.
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.clock) ?? status.retryDelayMs;
      return { kind: 'retryable', reason, failureKind, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    }
    return { kind: 'permanent', reason, failureKind };
  }

  private async responseBody(response: ResponseData): Promise<Buffer> {
    if (String(response.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip' || response.truncated) return response.body;
    try {
      return await gunzip(response.body, { maxOutputLength: MAX_RESPONSE_BYTES });
    } catch {
      return Buffer.alloc(0);
    }
  }
}

/** The message (and RetryInfo delay) of an error response: a google.rpc.Status (protobuf or JSON), else the text itself. */
function errorStatus(body: Buffer, contentType: string, truncated: boolean): { message: string; retryDelayMs?: number } {
  if (body.length === 0) return { message: '' };
  if (!truncated) {
    try {
      if (contentType.includes('json')) return statusOf(decodeJsonStatus(body));
      if (contentType.includes('protobuf')) return statusOf(decodeProtobufStatus(body));
    } catch {
      // not a Status: quote the text below
    }
  }
  const isText = contentType.startsWith('text/') || contentType.includes('json') || contentType === '';
  return { message: isText ? oneLine(body.toString('utf8')) : '' };
}

function statusOf(status: { message: string; retryDelayMs?: number }): { message: string; retryDelayMs?: number } {
  return { message: oneLine(status.message), ...(status.retryDelayMs !== undefined && { retryDelayMs: status.retryDelayMs }) };
}

export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE_CHARS ? `${flat.slice(0, MAX_MESSAGE_CHARS)}…` : flat;
}

export async function readTlsFile(key: string, file: string | undefined): Promise<Buffer | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (error) {
    throw new Error(`tls.${key} ${JSON.stringify(file)} cannot be read: ${describeNetworkError(error)}`);
  }
}
