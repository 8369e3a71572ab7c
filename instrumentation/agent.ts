import { metrics, diag, DiagConsoleLogger } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import type { IncomingMessage } from 'node:http';
import { systemClock } from '../src/clock';
import type { Clock } from '../src/clock';
import { SloEngine } from '../src/engine/slo-engine';
import { describeAlert } from '../src/engine/describe-alert';
import { createStderrLogger, describeError } from '../src/logging/logger';
import type { Logger } from '../src/logging/logger';
import { loadConfig } from '../src/config/load-config';
import { agentSettingsFrom } from '../src/config/agent-settings';
import { SloSpanProcessor } from '../processors/slo/slo-span-processor';
import { registerSloMetrics, sloCardinalityLimit } from '../exporters/prometheus/slo-metrics';
import { resolveAgentEnvironment } from './agent-options';
import { resolvePrometheusExporterOptions } from '../exporters/prometheus/config';

export interface AgentOptions {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default a stderr logger at OTEL_LOG_LEVEL */
  readonly logger?: Logger;
  /** Explicit config file; otherwise SLOWATCH_CONFIG, ./otel-config.yaml, built-in defaults. */
  readonly configPath?: string;
  /** Install SIGTERM/SIGINT/beforeExit flushing. @default true */
  readonly handleSignals?: boolean;
}

/** A running agent: the SDK it started and the engine behind /metrics. */
export interface Agent {
  readonly engine: SloEngine;
  readonly metricsEndpoint: { readonly host: string; readonly port: number };
  shutdown(): Promise<void>;
}

/** Bound on the time shutdown may hold the process on SIGTERM. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

/**
 * Starts OpenTelemetry with slowatch's processors inside the host process.
 * Never throws: on any failure it logs one line and returns undefined, and
 * the host application runs uninstrumented.
 */
export function startAgent(options: AgentOptions = {}): Agent | undefined {
  const env = options.env ?? process.env;
  const settings = resolveAgentEnvironment(env);
  const logger = options.logger ?? createStderrLogger({ level: settings.logLevel });
  if (settings.sdkDisabled) {
    logger.debug('OTEL_SDK_DISABLED=true: the agent is not started');
    return undefined;
  }
  let loaded;
  try {
    loaded = agentSettingsFrom(loadConfig({ configPath: options.configPath, env }));
  } catch (error) {
    // One line, whatever the number of issues: the host's log is not ours to flood.
    const issues = describeError(error).split('\n').filter((l) => l.trim() !== '').join('; ');
    logger.error(`config unusable, the application runs uninstrumented: ${issues}`);
    return undefined;
  }
  const configuredLogger =
    options.logger ?? (loaded.logLevel !== undefined ? createStderrLogger({ level: loaded.logLevel }) : logger);
  try {
    return startSdk(loaded, settings, env, options, configuredLogger);
  } catch (error) {
    logger.error('agent failed to start, the application runs uninstrumented', error);
    return undefined;
  }
}

function startSdk(
  loaded: ReturnType<typeof agentSettingsFrom>,
  settings: ReturnType<typeof resolveAgentEnvironment>,
  env: NodeJS.ProcessEnv,
  options: AgentOptions,
  logger: Logger,
): Agent {
  if (env.OTEL_LOG_LEVEL !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(env.OTEL_LOG_LEVEL) });
  }
  for (const name of settings.unsupportedTraceExporters) {
    logger.warn(`OTEL_TRACES_EXPORTER=${name} is not supported by the slowatch agent (supported: otlp, console, none); ignored`);
  }
  const clock = options.clock ?? systemClock;
  const engine = new SloEngine(loaded.slo.objectives, {
    clock,
    onAlert: (event) => logger.info(describeAlert(event)),
  });
  const sloProcessor = new SloSpanProcessor({ engine, logger, evaluationIntervalMs: loaded.slo.evaluationIntervalMs });
  const spanProcessors: SpanProcessor[] = [sloProcessor];
  if (settings.otlpTraces) spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  if ((env.OTEL_TRACES_EXPORTER ?? '').includes('console')) spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));

  // The agent always serves /metrics: without a prometheus exporter in the config, from OTEL_* or the defaults.
  const { host, port } = loaded.prometheus ?? resolvePrometheusExporterOptions(undefined, env);
  const prometheus = new PrometheusExporter({ host, port }, (error) => {
    if (error) logger.error(`Prometheus endpoint http://${host}:${port}/metrics could not start; SLO metrics are not served`, error);
  });

  const sdk = new NodeSDK({
    spanProcessors,
    metricReaders: [prometheus],
    views: [{ instrumentName: 'slowatch_slo_*', aggregationCardinalityLimit: sloCardinalityLimit(loaded.slo.objectives) }],
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-http': {
          // Our own /metrics endpoint is not part of the application's SLO.
          ignoreIncomingRequestHook: (request: IncomingMessage) => request.socket.localPort === port,
        },
      }),
      new RuntimeNodeInstrumentation(),
    ],
  });
  sdk.start();
  registerSloMetrics(metrics.getMeter('slowatch'), engine);

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= Promise.race([
      sdk.shutdown().catch((error: unknown) => logger.error('agent shutdown failed', error)),
      new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
    return stopping;
  };
  if (options.handleSignals !== false) installShutdownHooks(shutdown);
  return { engine, metricsEndpoint: { host, port }, shutdown };
}

/**
 * Flushes on SIGTERM/SIGINT and before a natural exit. When the application
 * has no signal handler of its own, Node's default (exit) is restored after
 * the flush by re-raising the signal; when it has one, exiting is its call.
 */
function installShutdownHooks(shutdown: () => Promise<void>): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    const appHandles = process.listenerCount(signal) > 1;
    void shutdown().finally(() => {
      process.removeListener(signal, onSignal);
      if (!appHandles) process.kill(process.pid, signal);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.once('beforeExit', () => void shutdown());
}
