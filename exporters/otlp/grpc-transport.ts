import { Client, credentials, Metadata } from '@grpc/grpc-js';
import type { ClientUnaryCall, ServiceError } from '@grpc/grpc-js';
import type { ExportRequest } from '../../src/otlp/export-request';
import type { Signal } from '../../src/otlp/signal';
import { decodeProtobufResponse, decodeProtobufStatus, encodeProtobufRequest } from '../../src/otlp/codec';
import { OTLP_GRPC_METHODS, toBuffer } from '../../src/otlp/transport';
import type { OtlpExporterSettings } from './config';
import { oneLine, readTlsFile } from './http-transport';
import type { SendResult } from './send-result';
import { grpcCodeName, isRetryableGrpcCode } from './send-result';
import type { PreparedRequest, Transport } from './transport';
import { userAgent } from './user-agent';


/** grpc-js's number for gzip in `grpc.default_compression_algorithm` (0 identity, 1 deflate, 2 gzip). */
const GRPC_GZIP = 2;

const identity = (bytes: Buffer): Buffer => bytes;

/**
 * OTLP/gRPC with @grpc/grpc-js: one channel (HTTP/2 connection, multiplexing
 * every concurrent send), generic unary calls with identity serializers, so
 * the bytes are our codec's and grpc-js never sees a message object.
 */
export class GrpcTransport implements Transport {
  private client?: Client;
  private readonly metadata = new Metadata();
  private readonly inFlight = new Map<ClientUnaryCall, (reason: string) => void>();

  constructor(private readonly settings: OtlpExporterSettings) {
    for (const [name, value] of Object.entries(settings.headers)) {
      const key = name.toLowerCase();
      if (key.endsWith('-bin')) this.metadata.add(key, Buffer.from(value, 'utf8'));
      else this.metadata.add(key, value);
    }
  }

  async start(): Promise<void> {
    const { caFile, certFile, keyFile, insecureSkipVerify } = this.settings.tls;
    let channelCredentials = credentials.createInsecure();
    if (this.settings.grpcSecure) {
      const [ca, cert, key] = await Promise.all([readTlsFile('ca_file', caFile), readTlsFile('cert_file', certFile), readTlsFile('key_file', keyFile)]);
      channelCredentials = credentials.createSsl(ca ?? null, key ?? null, cert ?? null, { rejectUnauthorized: !insecureSkipVerify });
    }
    this.client = new Client(this.settings.endpoints.traces, channelCredentials, {
      'grpc.primary_user_agent': userAgent(),
      ...(this.settings.compression === 'gzip' && { 'grpc.default_compression_algorithm': GRPC_GZIP }),
    });
  }

  prepare(signal: Signal, request: ExportRequest): Promise<PreparedRequest> {
    // Compression is grpc-js's (per message, on the channel), so the body stays plain protobuf.
    return Promise.resolve({ body: toBuffer(encodeProtobufRequest(signal, request)) });
  }

  send(signal: Signal, prepared: PreparedRequest): Promise<SendResult> {
    const client = this.client;
    if (client === undefined) return Promise.resolve({ kind: 'aborted', reason: 'the exporter is not started' });
    return new Promise<SendResult>((resolve) => {
      let abortReason: string | undefined;
      const call = client.makeUnaryRequest(
        OTLP_GRPC_METHODS[signal],
        identity,
        identity,
        prepared.body,
        this.metadata.clone(),
        { deadline: Date.now() + this.settings.timeoutMs },
        (error: ServiceError | null, response?: Buffer) => {
          this.inFlight.delete(call);
          if (abortReason !== undefined) resolve({ kind: 'aborted', reason: abortReason });
          else if (error !== null) resolve(classifyGrpcError(error));
          else resolve(partialSuccess(signal, response));
        },
      );
      this.inFlight.set(call, (reason) => {
        abortReason = reason;
        call.cancel();
      });
    });
  }

  abortAll(reason: string): void {
    for (const abort of [...this.inFlight.values()]) abort(reason);
  }

  close(): void {
    this.client?.close();
  }
}

function partialSuccess(signal: Signal, response: Buffer | undefined): SendResult {
  if (response === undefined || response.length === 0) return { kind: 'ok', rejected: 0, errorMessage: '' };
  try {
    const partial = decodeProtobufResponse(signal, response);
    return { kind: 'ok', rejected: Number(partial.rejected), errorMessage: partial.errorMessage };
  } catch {
    return { kind: 'ok', rejected: 0, errorMessage: '' };
  }
}

export function classifyGrpcError(error: ServiceError): SendResult {
  const name = grpcCodeName(error.code);
  const details = oneLine(error.details ?? '');
  const reason = `${name}${details !== '' ? `: ${details}` : ''}`;
  const [statusDetails] = error.metadata?.get('grpc-status-details-bin') ?? [];
  const retryAfterMs = Buffer.isBuffer(statusDetails) ? retryDelayOf(statusDetails) : undefined;
  if (isRetryableGrpcCode(error.code, retryAfterMs !== undefined)) {
    return { kind: 'retryable', reason, failureKind: name, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  }
  return { kind: 'permanent', reason, failureKind: name };
}

/** `RetryInfo.retry_delay` from a `grpc-status-details-bin` trailer (a serialized google.rpc.Status), if any. */
export function retryDelayOf(statusDetails: Uint8Array): number | undefined {
  try {
    return decodeProtobufStatus(statusDetails).retryDelayMs;
  } catch {
    return undefined;
  }
}
