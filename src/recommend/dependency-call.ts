/**
 * What `DependencyStats` reads from one CLIENT span: the database statement
 * it ran, the dependency it called, and whether (and how) the call failed.
 *
 * Dependency keys (low-cardinality by construction):
 * - database: `db <db system> <server address[:port]>` (`server.address` /
 *   `server.port`, else the pre-1.21 `net.peer.name` / `net.peer.port`;
 *   `db <db system>` when no address is sent);
 * - RPC: `rpc <rpc.system> <rpc.service>` (needs `rpc.service`);
 * - HTTP: `http <host[:port]>` from {@link httpTargetOf} (needs a method
 *   attribute and a host).
 * Other client spans (messaging, custom) have no dependency key.
 *
 * Failure rule, from the OpenTelemetry semantic conventions for span status:
 * - HTTP client spans: the conventions set status Error for every 4xx and
 *   5xx response on a CLIENT span ("Status" in the HTTP span conventions).
 *   Here a response says whether the dependency failed, whatever the span
 *   status: 5xx, 408 (Request Timeout) and 429 (Too Many Requests) are
 *   failures; other 4xx (404, 400, 409…) are the caller's requests being
 *   refused, which no timeout, retry or circuit breaker fixes, so they are
 *   not counted. Without a response status (connection refused, reset,
 *   client timeout) the span status Error decides.
 * - gRPC client spans: every non-OK code is Error on a CLIENT span (RPC
 *   conventions, gRPC status), so the span status decides;
 *   `rpc.grpc.status_code` (or `rpc.response.status_code` by name) only
 *   refines the kind.
 * - Database and other spans: the span status Error decides.
 *
 * Failure kinds choose the remedy hint: TIMEOUT (HTTP 408/504, gRPC
 * DEADLINE_EXCEEDED, an `error.type` naming a timeout such as `ETIMEDOUT` or
 * `TimeoutError`), THROTTLED (HTTP 429/503, gRPC RESOURCE_EXHAUSTED or
 * UNAVAILABLE: the dependency asks callers to slow down) and OTHER.
 *
 * Pure; reads a few attributes per span, allocates only the key strings.
 */
import { OtlpSpanKind, OtlpStatusCode } from '../engine/span-sample';
import { httpTargetOf } from './http-target';
import type { TraceTree } from './trace-tree';
import { backslashEscapesFor, dbStatementOf, dbSystemOf, normalizeSqlStatement } from './sql-normalizer';
import type { TraceSpan } from './trace-span';

/** How a client call ended, as far as the dependency is concerned. */
export const CallFailure = { NONE: 0, TIMEOUT: 1, THROTTLED: 2, OTHER: 3 } as const;
export type CallFailureKind = (typeof CallFailure)[keyof typeof CallFailure];

/** gRPC status codes read here (grpc/doc/statuscodes.md). */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;

export interface DbStatementTarget {
  readonly dbSystem: string;
  /** Normalised statement; may end with the truncation marker (the caller skips those). */
  readonly statement: string;
}

function stringOf(attributes: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

function integerOf(attributes: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const value = attributes[key];
  const number = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
}

/**
 * Whether a span only acquires a database connection (`pg-pool.connect`,
 * `pg.connect`, a `connect` operation): a database client span without a
 * statement whose name ends in `connect`. It is neither a query nor
 * application work; the sequential-calls analyzer looks through it.
 */
export function isConnectionSpan(span: TraceSpan): boolean {
  if (dbStatementOf(span.attributes) !== undefined || dbSystemOf(span.attributes) === undefined) return false;
  return /(?:^|[.\s_-])connect$/i.test(span.name);
}

/** The normalised statement of a database CLIENT span; `undefined` for other spans and spans without a statement. */
export function dbStatementTargetOf(span: TraceSpan, tree?: TraceTree): DbStatementTarget | undefined {
  if (span.kind !== OtlpSpanKind.CLIENT) return undefined;
  const dbSystem = dbSystemOf(span.attributes);
  if (dbSystem === undefined) return undefined;
  const text = dbStatementOf(span.attributes);
  if (text === undefined) return undefined;
  // The tree's memo when there is one: several analyzers read the same span.
  const statement = tree?.normalizedStatementOf(span) ?? normalizeSqlStatement(text, { backslashEscapes: backslashEscapesFor(dbSystem) });
  return { dbSystem, statement };
}

/** The dependency a CLIENT span called (see the file comment), or `undefined`. */
export function dependencyKeyOf(span: TraceSpan, tree?: TraceTree): string | undefined {
  if (span.kind !== OtlpSpanKind.CLIENT) return undefined;
  const attributes = span.attributes;
  const dbSystem = dbSystemOf(attributes);
  if (dbSystem !== undefined) {
    const address = stringOf(attributes, 'server.address') ?? stringOf(attributes, 'net.peer.name');
    if (address === undefined) return `db ${dbSystem}`;
    const port = integerOf(attributes, 'server.port') ?? integerOf(attributes, 'net.peer.port');
    return port === undefined ? `db ${dbSystem} ${address.toLowerCase()}` : `db ${dbSystem} ${address.toLowerCase()}:${port}`;
  }
  const rpcService = stringOf(attributes, 'rpc.service');
  if (rpcService !== undefined) {
    const rpcSystem = stringOf(attributes, 'rpc.system');
    return rpcSystem === undefined ? `rpc ${rpcService}` : `rpc ${rpcSystem} ${rpcService}`;
  }
  if (stringOf(attributes, 'http.request.method') === undefined && stringOf(attributes, 'http.method') === undefined) return undefined;
  const target = tree === undefined ? httpTargetOf(attributes) : tree.httpTargetOf(span);
  return target === undefined ? undefined : `http ${target.host}`;
}

function namesTimeout(errorType: string | undefined): boolean {
  if (errorType === undefined) return false;
  const lower = errorType.toLowerCase();
  return lower.includes('timeout') || lower.includes('timedout') || lower.includes('deadline');
}

/** Whether and how a CLIENT span's call failed (see the file comment). */
export function callFailureOf(span: TraceSpan): CallFailureKind {
  const attributes = span.attributes;
  const httpStatus = integerOf(attributes, 'http.response.status_code') ?? integerOf(attributes, 'http.status_code');
  if (httpStatus !== undefined) {
    if (httpStatus === 408 || httpStatus === 504) return CallFailure.TIMEOUT;
    if (httpStatus === 429 || httpStatus === 503) return CallFailure.THROTTLED;
    return httpStatus >= 500 ? CallFailure.OTHER : CallFailure.NONE;
  }
  if (span.statusCode !== OtlpStatusCode.ERROR) return CallFailure.NONE;
  const grpcCode = integerOf(attributes, 'rpc.grpc.status_code');
  const rpcStatus = stringOf(attributes, 'rpc.response.status_code');
  if (grpcCode === GRPC_DEADLINE_EXCEEDED || rpcStatus === 'DEADLINE_EXCEEDED') return CallFailure.TIMEOUT;
  if (grpcCode === GRPC_RESOURCE_EXHAUSTED || grpcCode === GRPC_UNAVAILABLE || rpcStatus === 'RESOURCE_EXHAUSTED' || rpcStatus === 'UNAVAILABLE') {
    return CallFailure.THROTTLED;
  }
  return namesTimeout(stringOf(attributes, 'error.type')) ? CallFailure.TIMEOUT : CallFailure.OTHER;
}
