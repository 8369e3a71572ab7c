import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

export interface MetricsServerOptions {
  readonly host: string;
  readonly port: number;
  /** @default '/metrics' */
  readonly path?: string;
  /**
   * Whether the server (and every scrape connection) keeps the process alive.
   * The agent must never hold a host application open, so it passes false;
   * the gateway is the process, so it passes true.
   */
  readonly holdsProcessOpen: boolean;
  /**
   * Serves other paths beside the metrics (the agent mounts the
   * recommendations API here); returns false for a path it does not serve.
   */
  readonly otherRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

/**
 * Serves a PrometheusExporter's metrics over HTTP. The exporter's built-in
 * server unrefs itself but not its keep-alive connections, so an app that
 * closes its own server on SIGTERM would wait for Prometheus' idle
 * connections to time out; this one unrefs those too (when asked).
 */
export class MetricsServer {
  private readonly server: Server;
  private readonly path: string;

  constructor(
    private readonly exporter: PrometheusExporter,
    private readonly options: MetricsServerOptions,
  ) {
    this.path = options.path ?? '/metrics';
    this.server = createServer((request, response) => this.handle(request, response));
    if (!options.holdsProcessOpen) {
      this.server.unref();
      this.server.on('connection', (socket) => socket.unref());
    }
  }

  /** The URL scrapes go to, with the port actually bound. */
  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.port}${this.path}`;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  /** Rejects with one line naming the address when it cannot be bound. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(new Error(`cannot serve metrics on ${this.options.host}:${this.options.port}: ${error.code ?? error.message}`));
      };
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.removeListener('error', onError);
        resolve();
      });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const pathname = (request.url ?? '').split('?', 1)[0];
    if (pathname !== this.path) {
      if (this.options.otherRoutes?.(request, response) === true) return;
      response.writeHead(404).end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    this.exporter.getMetricsRequestHandler(request, response);
  }
}
