import type { ExportRequest } from '../../src/otlp/export-request';
import type { Signal } from '../../src/otlp/signal';
import type { SendResult } from './send-result';

/** A batch encoded (and compressed) once, sent as often as retries need. */
export interface PreparedRequest {
  readonly body: Buffer;
}

/**
 * How the exporter talks to the downstream: OTLP/HTTP (protobuf or JSON) or
 * OTLP/gRPC. A transport never throws from `send`: every outcome, network
 * errors included, is a SendResult.
 */
export interface Transport {
  /** Reads TLS files and creates connection pools or channels. Rejects with a one-line reason. */
  start(): Promise<void>;
  /** Encodes (and for HTTP compresses) a batch; done once per batch, not per attempt. */
  prepare(signal: Signal, request: ExportRequest): Promise<PreparedRequest>;
  /** One attempt, bounded by the configured timeout. */
  send(signal: Signal, prepared: PreparedRequest): Promise<SendResult>;
  /** Cancels every attempt in flight; their `send` resolves with `aborted`. */
  abortAll(reason: string): void;
  /** Releases connections. */
  close(): void;
}

/** Describes a Node network error in one line: `connect ECONNREFUSED 127.0.0.1:4318`. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
