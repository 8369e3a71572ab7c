import type { AttributeMap } from '../engine/span-sample';

/**
 * The span attributes the trace analyzers read (operation naming, database
 * and HTTP call targets, statuses and error types), old and stable semantic
 * conventions both. The agent and the gateway keep exactly these when they
 * buffer a span, so a buffered span holds a handful of values instead of
 * everything an instrumentation attached, and both build the same findings
 * (hence the same recommendation ids) from the same spans.
 */
export const RECOMMEND_ATTRIBUTE_KEYS: ReadonlySet<string> = new Set([
  'http.route',
  'http.request.method',
  'http.method',
  'http.response.status_code',
  'http.status_code',
  'http.url',
  'http.target',
  'http.host',
  'http.scheme',
  'url.full',
  'url.path',
  'url.scheme',
  'url.template',
  'server.address',
  'server.port',
  'net.peer.name',
  'net.peer.port',
  'db.system',
  'db.system.name',
  'db.statement',
  'db.query.text',
  'rpc.system',
  'rpc.service',
  'rpc.grpc.status_code',
  'rpc.response.status_code',
  'error.type',
]);

/** Copies the attributes of `RECOMMEND_ATTRIBUTE_KEYS` that `source` has (one small object). */
export function pickRecommendAttributes(source: AttributeMap): AttributeMap {
  const out: Record<string, unknown> = {};
  for (const key in source) {
    if (RECOMMEND_ATTRIBUTE_KEYS.has(key)) out[key] = source[key];
  }
  return out;
}
