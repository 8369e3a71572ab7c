import type { IncomingMessage, ServerResponse } from 'node:http';

/*
 * The route table of the `web` extension. A route is one exact path (or a
 * prefix, for `/slos/{name}`) that answers GET (and HEAD, the same without
 * a body) from the path, the query string and `Accept` alone,
 * synchronously. Everything HTTP about it (methods, headers, HEAD,
 * failures) is done once, in `createRouteHandler`, so the handlers (the
 * recommendations API, the report pages and their JSON) only say what to
 * answer.
 */

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/** What a route answers. The body is the complete text: responses are small documents built in one go. */
export interface WebReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** What a route reads from the request. */
export interface WebRouteRequest {
  /** The path, without the query string. */
  readonly pathname: string;
  readonly query: URLSearchParams;
  /** The request's `Accept` header; absent when it sent none. */
  readonly accept?: string;
}

export interface WebRoute {
  /**
   * Exact path, e.g. `/api/v1/recommendations`; no trailing-slash variant.
   * With `prefix`, a path ending in `/` that matches every longer path
   * below it (`/slos/` answers `/slos/checkout-availability`).
   */
  readonly path: string;
  /** Whether `path` is a prefix (see `path`). Exact routes win over prefixes; the longest prefix wins. @default false */
  readonly prefix?: boolean;
  /** One line for the index at `GET /`. */
  readonly description: string;
  /** Query parameters it takes, name → meaning, for the index. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Answers a GET or HEAD. May throw: the handler turns that into a 500 and logs it. */
  respond(request: WebRouteRequest): WebReply;
}

/**
 * Answers the request when its path is one of its own, and returns true;
 * returns false without touching the response otherwise, so several
 * handlers (or a /metrics server) can share one HTTP server.
 */
export type WebRequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** A JSON reply; one line, ending with a line feed. */
export function jsonReply(status: number, value: unknown): WebReply {
  return { status, contentType: JSON_CONTENT_TYPE, body: `${JSON.stringify(value)}\n` };
}

/** An HTML page reply; `page` is the whole document. */
export function htmlReply(status: number, page: string): WebReply {
  return { status, contentType: HTML_CONTENT_TYPE, body: page };
}

/** Whether a request's `Accept` header asks for HTML (what browsers send when navigating). */
export function acceptsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/i.test(accept);
}

/** A `{ "error": message }` reply, the shape of every error this extension answers. */
export function errorReply(status: number, message: string): WebReply {
  return jsonReply(status, { error: message });
}
