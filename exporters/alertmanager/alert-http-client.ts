import http from 'node:http';
import https from 'node:https';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Clock } from '../../src/clock';
import type { SendResult } from '../otlp/send-result';
import { parseRetryAfter } from '../otlp/send-result';
import { describeNetworkError } from '../otlp/transport';
import { userAgent } from '../otlp/user-agent';

/** Response bodies are read up to this many bytes: enough for an error message. */
const MAX_RESPONSE_BYTES = 16 * 1024;
/** Longest response text quoted in a log line. */
const MAX_MESSAGE_CHARS = 300;

/** One JSON request body, encoded once and sent as often as retries need. */
export interface AlertRequest {
  readonly body: Buffer;
}

/**
 * POSTs JSON to one URL with node:http(s), one attempt per call, bounded by
 * `timeoutMs`. Never throws: every outcome is a SendResult. 2xx is ok; 429
 * and 5xx, network errors and time-outs are retryable (Retry-After honoured);
 * any other status is permanent (Alertmanager answers 400 to an invalid
 * alert, which no retry will fix). No keep-alive: notifications are rare,
 * and an idle socket must not hold the process open.
 *
 * Requests are not traced: in the agent, the http instrumentation would
 * otherwise count the exporter's own calls as the application's.
 */
export class AlertHttpClient {
  private readonly inFlight = new Set<http.ClientRequest>();

  constructor(
    private readonly url: string,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly timeoutMs: number,
    private readonly clock: Clock,
  ) {}

  post(request: AlertRequest): Promise<SendResult> {
    return context.with(suppressTracing(context.active()), () => this.attempt(request));
  }

  /** Cancels every request in flight; each resolves with `aborted`. */
  abortAll(reason: string): void {
    for (const req of [...this.inFlight]) req.destroy(new AbortedError(reason));
  }

  private attempt(request: AlertRequest): Promise<SendResult> {
    return new Promise<SendResult>((resolve) => {
      const target = new URL(this.url);
      const transport = target.protocol === 'https:' ? https : http;
      let settled = false;
      const finish = (result: SendResult): void => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(req);
        resolve(result);
      };
      const req = transport.request(target, {
        method: 'POST',
        agent: false,
        headers: {
          ...this.headers,
          'content-type': 'application/json',
          'content-length': String(request.body.length),
          'user-agent': userAgent(),
        },
      });
      this.inFlight.add(req);
      req.setTimeout(this.timeoutMs, () => req.destroy(new TimeoutError(`timed out after ${this.timeoutMs} ms`)));
      req.on('error', (error) => {
        if (error instanceof AbortedError) finish({ kind: 'aborted', reason: error.message });
        else if (error instanceof TimeoutError) finish({ kind: 'retryable', reason: error.message, failureKind: 'timeout' });
        else finish({ kind: 'retryable', reason: describeNetworkError(error), failureKind: 'network' });
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('error', (error) => finish({ kind: 'retryable', reason: describeNetworkError(error), failureKind: 'network' }));
        res.on('end', () => finish(this.classify(res, Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES))));
      });
      req.end(request.body);
    });
  }

  private classify(res: http.IncomingMessage, body: Buffer): SendResult {
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return { kind: 'ok', rejected: 0, errorMessage: '' };
    const text = body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE_CHARS);
    const reason = `HTTP ${status}${text !== '' ? `: ${text}` : ''}`;
    if (status === 429 || status >= 500) {
      const retryAfter = parseRetryAfter(headerValue(res.headers['retry-after']), this.clock);
      return { kind: 'retryable', reason, failureKind: `HTTP ${status}`, ...(retryAfter !== undefined && { retryAfterMs: retryAfter }) };
    }
    return { kind: 'permanent', reason, failureKind: `HTTP ${status}` };
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

class AbortedError extends Error {
  override readonly name = 'AbortedError';
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}
