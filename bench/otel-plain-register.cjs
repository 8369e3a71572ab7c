'use strict';
/**
 * Baseline (b) of `npm run bench:agent`: plain OpenTelemetry, the same SDK
 * work the slowatch agent does minus slowatch's own processors.
 *
 *   node --require ./bench/otel-plain-register.cjs examples/shop/server.cjs
 *
 * - NodeSDK with getNodeAutoInstrumentations() (fs off, its default) and
 *   RuntimeNodeInstrumentation, as in instrumentation/agent.ts;
 * - a PrometheusExporter as the only metric reader, on
 *   OTEL_EXPORTER_PROMETHEUS_HOST / OTEL_EXPORTER_PROMETHEUS_PORT (the bench
 *   passes a free port), whose own /metrics requests are not traced (the
 *   agent does the same through ignoreIncomingRequestHook);
 * - like the agent: no scope labels on /metrics (withoutScopeInfo) and no
 *   log export (an empty logRecordProcessors list; left out, NodeSDK would
 *   set up an OTLP log exporter from OTEL_LOGS_EXPORTER's default);
 * - no trace exporter. A span processor that does nothing is registered so
 *   that the SDK still creates a TracerProvider and records every span:
 *   without any span processor NodeSDK would either install no tracer
 *   provider at all (spans become non-recording and much cheaper than in
 *   the agent) or, with OTEL_TRACES_EXPORTER unset, default to an OTLP
 *   exporter. Either would make the baseline unlike the agent.
 */
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
const { RuntimeNodeInstrumentation } = require('@opentelemetry/instrumentation-runtime-node');

const host = process.env.OTEL_EXPORTER_PROMETHEUS_HOST || '127.0.0.1';
const port = Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT) || 9464;

/** Receives every started and ended span and drops it. */
const noopSpanProcessor = {
  onStart() {},
  onEnd() {},
  forceFlush() {
    return Promise.resolve();
  },
  shutdown() {
    return Promise.resolve();
  },
};

const prometheus = new PrometheusExporter({ host, port, withoutScopeInfo: true }, (error) => {
  if (error) process.stderr.write(`otel-plain: Prometheus endpoint ${host}:${port} could not start: ${error}\n`);
});

const sdk = new NodeSDK({
  spanProcessors: [noopSpanProcessor],
  metricReaders: [prometheus],
  logRecordProcessors: [],
  instrumentations: [
    getNodeAutoInstrumentations({
      '@opentelemetry/instrumentation-http': {
        ignoreIncomingRequestHook: (request) => request.socket.localPort === port && (request.url ?? '').startsWith('/metrics'),
      },
    }),
    new RuntimeNodeInstrumentation(),
  ],
});
sdk.start();

process.once('SIGTERM', () => {
  sdk.shutdown().finally(() => process.exit(0));
});
