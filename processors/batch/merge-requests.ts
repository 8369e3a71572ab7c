import type { Signal } from '../../src/otlp/signal';
import type { ExportRequest } from '../../src/otlp/export-request';

/** The top-level list of each signal's export request (the OTLP JSON names). */
const TOP_LEVEL_LIST: Readonly<Record<Signal, 'resourceSpans' | 'resourceMetrics' | 'resourceLogs'>> = {
  traces: 'resourceSpans',
  metrics: 'resourceMetrics',
  logs: 'resourceLogs',
};

/**
 * One export request holding the resources of all `requests`, in order.
 * Resources are not merged with each other (two requests from one service
 * stay two ResourceSpans), which keeps every field as it came. Unknown
 * top-level fields of the requests are dropped: the OTLP export requests
 * define none besides the resource list.
 */
export function mergeRequests(signal: Signal, requests: readonly ExportRequest[]): ExportRequest {
  if (requests.length === 1) return requests[0] as ExportRequest;
  const key = TOP_LEVEL_LIST[signal];
  const merged: unknown[] = [];
  for (const request of requests) {
    const list = (request as unknown as Record<string, unknown[] | undefined>)[key];
    if (list !== undefined) for (const item of list) merged.push(item);
  }
  const request: Record<string, unknown[]> = { [key]: merged };
  return request;
}
