/**
 * The target of an outgoing HTTP call, as the grouping key of the
 * `n_plus_one_http` analyzer ("outgoing HTTP calls to one host and route
 * template") and of per-dependency analyzers.
 *
 * Attributes are read per the OpenTelemetry HTTP semantic conventions, the
 * stable names first (semconv ≥ 1.21, stable since 1.23), then the names used
 * before 1.21, which many instrumentations still send:
 *
 * | meaning            | stable                                   | before 1.21                          |
 * |--------------------|------------------------------------------|--------------------------------------|
 * | method             | `http.request.method`                    | `http.method`                        |
 * | full URL           | `url.full`                               | `http.url`                           |
 * | host / port        | `server.address` / `server.port`         | `net.peer.name` / `net.peer.port`, `http.host` (Host header, may carry a port) |
 * | scheme             | `url.scheme`                             | `http.scheme`                        |
 * | path (no full URL) | `url.path`                               | `http.target` (path and query)       |
 * | route template     | `url.template` (client, development), `http.route` | `http.route`               |
 *
 * The route template is `url.template` or `http.route` when present (both are
 * low-cardinality by definition); otherwise the URL path with id-like
 * segments replaced by `{id}` and the query string dropped (see
 * {@link templatePath}). User info in URLs is never kept.
 *
 * Pure; linear in the attribute lengths, which are capped at
 * {@link MAX_URL_LENGTH} characters (the template is then cut, with `…`).
 */

/** Placeholder for an id-like path segment. */
export const ID_SEGMENT = '{id}';
/** Template when the host is known but no path or route is. */
export const UNKNOWN_ROUTE = '*';
/** Longest URL, path or route read, in UTF-16 code units; longer ones are cut. */
export const MAX_URL_LENGTH = 2048;

export interface HttpTarget {
  /** Lower-cased host, with `:port` when the port is not the scheme's default (IPv6 in brackets). */
  readonly host: string;
  /** Upper-cased request method; `_OTHER` (the stable conventions' value for unknown methods) when absent. */
  readonly method: string;
  /** Route template, e.g. `/users/{id}/orders`, or {@link UNKNOWN_ROUTE}. */
  readonly template: string;
}

interface ParsedUrl {
  readonly scheme: string | undefined;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly path: string | undefined;
}

function stringAttribute(attributes: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = attributes[key];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed.slice(0, MAX_URL_LENGTH) : undefined;
}

function portAttribute(attributes: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const value = attributes[key];
  const port = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** Splits `host[:port]` or `[v6][:port]`. */
function splitHostPort(authority: string): { host: string; port: number | undefined } {
  let host = authority;
  let portText = '';
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close > 0) {
      host = authority.slice(1, close);
      if (authority.charCodeAt(close + 1) === 58) portText = authority.slice(close + 2);
    }
  } else {
    const colon = authority.lastIndexOf(':');
    // More than one colon without brackets: a bare IPv6 address, no port.
    if (colon >= 0 && authority.indexOf(':') === colon) {
      host = authority.slice(0, colon);
      portText = authority.slice(colon + 1);
    }
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : undefined;
  return { host, port: port !== undefined && port > 0 && port < 65536 ? port : undefined };
}

/**
 * Hand parse of an absolute URL `scheme://[userinfo@]host[:port][/path][?query][#fragment]`
 * (RFC 3986 §3) or of a bare path. No exceptions, no normalisation of the path.
 */
export function parseUrl(url: string): ParsedUrl {
  const schemeEnd = url.indexOf('://');
  let scheme: string | undefined;
  let rest = url;
  if (schemeEnd > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(url.slice(0, schemeEnd))) {
    scheme = url.slice(0, schemeEnd).toLowerCase();
    rest = url.slice(schemeEnd + 3);
  } else if (!url.startsWith('/')) {
    return { scheme: undefined, host: undefined, port: undefined, path: undefined };
  }
  let host: string | undefined;
  let port: number | undefined;
  let pathStart = 0;
  if (scheme !== undefined) {
    let end = rest.length;
    for (let i = 0; i < rest.length; i++) {
      const c = rest.charCodeAt(i);
      if (c === 47 || c === 63 || c === 35) {
        end = i;
        break;
      }
    }
    const authority = rest.slice(rest.lastIndexOf('@', end) + 1, end); // drop user info
    const split = splitHostPort(authority);
    host = split.host.length > 0 ? split.host : undefined;
    port = split.port;
    pathStart = end;
  }
  let pathEnd = rest.length;
  for (let i = pathStart; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 63 || c === 35) {
      pathEnd = i;
      break;
    }
  }
  const path = rest.slice(pathStart, pathEnd);
  return { scheme, host, port, path: path.length > 0 ? path : scheme !== undefined ? '/' : undefined };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** 8-4-4-4-12 hexadecimal digits (RFC 9562 UUID text form). */
function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

/**
 * Whether a path segment looks like an identifier rather than a route word:
 * - digits, possibly with `.`, `-`, `_`, `:` separators (ids, dates, versions such as `1.2.3`);
 * - a UUID;
 * - ≥ 16 hexadecimal digits (object ids, hashes);
 * - ≥ 16 characters of `[A-Za-z0-9_-]` mixing letters and digits (ULIDs, nanoids, base64url tokens).
 * Route words such as `v1`, `users`, `healthz` or `2fa` stay.
 */
export function isIdLikeSegment(segment: string): boolean {
  const n = segment.length;
  if (n === 0) return false;
  if (isUuid(segment)) return true;
  let digits = 0;
  let letters = 0;
  let hex = 0;
  let other = 0;
  for (let i = 0; i < n; i++) {
    const c = segment.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (isLetter(c)) letters++;
    else if (c !== 45 && c !== 95 && c !== 46 && c !== 58) other++; // separators - _ . : are allowed
    if (isHex(c)) hex++;
  }
  if (other > 0) return false;
  if (digits > 0 && letters === 0 && isDigit(segment.charCodeAt(0))) return true;
  if (n >= 16 && hex === n) return true;
  const wordChars = segment.indexOf('.') < 0 && segment.indexOf(':') < 0;
  return n >= 16 && wordChars && digits > 0 && letters > 0;
}

/** The path with id-like segments replaced by `{id}` (query and fragment already removed by the caller). */
export function templatePath(path: string): string {
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    if (isIdLikeSegment(segments[i]!)) segments[i] = ID_SEGMENT;
  }
  return segments.join('/');
}

function defaultPort(scheme: string | undefined, port: number): boolean {
  if (scheme === 'http' || scheme === 'ws') return port === 80;
  if (scheme === 'https' || scheme === 'wss') return port === 443;
  return port === 80 || port === 443; // scheme unknown: either default is plausible
}

function hostWithPort(host: string, port: number | undefined, scheme: string | undefined): string {
  const name = host.toLowerCase();
  const shown = name.includes(':') ? `[${name}]` : name;
  return port === undefined || defaultPort(scheme, port) ? shown : `${shown}:${port}`;
}

/**
 * The (host, method, route template) of an outgoing HTTP call, from a CLIENT
 * span's attributes (the caller checks the span kind). `undefined` when no
 * host can be found: calls cannot be attributed to a dependency without one.
 */
export function httpTargetOf(attributes: Readonly<Record<string, unknown>>): HttpTarget | undefined {
  const stableUrl = stringAttribute(attributes, 'url.full');
  const oldUrl = stringAttribute(attributes, 'http.url');
  const parsed = parseUrl(stableUrl ?? oldUrl ?? '');
  const scheme =
    stringAttribute(attributes, 'url.scheme')?.toLowerCase() ??
    parsed.scheme ??
    stringAttribute(attributes, 'http.scheme')?.toLowerCase();

  let host: string | undefined;
  let port: number | undefined;
  const serverAddress = stringAttribute(attributes, 'server.address');
  const peerName = stringAttribute(attributes, 'net.peer.name');
  const hostHeader = stringAttribute(attributes, 'http.host');
  if (serverAddress !== undefined) {
    host = serverAddress;
    port = portAttribute(attributes, 'server.port') ?? parsed.port;
  } else if (parsed.host !== undefined) {
    host = parsed.host;
    port = parsed.port ?? portAttribute(attributes, 'server.port') ?? portAttribute(attributes, 'net.peer.port');
  } else if (peerName !== undefined) {
    host = peerName;
    port = portAttribute(attributes, 'net.peer.port');
  } else if (hostHeader !== undefined) {
    const split = splitHostPort(hostHeader);
    host = split.host;
    port = split.port;
  }
  if (host === undefined || host.length === 0) return undefined;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);

  const route = stringAttribute(attributes, 'url.template') ?? stringAttribute(attributes, 'http.route');
  let template: string;
  if (route !== undefined) {
    template = route;
  } else {
    const path =
      parsed.path ??
      stringAttribute(attributes, 'url.path') ??
      parseUrl(stringAttribute(attributes, 'http.target') ?? '').path;
    template = path === undefined ? UNKNOWN_ROUTE : templatePath(path);
  }
  if (template.length > MAX_URL_LENGTH) template = `${template.slice(0, MAX_URL_LENGTH)}…`;

  const method = (stringAttribute(attributes, 'http.request.method') ?? stringAttribute(attributes, 'http.method'))?.toUpperCase();
  return { host: hostWithPort(host, port, scheme), method: method ?? '_OTHER', template };
}
