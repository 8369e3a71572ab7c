import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../../src/logging/logger';
import type { Component } from '../../src/pipeline/component';
import { createRouteHandler, sendReply, splitRequestTarget } from './route-handler';
import { acceptsHtml, errorReply, jsonReply } from './web-route';
import type { WebReply, WebRequestHandler, WebRoute, WebRouteRequest } from './web-route';

export interface WebServerOptions {
  /** Without brackets: `::1`, not `[::1]`. */
  readonly host: string;
  /** 0 picks a free port (see `port` once started). */
  readonly port: number;
  /** What it serves besides the index at `/`. */
  readonly routes: readonly WebRoute[];
  /** For route failures (the first per route) and server errors. */
  readonly logger: Logger;
  /**
   * Whether the server and its connections keep the process alive. The
   * gateway is the process (true); an agent inside an application must never
   * hold it open (false).
   * @default true
   */
  readonly holdsProcessOpen?: boolean;
  /**
   * What `GET /` answers a client that asks for HTML (a browser): the home
   * page. Other clients (curl, scripts) get the JSON index either way.
   * @default the JSON index for every client
   */
  readonly htmlIndex?: (request: WebRouteRequest) => WebReply;
}

/**
 * An HTTP server for a route table, plus `GET /`: a JSON index of the
 * routes (or, for a browser, the `htmlIndex` page). Unknown paths get 404 `{"error": …}`. Every answer is built and
 * written synchronously in the request event, so the server holds no
 * timers of its own and nothing is left half-answered when it closes.
 *
 * Memory: the route table and Node's per-connection state; a response lives
 * only while it is written.
 */
export class WebServer implements Component {
  private readonly server: Server;
  private readonly handle: WebRequestHandler;

  constructor(private readonly options: WebServerOptions) {
    const routes = options.routes;
    const index: WebRoute = {
      path: '/',
      description: 'this list',
      respond: (request) =>
        options.htmlIndex !== undefined && acceptsHtml(request.accept)
          ? options.htmlIndex(request)
          : jsonReply(200, {
              endpoints: [index, ...routes].map((route) => ({
                path: route.path,
                description: route.description,
                ...(route.parameters !== undefined && { parameters: route.parameters }),
              })),
            }),
    };
    const routed = createRouteHandler([index, ...routes], options.logger);
    this.handle = (request, response) => routed(request, response) || this.notFound(request, response);
    this.server = createServer((request, response) => void this.handle(request, response));
    // Requests are a few hundred bytes answered at once: a client that takes longer is stuck or hostile.
    this.server.keepAliveTimeout = 5_000;
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 10_000;
    if (options.holdsProcessOpen === false) {
      this.server.unref();
      this.server.on('connection', (socket) => socket.unref());
    }
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  /** `http://host:port`, with the port actually bound. */
  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.port}`;
  }

  /** Rejects with one line naming the address when it cannot be bound (`cannot listen on 127.0.0.1:8888: EADDRINUSE`). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(new Error(`cannot listen on ${this.options.host}:${this.options.port}: ${error.code ?? error.message}`));
      };
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.removeListener('error', onError);
        this.server.on('error', (error) => this.options.logger.error(`web server on ${this.url}: server error`, error));
        resolve();
      });
    });
  }

  /**
   * Stops listening and closes every connection at once. Waiting for clients
   * would need a timer; there is nothing to wait for, since every response
   * was handed to the socket in full when its request arrived. Never rejects;
   * a second call, or a call before start, resolves at once.
   */
  shutdown(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private notFound(request: IncomingMessage, response: ServerResponse): boolean {
    const { pathname } = splitRequestTarget(request.url);
    sendReply(request, response, errorReply(404, `no endpoint at ${pathname}; GET / lists the endpoints`));
    return true;
  }
}
