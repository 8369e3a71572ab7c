import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { HealthCheckExtensionSettings } from './config';
import type { ReadinessListener } from '../../src/service/runtime-factories';


type Phase = 'starting' | 'ready' | 'shutting down';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The `health_check` extension: an HTTP endpoint for probes.
 *
 *   GET /healthz   200 while the process is up and serving (liveness)
 *   GET /readyz    200 once every pipeline has started (setReady(true)),
 *                  503 before that and from setReady(false) on (shutting down)
 *
 * Bodies are small JSON documents (`{"status":"ready"}`); HEAD gets the same
 * status without a body. Other methods get 405, other paths 404.
 */
export class HealthCheckExtension implements Component, ReadinessListener {
  private readonly server: Server;
  private phase: Phase = 'starting';
  private readonly startedAt: number;

  constructor(
    private readonly settings: HealthCheckExtensionSettings,
    private readonly context: ComponentContext,
  ) {
    this.startedAt = context.clock.now();
    this.server = createServer((request, response) => this.handle(request, response));
    // Probes come every few seconds; no reason to hold idle connections long.
    this.server.keepAliveTimeout = 5_000;
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 10_000;
  }

  /** True between setReady(true) and setReady(false). */
  get ready(): boolean {
    return this.phase === 'ready';
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.settings.port;
  }

  /** `http://host:port`, with the port actually bound. */
  get url(): string {
    const host = this.settings.host.includes(':') ? `[${this.settings.host}]` : this.settings.host;
    return `http://${host}:${this.port}`;
  }

  setReady(ready: boolean): void {
    if (ready) this.phase = 'ready';
    else if (this.phase === 'ready') this.phase = 'shutting down';
  }

  /** Rejects with one line naming the address when it cannot be bound. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(new Error(`extension ${this.context.id}: cannot listen on ${this.settings.host}:${this.settings.port}: ${error.code ?? error.message}`));
      };
      this.server.once('error', onError);
      this.server.listen(this.settings.port, this.settings.host, () => {
        this.server.removeListener('error', onError);
        this.server.on('error', (error) => this.context.logger.error(`extension ${this.context.id}: server error`, error));
        resolve();
      });
    });
  }

  /** Not ready from now on; closes the server (probes in flight are answered). */
  shutdown(): Promise<void> {
    this.setReady(false);
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      // Probe requests are answered synchronously; anything still open after a moment is a stuck client.
      setTimeout(() => this.server.closeAllConnections(), 1_000).unref();
    });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const pathname = (request.url ?? '').split('?', 1)[0];
    if (pathname !== '/healthz' && pathname !== '/readyz') {
      this.send(request, response, 404, { status: 'not found', message: 'health_check serves GET /healthz and GET /readyz' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      this.send(request, response, 405, { status: 'method not allowed', message: `${pathname} accepts GET and HEAD` });
      return;
    }
    if (pathname === '/healthz') {
      const uptimeSeconds = Math.max(0, Math.floor((this.context.clock.now() - this.startedAt) / 1000));
      this.send(request, response, 200, { status: 'alive', uptime_seconds: uptimeSeconds });
      return;
    }
    if (this.phase === 'ready') this.send(request, response, 200, { status: 'ready' });
    else this.send(request, response, 503, { status: 'not ready', reason: this.phase });
  }

  private send(request: IncomingMessage, response: ServerResponse, status: number, body: Record<string, unknown>): void {
    const text = `${JSON.stringify(body)}\n`;
    response.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : text);
  }
}
