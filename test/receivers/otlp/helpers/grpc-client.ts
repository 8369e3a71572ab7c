import { Client, Metadata, credentials as grpcCredentials } from '@grpc/grpc-js';
import type { ChannelCredentials, ServiceError } from '@grpc/grpc-js';
import type { Signal } from '../../../../src/otlp/signal';
import { OTLP_GRPC_METHODS as METHODS } from '../../../../src/otlp/transport';


export interface GrpcResult {
  /** 0 = OK. */
  readonly code: number;
  readonly details: string;
  readonly response?: Buffer;
  readonly trailers?: Metadata;
}

/** A raw OTLP/gRPC client: sends bytes as they are, returns the status. */
export class RawOtlpGrpcClient {
  private readonly client: Client;

  constructor(address: string, options: { readonly gzip?: boolean; readonly credentials?: ChannelCredentials; readonly serverName?: string } = {}) {
    this.client = new Client(address, options.credentials ?? grpcCredentials.createInsecure(), {
      ...(options.gzip && { 'grpc.default_compression_algorithm': 2 }),
      ...(options.serverName !== undefined && { 'grpc.ssl_target_name_override': options.serverName }),
      // Let big messages leave the client; the server decides.
      'grpc.max_send_message_length': -1,
    });
  }

  export(signal: Signal, body: Buffer, headers: Record<string, string> = {}): Promise<GrpcResult> {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    return new Promise((resolve) => {
      const call = this.client.makeUnaryRequest(
        METHODS[signal],
        (value: Buffer) => value,
        (bytes: Buffer) => bytes,
        body,
        metadata,
        { deadline: Date.now() + 20_000 },
        (error: ServiceError | null, response?: Buffer) => {
          if (error) resolve({ code: error.code, details: error.details, trailers: error.metadata });
          else resolve({ code: 0, details: '', ...(response !== undefined && { response }) });
        },
      );
      void call;
    });
  }

  close(): void {
    this.client.close();
  }
}
