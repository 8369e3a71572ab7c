import type { IncomingMessage, ServerResponse } from 'node:http';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { errorReply } from './web-route';
import type { WebReply, WebRequestHandler, WebRoute } from './web-route';

/** The methods every route answers; the value of `Allow` on a 405. */
export const ALLOWED_METHODS = 'GET, HEAD';

/**
 * Splits a request target into path and query. Done by hand rather than with
 * `new URL(target, base)`, which reads a target such as `//host/x` as a
 * different host.
 */
export function splitRequestTarget(target: string | undefined): { pathname: string; query: URLSearchParams } {
  const text = target ?? '/';
  const mark = text.indexOf('?');
  return mark === -1 ? { pathname: text, query: new URLSearchParams() } : { pathname: text.slice(0, mark), query: new URLSearchParams(text.slice(mark + 1)) };
}

/**
 * Writes a reply: `Content-Length`, `Cache-Control: no-store` (the data
 * changes with every span, nothing may keep a copy), and no body for HEAD,
 * which gets the headers a GET would.
 */
export function sendReply(request: IncomingMessage, response: ServerResponse, reply: WebReply, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(reply.status, {
    ...headers,
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : reply.body);
}

/**
 * A handler for a table of routes: exact path match first, then the longest
 * prefix route (`WebRoute.prefix`), GET and HEAD only (405 with `Allow`
 * otherwise), a route that throws answers 500 `{"error": …}` and is logged
 * the first time only (per route), so a broken source cannot flood the log
 * at one line per request. Memory: the table and one failure counter per
 * route.
 */
export function createRouteHandler(routes: readonly WebRoute[], logger: Logger): WebRequestHandler {
  const byPath = new Map<string, { route: WebRoute; failures: FailureCounter }>();
  const prefixes: { route: WebRoute; failures: FailureCounter }[] = [];
  for (const route of routes) {
    const key = route.prefix === true ? `prefix ${route.path}` : route.path;
    if (byPath.has(key)) throw new Error(`two web routes for ${route.path}`);
    if (route.prefix === true && !route.path.endsWith('/')) throw new Error(`the prefix route ${route.path} must end with /`);
    const entry = { route, failures: new FailureCounter(logger, `web ${route.path}`) };
    byPath.set(key, entry);
    if (route.prefix === true) prefixes.push(entry);
  }
  // Longest first, so /api/v1/slos/ is tried before a hypothetical /api/v1/.
  prefixes.sort((a, b) => b.route.path.length - a.route.path.length);
  const find = (pathname: string): { route: WebRoute; failures: FailureCounter } | undefined =>
    byPath.get(pathname) ?? prefixes.find((entry) => pathname.length > entry.route.path.length && pathname.startsWith(entry.route.path));
  return (request, response) => {
    const { pathname, query } = splitRequestTarget(request.url);
    const entry = find(pathname);
    if (entry === undefined) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendReply(request, response, errorReply(405, `${pathname} accepts GET and HEAD, got ${request.method ?? '?'}`), { allow: ALLOWED_METHODS });
      return true;
    }
    let reply: WebReply;
    try {
      const accept = request.headers.accept;
      reply = entry.route.respond({ pathname, query, ...(accept !== undefined && { accept }) });
    } catch (error) {
      entry.failures.record(error);
      // The cause stays in the log: error texts can hold details not meant for every client.
      reply = errorReply(500, `${entry.route.path} failed; the server's log says why`);
    }
    sendReply(request, response, reply);
    return true;
  };
}
