'use strict';
/**
 * The gateway configuration the demo runs: the built-in defaults
 * (`createBuiltInConfigData()` from dist/, the same data the repository's
 * otel-config.yaml documents), changed only where the demo must, and every
 * change named so that the demo can print it.
 *
 *   const { demoGatewayConfig } = require('./gateway-config.cjs');
 *   const { data, changes } = demoGatewayConfig(createBuiltInConfigData(), { ports, fast: true });
 *   // changes: ['regression: warmup 5s, evaluation_interval 2s (--fast)', …]; data: the config to write as YAML
 *
 * What may change, and why:
 * - ports (`--free-ports`): the endpoints of the OTLP receiver, the
 *   Prometheus exporter, health_check and web, so that a test can run the
 *   demo beside other tests;
 * - `--fast`: the regression processor's warmup (1 min: the spans of a new
 *   version's first minute are not compared) and evaluation interval, the
 *   only waits of the story that cannot be shortened by sending more traffic.
 *   Every threshold (min_samples, the burn-rate windows and factors,
 *   min_events, the N+1 thresholds) stays at its default, so the fast story
 *   proves the same counts as the full one;
 * - a component the story needs (slo, regression, recommend; the web
 *   extension) that the defaults lack is added, with its own defaults. With
 *   the defaults of issue 7 nothing is added; the check only keeps the demo
 *   honest should the defaults change.
 *
 * The storage path is never changed: the demo runs the gateway in a
 * temporary working directory, so the default `./data/slowatch.db` lands
 * there and every demo starts fresh.
 *
 * Pure: no I/O; the input is not modified.
 */

/** The defaults' endpoints (otel-config.yaml), which the demo prints when it does not pick free ports. */
const DEFAULT_GATEWAY_PORTS = Object.freeze({ http: 4318, grpc: 4317, metrics: 9464, health: 13133, web: 8888 });

/** The fast story's regression timing (the defaults: warmup 1m, evaluation_interval 10s). */
const FAST_REGRESSION = Object.freeze({ warmup: '5s', evaluation_interval: '2s' });

/** Processors the story's outcomes come from, on the traces pipeline, in the defaults' order. */
const STORY_PROCESSORS = ['slo', 'regression', 'recommend'];

const LOOPBACK = '127.0.0.1';

/** `regression/checkout` → `regression`. */
function typeOf(componentId) {
  const slash = componentId.indexOf('/');
  return slash < 0 ? componentId : componentId.slice(0, slash);
}

/** The ids in `section` (a mapping of component ids) of type `type`. */
function idsOfType(section, type) {
  return Object.keys(section ?? {}).filter((id) => typeOf(id) === type);
}

/** `null` or a mapping → a mapping with `changes` on top. */
function withSettings(value, changes) {
  return { ...(value !== null && typeof value === 'object' ? value : {}), ...changes };
}

/**
 * The demo's gateway configuration.
 *
 * @param {Record<string, any>} builtIn `createBuiltInConfigData()`'s result
 * @param {{ ports?: { http: number, grpc: number, metrics: number, health: number, web: number }, fast?: boolean }} options
 *   `ports`: endpoints to use instead of the defaults' (on 127.0.0.1); `fast`: the fast story's regression timing
 * @returns {{ data: Record<string, any>, changes: string[] }} `changes` is empty when `data` equals the defaults
 */
function demoGatewayConfig(builtIn, options = {}) {
  const data = structuredClone(builtIn);
  const changes = [];
  data.receivers ??= {};
  data.processors ??= {};
  data.exporters ??= {};
  data.extensions ??= {};
  data.service ??= {};
  data.service.pipelines ??= {};
  data.service.extensions ??= [];
  const traces = (data.service.pipelines.traces ??= { receivers: ['otlp'], processors: [], exporters: [] });
  traces.processors ??= [];

  for (const type of STORY_PROCESSORS) {
    if (traces.processors.some((id) => typeOf(id) === type)) continue;
    if (idsOfType(data.processors, type).length === 0) data.processors[type] = null;
    traces.processors.push(type);
    changes.push(`${type}: added to the traces pipeline (the built-in defaults lack it)`);
  }
  if (!data.service.extensions.some((id) => typeOf(id) === 'web')) {
    if (idsOfType(data.extensions, 'web').length === 0) data.extensions.web = null;
    data.service.extensions.push('web');
    changes.push('web: extension added (the built-in defaults lack it)');
  }

  if (options.fast === true) {
    for (const id of idsOfType(data.processors, 'regression')) {
      data.processors[id] = withSettings(data.processors[id], FAST_REGRESSION);
      changes.push(`${id}: warmup ${FAST_REGRESSION.warmup}, evaluation_interval ${FAST_REGRESSION.evaluation_interval} (--fast)`);
    }
  }

  const ports = options.ports;
  if (ports !== undefined) {
    for (const id of idsOfType(data.receivers, 'otlp')) {
      const receiver = withSettings(data.receivers[id], {});
      const protocols = withSettings(receiver.protocols, {});
      if ('http' in protocols) protocols.http = withSettings(protocols.http, { endpoint: `${LOOPBACK}:${ports.http}` });
      if ('grpc' in protocols) protocols.grpc = withSettings(protocols.grpc, { endpoint: `${LOOPBACK}:${ports.grpc}` });
      data.receivers[id] = { ...receiver, protocols };
    }
    for (const id of idsOfType(data.exporters, 'prometheus')) data.exporters[id] = withSettings(data.exporters[id], { endpoint: `${LOOPBACK}:${ports.metrics}` });
    for (const id of idsOfType(data.extensions, 'health_check')) data.extensions[id] = withSettings(data.extensions[id], { endpoint: `${LOOPBACK}:${ports.health}` });
    for (const id of idsOfType(data.extensions, 'web')) data.extensions[id] = withSettings(data.extensions[id], { endpoint: `${LOOPBACK}:${ports.web}` });
    changes.push(`endpoints: OTLP http ${ports.http}, grpc ${ports.grpc}, metrics ${ports.metrics}, health ${ports.health}, web ${ports.web} (--free-ports)`);
  }
  return { data, changes };
}

/** Whether the configuration's metrics pipelines receive OTLP (then the shop's agent sends its runtime metrics too). */
function receivesOtlpMetrics(data) {
  const pipelines = data?.service?.pipelines ?? {};
  return Object.entries(pipelines).some(([id, pipeline]) => typeOf(id) === 'metrics' && (pipeline?.receivers ?? []).some((r) => typeOf(r) === 'otlp'));
}

module.exports = { demoGatewayConfig, receivesOtlpMetrics, DEFAULT_GATEWAY_PORTS, FAST_REGRESSION };
