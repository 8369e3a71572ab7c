import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Signal } from '../../src/otlp/signal';
import { BEARER_CHALLENGE, BearerTokenCheck, UNAUTHENTICATED_MESSAGE } from './bearer-auth';
import { formatByteSize } from './byte-size';
import { CONTENT_TYPE, decodeRequest, encodeResponse, encodeStatus } from './codec';
import type { PayloadFormat } from './codec';
import { DEFAULT_MAX_CONNECTIONS } from './config';
import type { OtlpHttpSettings } from './config';
import type { ExportHandler, ExportOutcome, FailureLog } from './export-handler';
import type { ReceiverMetrics, RefusedConnectionReason, RequestOutcome } from './receiver-metrics';
import { parseContentEncoding, readRequestBody } from './request-body';
import { RpcCode } from './rpc-code';
import { loadTlsMaterial } from './tls-files';

/** The OTLP/HTTP paths and the signal each one carries. */
export const OTLP_HTTP_PATHS: Readonly<Record<string, Signal>> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
};

/** Timeouts against slow or stuck clients, in milliseconds. */
export interface HttpTimeouts {
  /** Until the request headers are complete. @default 10 000 */
  readonly headersMs: number;
  /** Until the whole request (headers and body) is received. @default 30 000 */
  readonly requestMs: number;
  /** How long an idle keep-alive connection is kept. @default 5 000 */
  readonly keepAliveMs: number;
  /** At shutdown, how long requests in flight may take before their connections are closed. @default 5 000 */
  readonly shutdownGraceMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, shutdownGraceMs: 5_000 };

/** The canned answers Node itself would send, written by our clientError handler before it closes the socket. */
const REQUEST_TIMEOUT_ANSWER = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const HEADERS_TOO_LARGE_ANSWER = 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const BAD_REQUEST_ANSWER = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * Node checks the header and request timeouts on an interval: at most 1 s
 * (its default), and finer for short timeouts so a 1 s timeout fires within
 * about 1.5 s rather than 2 s.
 */
function connectionsCheckingIntervalMs(timeouts: HttpTimeouts): number {
  return Math.max(50, Math.min(1_000, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 2)));
}

/**
 * A body this small (by Content-Length) is read and discarded after an early
 * answer (401, 404, 405, 415) so the connection can be kept; anything larger
 * or of unknown length is not read, and the connection is closed instead.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/** How the request announced its body: a content type we decode, or not. */
export function payloadFormatOf(contentType: string | undefined): PayloadFormat | undefined {
  const mediaType = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

export interface OtlpHttpServerOptions {
  readonly receiverId: string;
  readonly settings: OtlpHttpSettings;
  readonly handler: ExportHandler;
  readonly metrics: ReceiverMetrics;
  readonly failures: FailureLog;
  /** Override the settings' timeouts (tests). @default the settings' values, else DEFAULT_HTTP_TIMEOUTS */
  readonly timeouts?: Partial<HttpTimeouts>;
}

/**
 * OTLP/HTTP (node:http or node:https, no framework):
 *
 *   POST /v1/traces | /v1/metrics | /v1/logs
 *   Content-Type: application/x-protobuf | application/json (parameters allowed)
 *   Content-Encoding: gzip | deflate | identity
 *
 * The answer uses the request's format: an Export*ServiceResponse on 200,
 * a google.rpc.Status with a message otherwise (JSON when the request's
 * content type is not one of the two). Status codes: 400 undecodable data or
 * a bad compressed body (or an unsupported Content-Encoding, as the
 * Collector answers), 401 without the right bearer token, 404 unknown path
 * or a signal no pipeline takes, 405 other methods (Allow: POST), 413 over
 * max_request_body_size (checked against Content-Length before reading, and
 * while streaming, after decompression), 415 other content types, 503 with
 * Retry-After on back-pressure, 500 internal errors.
 *
 * Abuse bounds: a connection must complete its headers within
 * read_header_timeout and its whole request within read_timeout (else 408 and
 * the connection is closed), an idle keep-alive connection is closed after
 * idle_timeout, and at most max_connections are open (Node's maxConnections:
 * a connection past it is closed on accept). Each of those closes is counted
 * in slowatch_receiver_refused_connections_total; memory per request is
 * bounded by max_request_body_size.
 */
export class OtlpHttpServer {
  private server: Server | undefined;
  private readonly timeouts: HttpTimeouts;
  private readonly auth: BearerTokenCheck | undefined;
  private inFlight = 0;
  private closing = false;
  private idle: (() => void) | undefined;
  /**
   * Sockets whose request headers were complete and whose request is not
   * answered yet: a timeout on one of them is a request (body) timeout,
   * on any other socket a header timeout. Weak: a destroyed socket leaves.
   */
  private readonly readingBody = new WeakSet<Socket>();

  constructor(private readonly options: OtlpHttpServerOptions) {
    const { settings } = options;
    this.timeouts = {
      ...DEFAULT_HTTP_TIMEOUTS,
      ...(settings.readHeaderTimeoutMs !== undefined && { headersMs: settings.readHeaderTimeoutMs }),
      ...(settings.readTimeoutMs !== undefined && { requestMs: settings.readTimeoutMs }),
      ...(settings.idleTimeoutMs !== undefined && { keepAliveMs: settings.idleTimeoutMs }),
      ...options.timeouts,
    };
    this.auth = options.settings.auth === undefined ? undefined : new BearerTokenCheck(options.settings.auth.bearerToken);
  }

  /** The address actually bound (the port matters with port 0); undefined before start. */
  get address(): { readonly host: string; readonly port: number } | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address !== null ? { host: this.options.settings.host, port: address.port } : undefined;
  }

  /** Reads the TLS files, binds. Rejects with one line naming the file or the address. */
  async start(): Promise<void> {
    const { settings, receiverId } = this.options;
    let server: Server;
    const serverOptions = { connectionsCheckingInterval: connectionsCheckingIntervalMs(this.timeouts), requestTimeout: this.timeouts.requestMs, headersTimeout: this.timeouts.headersMs, keepAliveTimeout: this.timeouts.keepAliveMs };
    if (settings.tls !== undefined) {
      let material;
      try {
        material = loadTlsMaterial(settings.tls);
      } catch (error) {
        throw new Error(`receiver ${receiverId}: OTLP/HTTP: ${(error as Error).message}`);
      }
      server = createHttpsServer({ ...serverOptions, cert: material.cert, key: material.key });
    } else {
      server = createHttpServer(serverOptions);
    }
    server.headersTimeout = this.timeouts.headersMs;
    server.requestTimeout = this.timeouts.requestMs;
    server.keepAliveTimeout = this.timeouts.keepAliveMs;
    server.maxConnections = settings.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    // Node closes a connection past maxConnections right after accepting it, and says so with 'drop'.
    server.on('drop', () => this.options.metrics.countRefusedConnection('http', 'connection_limit'));
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.onClientError(error, socket));
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.dispatch(request, response, false));
    // Answer Expect: 100-continue ourselves, so a body that will be refused is never invited.
    server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => this.dispatch(request, response, true));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(new Error(`receiver ${receiverId}: OTLP/HTTP: cannot listen on ${formatHostPort(settings.host, settings.port)}: ${error.code ?? error.message}`));
      };
      server.once('error', onError);
      server.listen(settings.port, settings.host, () => {
        server.removeListener('error', onError);
        resolve();
      });
    });
    server.on('error', (error) => this.options.failures.record('http', 'serving', error));
    this.server = server;
  }

  /**
   * Stops accepting connections, lets requests in flight finish (their
   * answers carry Connection: close) for up to shutdownGraceMs, then closes
   * whatever is left. Never rejects.
   */
  async shutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined || this.closing) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.inFlight > 0) {
      const drained = new Promise<void>((resolve) => (this.idle = resolve));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.timeouts.shutdownGraceMs)));
      await Promise.race([drained, deadline]);
      clearTimeout(timer);
    }
    server.closeAllConnections();
    await closed;
    this.server = undefined;
  }

  /**
   * Node's 'clientError': a header or request timeout (ERR_HTTP_REQUEST_TIMEOUT,
   * from the connections check), headers over Node's 16 KiB limit, or bytes
   * that are not HTTP. Without a listener Node answers and closes by itself;
   * listening lets us count the refusal, so we answer as Node would and close.
   * A client that reset or closed its connection mid-request (ECONNRESET,
   * EPIPE, or llhttp's HPE_INVALID_EOF_STATE) went away by itself: not a
   * refusal, not counted.
   */
  private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      socket.destroy();
      return;
    }
    let answer: string;
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      const reason: RefusedConnectionReason = this.readingBody.has(socket) ? 'request_timeout' : 'header_timeout';
      this.options.metrics.countRefusedConnection('http', reason);
      answer = REQUEST_TIMEOUT_ANSWER;
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      this.options.metrics.countRefusedConnection('http', 'headers_too_large');
      answer = HEADERS_TOO_LARGE_ANSWER;
    } else {
      this.options.metrics.countRefusedConnection('http', 'malformed');
      answer = BAD_REQUEST_ANSWER;
    }
    // Only when no answer has started on this socket, so a half-written response is never corrupted.
    const inProgress = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (inProgress?.headersSent !== true) socket.write(answer);
    socket.destroy();
  }

  private dispatch(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): void {
    this.inFlight++;
    const socket = request.socket;
    this.readingBody.add(socket);
    let done = false;
    const finished = (): void => {
      if (done) return;
      done = true;
      this.readingBody.delete(socket);
      this.inFlight--;
      if (this.inFlight === 0 && this.idle !== undefined) this.idle();
    };
    response.on('finish', finished);
    response.on('close', finished);
    // A client that disappears must never become an uncaught 'error'.
    response.on('error', () => undefined);
    request.on('error', () => undefined);
    this.handle(request, response, expectsContinue).catch((error: unknown) => {
      this.options.failures.record('http', 'handling a request', error);
      this.sendInternalError(response);
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): Promise<void> {
    const { settings, handler, receiverId } = this.options;
    const pathname = (request.url ?? '').split('?', 1)[0] ?? '';
    const signal = Object.hasOwn(OTLP_HTTP_PATHS, pathname) ? OTLP_HTTP_PATHS[pathname] : undefined;
    const format = payloadFormatOf(request.headers['content-type']);
    // Errors are answered in the request's format when it has one we speak; else in JSON, which a person can read.
    const answerFormat = format ?? 'json';

    if (this.auth !== undefined && !this.auth.accepts(request.headers.authorization)) {
      if (signal !== undefined) this.count(signal, 'unauthenticated');
      this.options.failures.record('http', 'authenticating a request', new Error(UNAUTHENTICATED_MESSAGE));
      this.sendStatus(request, response, 401, answerFormat, RpcCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE, { 'www-authenticate': BEARER_CHALLENGE });
      return;
    }
    if (signal === undefined) {
      this.sendStatus(request, response, 404, answerFormat, RpcCode.NOT_FOUND, `unknown path ${JSON.stringify(pathname)}; OTLP/HTTP accepts POST /v1/traces, /v1/metrics and /v1/logs`);
      return;
    }
    if (request.method !== 'POST') {
      this.sendStatus(request, response, 405, answerFormat, RpcCode.UNIMPLEMENTED, `method ${request.method ?? ''} is not allowed on ${pathname}; use POST`, { allow: 'POST' });
      return;
    }
    if (!handler.accepts(signal)) {
      this.count(signal, 'unsupported');
      this.sendStatus(request, response, 404, answerFormat, RpcCode.NOT_FOUND, `no ${signal} pipeline uses receiver ${receiverId}`);
      return;
    }
    if (format === undefined) {
      this.count(signal, 'unsupported');
      const got = request.headers['content-type'] === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(request.headers['content-type'])}`;
      this.sendStatus(request, response, 415, 'json', RpcCode.INVALID_ARGUMENT, `unsupported media type: ${got}; use ${CONTENT_TYPE.protobuf} or ${CONTENT_TYPE.json}`);
      return;
    }
    const encoding = parseContentEncoding(request.headers['content-encoding']);
    if (encoding === undefined) {
      this.count(signal, 'invalid');
      this.sendStatus(request, response, 400, format, RpcCode.INVALID_ARGUMENT, `unsupported Content-Encoding ${JSON.stringify(request.headers['content-encoding'])}; use gzip, deflate or identity`);
      return;
    }
    const limit = settings.maxRequestBodySize;
    const declared = declaredLength(request);
    if (declared !== undefined && declared > limit) {
      this.count(signal, 'too_large');
      this.sendStatus(request, response, 413, format, RpcCode.RESOURCE_EXHAUSTED, `request body of ${declared} bytes (Content-Length) is larger than max_request_body_size (${formatByteSize(limit)})`);
      return;
    }

    if (expectsContinue) response.writeContinue();
    const body = await readRequestBody(request, encoding, limit);
    if (!body.ok) {
      if (body.status === 'aborted') return; // nobody to answer
      this.count(signal, body.status === 413 ? 'too_large' : 'invalid');
      this.options.failures.record('http', 'reading a request body', new Error(body.message));
      this.sendStatus(request, response, body.status, format, body.status === 413 ? RpcCode.RESOURCE_EXHAUSTED : RpcCode.INVALID_ARGUMENT, body.message);
      return;
    }

    const outcome = await handler.export('http', signal, body.body.length, () => decodeRequest(format, signal, body.body));
    this.sendOutcome(request, response, signal, format, outcome);
  }

  private sendOutcome(request: IncomingMessage, response: ServerResponse, signal: Signal, format: PayloadFormat, outcome: ExportOutcome): void {
    switch (outcome.kind) {
      case 'success':
        this.send(request, response, 200, format, encodeResponse(format, signal, outcome.partialSuccess));
        return;
      case 'invalid':
        this.sendStatus(request, response, 400, format, RpcCode.INVALID_ARGUMENT, outcome.message);
        return;
      case 'backpressure':
        this.sendStatus(request, response, 503, format, RpcCode.UNAVAILABLE, outcome.message, { 'retry-after': String(outcome.retryAfterSeconds) }, outcome.retryAfterSeconds * 1000);
        return;
      case 'internal':
        this.sendStatus(request, response, 500, format, RpcCode.INTERNAL, outcome.message);
        return;
    }
  }

  private count(signal: Signal, outcome: RequestOutcome): void {
    this.options.metrics.countRequest('http', signal, outcome);
  }

  private sendStatus(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    format: PayloadFormat,
    code: number,
    message: string,
    headers: OutgoingHttpHeaders = {},
    retryDelayMs?: number,
  ): void {
    this.send(request, response, status, format, encodeStatus(format, code, message, retryDelayMs), headers);
  }

  private send(request: IncomingMessage, response: ServerResponse, status: number, format: PayloadFormat, body: Buffer, headers: OutgoingHttpHeaders = {}): void {
    if (response.headersSent || response.destroyed) return;
    const keepAlive = !this.closing && (request.complete || isSmallDeclaredBody(request));
    response.writeHead(status, {
      ...headers,
      'content-type': CONTENT_TYPE[format],
      'content-length': body.length,
      ...(!keepAlive && { connection: 'close' }),
    });
    response.end(body);
  }

  /** Last resort when handling itself failed: a fixed JSON Status. */
  private sendInternalError(response: ServerResponse): void {
    if (response.headersSent || response.destroyed) {
      response.destroy();
      return;
    }
    const body = Buffer.from(JSON.stringify({ code: RpcCode.INTERNAL, message: 'internal error; the receiver logged the details' }));
    response.writeHead(500, { 'content-type': CONTENT_TYPE.json, 'content-length': body.length, connection: 'close' });
    response.end(body);
  }
}

/** Content-Length as a number; undefined when absent (chunked) or not a number (Node rejects those before us). */
function declaredLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

function isSmallDeclaredBody(request: IncomingMessage): boolean {
  const declared = declaredLength(request);
  return declared !== undefined && declared <= DRAIN_LIMIT_BYTES;
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
