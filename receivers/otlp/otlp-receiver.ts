import { SIGNALS } from '../../src/otlp/signal';
import type { Signal } from '../../src/otlp/signal';
import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { OtlpReceiverSettings } from './config';
import { ExportHandler, FailureLog } from './export-handler';
import { OtlpGrpcServer } from './grpc-server';
import { OtlpHttpServer, formatHostPort } from './http-server';
import type { HttpTimeouts } from './http-server';
import { ReceiverMetrics } from './receiver-metrics';

/** Knobs tests (and the service) may turn; production uses the defaults. */
export interface OtlpReceiverOptions {
  readonly httpTimeouts?: Partial<HttpTimeouts>;
  readonly grpcShutdownGraceMs?: number;
}

/**
 * The `otlp` receiver: OTLP/gRPC and OTLP/HTTP servers for traces, metrics
 * and logs, feeding the pipelines that list it.
 *
 * One instance serves every pipeline that names this receiver id (as the
 * Collector shares one receiver between pipelines): `consumers` holds the
 * first stage of the pipeline of each signal; a signal without one is
 * answered 404 / UNIMPLEMENTED.
 */
export class OtlpReceiver implements Component {
  private readonly http: OtlpHttpServer | undefined;
  private readonly grpc: OtlpGrpcServer | undefined;
  private readonly failureLog: FailureLog;

  constructor(
    private readonly settings: OtlpReceiverSettings,
    consumers: Partial<Record<Signal, Consumer>>,
    private readonly context: ComponentContext,
    options: OtlpReceiverOptions = {},
  ) {
    const metrics = new ReceiverMetrics(context.meter, context.id);
    this.failureLog = new FailureLog(context.logger, context.id);
    const handler = new ExportHandler(consumers, metrics, this.failureLog);
    const common = { receiverId: context.id, handler, metrics, failures: this.failureLog };
    if (settings.http !== undefined) {
      this.http = new OtlpHttpServer({ ...common, settings: settings.http, ...(options.httpTimeouts && { timeouts: options.httpTimeouts }) });
    }
    if (settings.grpc !== undefined) {
      this.grpc = new OtlpGrpcServer({ ...common, settings: settings.grpc, ...(options.grpcShutdownGraceMs !== undefined && { shutdownGraceMs: options.grpcShutdownGraceMs }) });
    }
    for (const signal of SIGNALS) {
      if (consumers[signal] === undefined) continue;
      if (this.http !== undefined) metrics.initialize('http', signal);
      if (this.grpc !== undefined) metrics.initialize('grpc', signal);
    }
  }

  /** Where OTLP/HTTP listens, with the port actually bound; undefined when HTTP is off or not started. */
  get httpAddress(): { readonly host: string; readonly port: number } | undefined {
    return this.http?.address;
  }

  /** Where OTLP/gRPC listens, with the port actually bound; undefined when gRPC is off or not started. */
  get grpcAddress(): { readonly host: string; readonly port: number } | undefined {
    return this.grpc?.address;
  }

  /** Logged failures so far, by transport and kind (see FailureLog). */
  get failures(): FailureLog {
    return this.failureLog;
  }

  /**
   * Reads TLS files and binds both servers. Rejects with one line (a TLS
   * file that cannot be used, an address that cannot be bound), having
   * closed whatever it had opened.
   */
  async start(): Promise<void> {
    try {
      await this.grpc?.start();
      await this.http?.start();
    } catch (error) {
      await this.shutdown();
      throw error;
    }
    const where = [
      this.grpc?.address && `OTLP/gRPC on ${formatHostPort(this.grpc.address.host, this.grpc.address.port)}`,
      this.http?.address && `OTLP/HTTP on ${formatHostPort(this.http.address.host, this.http.address.port)}`,
    ].filter(Boolean);
    this.context.logger.info(`receiver ${this.context.id}: listening for ${where.join(' and ')}`);
    for (const [name, server] of [
      ['OTLP/gRPC', this.settings.grpc],
      ['OTLP/HTTP', this.settings.http],
    ] as const) {
      if (server !== undefined && !isLoopback(server.host) && server.auth === undefined) {
        this.context.logger.warn(`receiver ${this.context.id}: ${name} accepts data from the network on ${server.host} without auth; set auth.bearer_token (and tls)`);
      }
    }
  }

  /** Stops accepting, lets requests in flight finish (bounded), closes. Never rejects. */
  async shutdown(): Promise<void> {
    await Promise.all([this.http?.shutdown(), this.grpc?.shutdown()]);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
