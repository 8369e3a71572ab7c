import { createServer as createNetServer } from 'node:net';
import { Metadata, Server, ServerCredentials, ServerInterceptingCall, status as GrpcStatus } from '@grpc/grpc-js';
import type { ServerInterceptingCallInterface, ServerInterceptor, ServerUnaryCall, ServiceDefinition, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';
import { SIGNALS } from '../../src/otlp/signal';
import type { Signal } from '../../src/otlp/signal';
import { BearerTokenCheck, UNAUTHENTICATED_MESSAGE } from './bearer-auth';
import { decodeRequest, encodeResponse, encodeStatus } from './codec';
import type { OtlpGrpcSettings } from './config';
import type { ExportHandler, ExportOutcome, FailureLog } from './export-handler';
import { formatHostPort } from './http-server';
import type { ReceiverMetrics } from './receiver-metrics';
import { loadTlsMaterial } from './tls-files';
import { OTLP_GRPC_METHODS } from '../../src/otlp/transport';


/** At shutdown, how long calls in flight may take before the server is forced down. */
export const DEFAULT_GRPC_SHUTDOWN_GRACE_MS = 5_000;

const identity = (bytes: Buffer): Buffer => bytes;

/** The signal of a gRPC method path (`/opentelemetry.proto.collector.trace.v1.TraceService/Export` → traces). */
function signalOfPath(path: string): Signal | undefined {
  return SIGNALS.find((signal) => OTLP_GRPC_METHODS[signal] === path);
}

/**
 * grpc-js refuses a message over grpc.max_receive_message_length itself, before
 * any handler or interceptor listener sees it (the length prefix when
 * uncompressed, so nothing is buffered; while inflating when compressed), by
 * calling sendStatus on its own innermost call object. That object is what
 * the first interceptor receives, so wrapping its sendStatus is the one place
 * that sees those refusals. Our handler never answers RESOURCE_EXHAUSTED
 * (back-pressure is UNAVAILABLE) and responses are far below the send limit,
 * so every RESOURCE_EXHAUSTED here is an oversized request. A test
 * (test/receivers/otlp/grpc.test.ts) checks the count, so a grpc-js change
 * that bypasses this shows up there.
 */
function countOversizedMessages(metrics: ReceiverMetrics): ServerInterceptor {
  return (descriptor, call: ServerInterceptingCallInterface) => {
    const signal = signalOfPath(descriptor.path);
    if (signal !== undefined) {
      const send = call.sendStatus.bind(call);
      call.sendStatus = (status: Parameters<ServerInterceptingCallInterface['sendStatus']>[0]): void => {
        if (status.code === GrpcStatus.RESOURCE_EXHAUSTED) metrics.countRequest('grpc', signal, 'too_large');
        send(status);
      };
    }
    // A pass-through layer (no listener, no responder): the wrapped call underneath does the work.
    return new ServerInterceptingCall(call);
  };
}

/**
 * A hand-written service definition: messages stay raw bytes through
 * grpc-js (which still does the framing, the gzip decompression and the
 * max_recv_msg_size check) and are decoded by our codec in the handler, so a
 * decoding error becomes INVALID_ARGUMENT with its message.
 */
function serviceDefinition(signal: Signal): ServiceDefinition<UntypedServiceImplementation> {
  return {
    Export: {
      path: OTLP_GRPC_METHODS[signal],
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
      originalName: 'export',
    },
  };
}

export interface OtlpGrpcServerOptions {
  readonly receiverId: string;
  readonly settings: OtlpGrpcSettings;
  readonly handler: ExportHandler;
  readonly metrics: ReceiverMetrics;
  readonly failures: FailureLog;
  /** @default DEFAULT_GRPC_SHUTDOWN_GRACE_MS */
  readonly shutdownGraceMs?: number;
}

/**
 * OTLP/gRPC with @grpc/grpc-js. Status codes as the OTLP specification says:
 * OK (with partial_success when some items were rejected), INVALID_ARGUMENT
 * for undecodable data or data the pipeline refuses for good, UNAVAILABLE
 * (retryable) on back-pressure, RESOURCE_EXHAUSTED over max_recv_msg_size
 * (grpc-js, measured after decompression), UNAUTHENTICATED without the right
 * `authorization: Bearer …` metadata, UNIMPLEMENTED for a signal no pipeline
 * takes, INTERNAL for faults on our side.
 */
export class OtlpGrpcServer {
  private server: Server | undefined;
  private boundPort: number | undefined;
  private readonly auth: BearerTokenCheck | undefined;

  constructor(private readonly options: OtlpGrpcServerOptions) {
    this.auth = options.settings.auth === undefined ? undefined : new BearerTokenCheck(options.settings.auth.bearerToken);
  }

  get address(): { readonly host: string; readonly port: number } | undefined {
    return this.boundPort === undefined ? undefined : { host: this.options.settings.host, port: this.boundPort };
  }

  /** Reads the TLS files, binds. Rejects with one line naming the file or the address. */
  async start(): Promise<void> {
    const { settings, receiverId } = this.options;
    const where = formatHostPort(settings.host, settings.port);
    let credentials: ServerCredentials;
    if (settings.tls !== undefined) {
      try {
        const material = loadTlsMaterial(settings.tls);
        credentials = ServerCredentials.createSsl(null, [{ cert_chain: material.cert, private_key: material.key }], false);
      } catch (error) {
        throw new Error(`receiver ${receiverId}: OTLP/gRPC: ${(error as Error).message}`);
      }
    } else {
      credentials = ServerCredentials.createInsecure();
    }
    // grpc-js reports a failed bind with a long multi-address message (and logs it itself):
    // try the address with node:net first, for one clear line with the error code.
    if (settings.port !== 0) {
      const problem = await probeListen(settings.host, settings.port);
      if (problem !== undefined) throw new Error(`receiver ${receiverId}: OTLP/gRPC: cannot listen on ${where}: ${problem}`);
    }

    const server = new Server({
      'grpc.max_receive_message_length': settings.maxRecvMsgSize,
      // Responses are a few bytes; no reason to allow big ones.
      'grpc.max_send_message_length': 4 * 1024 * 1024,
      interceptors: [countOversizedMessages(this.options.metrics)],
    });
    for (const signal of SIGNALS) {
      server.addService(serviceDefinition(signal), {
        Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
          this.export(signal, call, callback).catch((error: unknown) => {
            this.options.failures.record('grpc', 'handling a request', error);
            callback({ code: GrpcStatus.INTERNAL, details: 'internal error; the receiver logged the details' });
          });
        },
      });
    }
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${where}`, credentials, (error, port) => {
        if (error) {
          const code = /\b(E[A-Z]{3,})\b/.exec(error.message)?.[1];
          reject(new Error(`receiver ${receiverId}: OTLP/gRPC: cannot listen on ${where}: ${code ?? error.message}`));
        } else {
          resolve(port);
        }
      });
    });
    this.server = server;
  }

  /** Stops taking calls, lets calls in flight finish for up to the grace period, then forces the server down. Never rejects. */
  async shutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.boundPort = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, this.options.shutdownGraceMs ?? DEFAULT_GRPC_SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async export(signal: Signal, call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): Promise<void> {
    const { handler, metrics, failures, receiverId } = this.options;
    if (this.auth !== undefined) {
      const [authorization] = call.metadata.get('authorization');
      if (!this.auth.accepts(typeof authorization === 'string' ? authorization : undefined)) {
        metrics.countRequest('grpc', signal, 'unauthenticated');
        failures.record('grpc', 'authenticating a request', new Error(UNAUTHENTICATED_MESSAGE));
        callback({ code: GrpcStatus.UNAUTHENTICATED, details: 'missing or invalid bearer token: send metadata "authorization: Bearer <token>"' });
        return;
      }
    }
    if (!handler.accepts(signal)) {
      metrics.countRequest('grpc', signal, 'unsupported');
      callback({ code: GrpcStatus.UNIMPLEMENTED, details: `no ${signal} pipeline uses receiver ${receiverId}` });
      return;
    }
    const body = call.request;
    const outcome: ExportOutcome = await handler.export('grpc', signal, body.length, () => decodeRequest('protobuf', signal, body));
    switch (outcome.kind) {
      case 'success':
        callback(null, encodeResponse('protobuf', signal, outcome.partialSuccess));
        return;
      case 'invalid':
        callback({ code: GrpcStatus.INVALID_ARGUMENT, details: outcome.message });
        return;
      case 'backpressure':
        callback({ code: GrpcStatus.UNAVAILABLE, details: outcome.message, metadata: retryInfoMetadata(outcome.message, outcome.retryAfterSeconds) });
        return;
      case 'internal':
        callback({ code: GrpcStatus.INTERNAL, details: outcome.message });
        return;
    }
  }
}

/**
 * The google.rpc.Status with a RetryInfo detail, as `grpc-status-details-bin`:
 * how long the client should wait (OTLP clients honour it for UNAVAILABLE and
 * RESOURCE_EXHAUSTED).
 */
function retryInfoMetadata(message: string, retryAfterSeconds: number): Metadata {
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', encodeStatus('protobuf', GrpcStatus.UNAVAILABLE, message, retryAfterSeconds * 1000));
  return metadata;
}

/** Listens on the address and closes again; the error code when that fails (EADDRINUSE, EACCES, EADDRNOTAVAIL, …). */
function probeListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}
