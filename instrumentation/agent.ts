import { metrics, trace, diag, DiagConsoleLogger } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
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
import type { AgentSettings } from '../src/config/agent-settings';
import { SloSpanProcessor } from '../processors/slo/slo-span-processor';
import { registerSloMetrics, sloCardinalityLimit } from '../exporters/prometheus/slo-metrics';
import { resolvePrometheusExporterOptions } from '../exporters/prometheus/config';
import { MetricsServer } from '../exporters/prometheus/metrics-server';
import { createAgentBaseline } from '../processors/baseline/agent-baseline';
import type { BaselineEngine } from '../src/engine/baseline-engine';
import type { AnomalyEngine } from '../src/engine/anomaly-engine';
import type { AnomalyEvent } from '../src/engine/anomaly-event';
import type { RegressionEngine } from '../src/regression/regression-engine';
import type { RegressionEvent } from '../src/regression/regression-event';
import { createRegressionEngine } from '../processors/regression/create-regression-engine';
import { RegressionSpanProcessor } from '../processors/regression/regression-span-processor';
import { registerRegressionMetrics } from '../exporters/prometheus/regression-metrics';
import type { RecommendEngine } from '../src/recommend/recommend-engine';
import type { RecommendationChange } from '../src/recommend/recommendation-store';
import { recommendationsRoute } from '../extensions/web/recommendations-api';
import { reportRoutes, sloListPage } from '../extensions/web/report-routes';
import type { ReportPagesContext } from '../extensions/web/pages/report-context';
import { storeReportLoader } from '../extensions/web/pages/store-report-loader';
import type { WebRoute } from '../extensions/web/web-route';
import { WebServer } from '../extensions/web/web-server';
import type { ReportStore } from '../src/storage/report-store';
import { createAgentRecommend } from './agent-recommend';
import type { AgentRecommend } from './agent-recommend';
import { startAgentStorage } from './agent-storage';
import type { AgentStorage } from './agent-storage';
import { resolveAgentEnvironment } from './agent-options';
import type { AgentEnvironment } from './agent-options';

export interface AgentOptions {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default a stderr logger at service.telemetry.logs.level, else OTEL_LOG_LEVEL, else info */
  readonly logger?: Logger;
  /** Explicit config file; otherwise SLOWATCH_CONFIG, ./otel-config.yaml, built-in defaults. */
  readonly configPath?: string;
  /** Install SIGTERM/SIGINT/beforeExit flushing (and, with a storage extension, the store's last write on process exit). @default true */
  readonly handleSignals?: boolean;
  /** Every anomaly event (with an `anomaly` processor in the config), besides its log line. */
  readonly onAnomaly?: (event: AnomalyEvent) => void;
  /** Every deploy regression or improvement (with a `regression` processor in the config), besides its log line. */
  readonly onRegression?: (event: RegressionEvent) => void;
  /** Every recommendation change (with a `recommend` processor in the config), besides its log line and log record. */
  readonly onRecommendation?: (change: RecommendationChange) => void;
}

/** A running agent: the SDK it started and the engine behind /metrics. */
export interface Agent {
  readonly engine: SloEngine;
  /** With a `baseline` processor in the config's traces pipeline. */
  readonly baseline?: BaselineEngine;
  /** With an `anomaly` processor in the config's traces pipeline. */
  readonly anomaly?: AnomalyEngine;
  /** With a `regression` processor in the config's traces pipeline. */
  readonly regression?: RegressionEngine;
  /** With a `recommend` processor in the config's traces pipeline. */
  readonly recommend?: RecommendEngine;
  /**
   * Where GET /api/v1/recommendations is served: the web extension's
   * endpoint when the config has one, else the metrics endpoint.
   */
  readonly apiEndpoint?: { readonly host: string; readonly port: number };
  /**
   * With a `storage` extension in the config's service.extensions that
   * opened: the store the engines were restored from and are saved to.
   * Undefined without one, when it could not be opened, and after shutdown.
   */
  readonly store: ReportStore | undefined;
  /**
   * Where the report pages (`/slos`, `/api/v1/slos`…) are served: the web
   * extension's endpoint, when the config has both `web` and `storage`.
   */
  readonly reportEndpoint?: { readonly host: string; readonly port: number };
  readonly metricsEndpoint: { readonly host: string; readonly port: number };
  /** Flushes pending telemetry without stopping anything. */
  flush(): Promise<void>;
  /** Flushes and stops the SDK (instrumentation, /metrics, exporters). */
  shutdown(): Promise<void>;
}

/** Bound on the time a flush or shutdown may hold the process. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

/** The Prometheus exporter's path: requests to it on its port are ours, not the application's. */
const METRICS_PATH = '/metrics';

/** The recommendations API, served beside the metrics when the config has no web extension. */
const API_PATH = '/api/';

/**
 * The web extension's routes in the agent: the recommendations API with a
 * recommend processor, the report pages over the store with a storage
 * extension (they answer 503 while the store is unavailable), nothing
 * without either (no web server is started then).
 */
function agentWebRoutes(recommend: AgentRecommend | undefined, storage: AgentStorage | undefined, configuresStorage: boolean, clock: Clock): { routes: WebRoute[]; pages?: ReportPagesContext } {
  const sources = (): RecommendEngine[] => (recommend === undefined ? [] : [recommend.engine]);
  const routes: WebRoute[] = recommend === undefined && !configuresStorage ? [] : [recommendationsRoute(sources)];
  if (!configuresStorage) return { routes };
  const pages: ReportPagesContext = { store: () => storage?.store, loadReport: storeReportLoader, clock, recommendations: sources };
  return { routes: [...routes, ...reportRoutes(pages)], pages };
}

/**
 * Starts OpenTelemetry with slowatch's processors inside the host process.
 * Never throws: on any failure it logs one line and returns undefined, and
 * the host application runs uninstrumented.
 */
export function startAgent(options: AgentOptions = {}): Agent | undefined {
  const env = options.env ?? process.env;
  const environment = resolveAgentEnvironment(env);
  let logger = options.logger ?? createStderrLogger({ level: environment.logLevel });
  if (environment.sdkDisabled) {
    logger.debug('OTEL_SDK_DISABLED=true: the agent is not started');
    return undefined;
  }
  let settings: AgentSettings;
  let endpoint: { host: string; port: number };
  try {
    settings = agentSettingsFrom(loadConfig({ configPath: options.configPath, env }));
    // The agent always serves /metrics: without a prometheus exporter in the config, from OTEL_* or the defaults.
    endpoint = settings.prometheus ?? resolvePrometheusExporterOptions(undefined, env);
    if (endpoint.port === 0) throw new Error('the agent needs a fixed Prometheus port to be scraped on; got port 0');
  } catch (error) {
    // One line, whatever the number of issues: the host's log is not ours to flood.
    const issues = describeError(error).split('\n').filter((l) => l.trim() !== '').join('; ');
    logger.error(`config unusable, the application runs uninstrumented: ${issues}`);
    return undefined;
  }
  if (options.logger === undefined && settings.logLevel !== undefined) logger = createStderrLogger({ level: settings.logLevel });
  try {
    return startSdk(settings, endpoint, environment, options, logger);
  } catch (error) {
    logger.error('agent failed to start, the application runs uninstrumented', error);
    return undefined;
  }
}

function traceProcessors(environment: AgentEnvironment, ourProcessors: readonly SpanProcessor[], logger: Logger): SpanProcessor[] {
  for (const name of environment.unsupportedTraceExporters) {
    logger.warn(`OTEL_TRACES_EXPORTER=${name} is not supported by the slowatch agent (supported: otlp, console, none); ignored`);
  }
  const processors: SpanProcessor[] = [...ourProcessors];
  if (environment.otlpTraces) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  if (environment.consoleTraces) processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
  return processors;
}

function startSdk(
  settings: AgentSettings,
  endpoint: { host: string; port: number },
  environment: AgentEnvironment,
  options: AgentOptions,
  logger: Logger,
): Agent {
  if (environment.otelLogLevel !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(environment.otelLogLevel) });
  }
  const engine = new SloEngine(settings.slo.objectives, {
    clock: options.clock ?? systemClock,
    onAlert: (event) => logger.info(describeAlert(event)),
  });
  const sloProcessor = new SloSpanProcessor({ engine, logger, evaluationIntervalMs: settings.slo.evaluationIntervalMs });
  const recommend: AgentRecommend | undefined =
    settings.recommend === undefined
      ? undefined
      : createAgentRecommend({
          settings: settings.recommend,
          objectives: settings.slo.objectives,
          clock: options.clock ?? systemClock,
          logger,
          defaultService: environment.serviceName,
          onRecommendation: options.onRecommendation,
        });
  const onAnomaly =
    recommend === undefined
      ? options.onAnomaly
      : (event: AnomalyEvent): void => {
          options.onAnomaly?.(event);
          recommend.onAnomaly(event);
        };
  const baseline =
    settings.baseline === undefined
      ? undefined
      : createAgentBaseline({ baseline: settings.baseline, anomaly: settings.anomaly, clock: options.clock ?? systemClock, logger, onAnomaly });
  const ourProcessors: SpanProcessor[] = [sloProcessor];
  if (baseline !== undefined) ourProcessors.push(baseline.spanProcessor);
  if (recommend !== undefined) ourProcessors.push(recommend.spanProcessor);
  let regressionEngine: RegressionEngine | undefined;
  if (settings.regression !== undefined) {
    regressionEngine = createRegressionEngine(settings.regression, { clock: options.clock ?? systemClock, logger, onRegression: options.onRegression });
    ourProcessors.push(new RegressionSpanProcessor({ engine: regressionEngine, logger, evaluationIntervalMs: settings.regression.evaluationIntervalMs }));
  }
  // Restored now, before the SDK exists: the first span the SDK records must land in the restored engines.
  const storage: AgentStorage | undefined =
    settings.storage === undefined
      ? undefined
      : startAgentStorage({
          settings: settings.storage,
          ids: settings.ids,
          engines: { slo: engine, baseline: baseline?.engine, anomaly: baseline?.anomaly, regression: regressionEngine, recommend: recommend?.engine },
          clock: options.clock ?? systemClock,
          logger,
        });
  const { host, port } = endpoint;
  const prometheus = new PrometheusExporter({ withoutScopeInfo: true, preventServerStart: true });
  // The recommendations API and the report pages: on the web extension's endpoint when configured, else the API beside /metrics.
  const web = settings.web === undefined ? undefined : agentWebRoutes(recommend, storage, settings.storage !== undefined, options.clock ?? systemClock);
  const webServer =
    settings.web !== undefined && web !== undefined && web.routes.length > 0
      ? new WebServer({
          host: settings.web.host,
          port: settings.web.port,
          routes: web.routes,
          logger,
          holdsProcessOpen: false,
          ...(web.pages !== undefined && { htmlIndex: sloListPage(web.pages) }),
        })
      : undefined;
  const metricsServer = new MetricsServer(prometheus, {
    host,
    port,
    path: METRICS_PATH,
    holdsProcessOpen: false,
    ...(recommend !== undefined && webServer === undefined && { otherRoutes: recommend.api }),
  });
  metricsServer.start().catch((error: unknown) => logger.error('SLO metrics are not served', error));
  webServer?.start().catch((error: unknown) => logger.error(`the web pages and API are not served on ${settings.web?.host ?? ''}:${settings.web?.port ?? ''}`, error));
  const sdk = new NodeSDK({
    spanProcessors: traceProcessors(environment, ourProcessors, logger),
    metricReaders: environment.otlpMetrics
      ? [prometheus, new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: environment.metricExportIntervalMs, exportTimeoutMillis: Math.min(30_000, environment.metricExportIntervalMs) })]
      : [prometheus],
    // An empty list means no log export; leaving it out lets the SDK read OTEL_LOGS_EXPORTER.
    ...(environment.logsExporterConfigured ? {} : { logRecordProcessors: [] }),
    views: [{ instrumentName: 'slowatch_slo_*', aggregationCardinalityLimit: sloCardinalityLimit(settings.slo.objectives) }, ...(baseline?.views ?? [])],
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-http': {
          // Our own /metrics endpoint is not part of the application's SLO.
          // Nor are the recommendations API and the report pages: on the metrics port, or on the web extension's own port.
          ignoreIncomingRequestHook: (request: IncomingMessage) =>
            (request.socket.localPort === port && (request.url ?? '').startsWith(METRICS_PATH)) ||
            (webServer !== undefined && request.socket.localPort === webServer.port) ||
            (recommend !== undefined && webServer === undefined && request.socket.localPort === port && (request.url ?? '').startsWith(API_PATH)),
        },
      }),
      new RuntimeNodeInstrumentation(),
    ],
  });
  try {
    sdk.start();
    registerSloMetrics(metrics.getMeter('slowatch'), engine);
    baseline?.registerMetrics(metrics.getMeter('slowatch'));
    if (regressionEngine !== undefined) registerRegressionMetrics(metrics.getMeter('slowatch'), regressionEngine, 'regression');
    recommend?.registerMetrics(metrics.getMeter('slowatch'));
  } catch (error) {
    // Leave nothing half-started behind: the log line says "uninstrumented", so make it true.
    void sdk.shutdown().catch(() => undefined);
    void metricsServer.stop();
    void webServer?.shutdown();
    void recommend?.stop();
    for (const processor of ourProcessors) void processor.shutdown();
    // Its last write holds the state it restored: no span was recorded yet.
    storage?.close();
    throw error;
  }

  const bounded = (work: Promise<void>, what: string): Promise<void> =>
    Promise.race([
      work.catch((error: unknown) => logger.error(`agent ${what} failed`, error)),
      new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
  let stopping: Promise<void> | undefined;
  const agent: Agent = {
    engine,
    ...(baseline !== undefined && { baseline: baseline.engine }),
    ...(baseline?.anomaly !== undefined && { anomaly: baseline.anomaly }),
    ...(regressionEngine !== undefined && { regression: regressionEngine }),
    ...(recommend !== undefined && { recommend: recommend.engine, apiEndpoint: settings.web ?? { host, port } }),
    get store() {
      return storage?.store;
    },
    ...(webServer !== undefined && settings.web !== undefined && web?.pages !== undefined && { reportEndpoint: settings.web }),
    metricsEndpoint: { host, port },
    flush: () => {
      storage?.flush();
      return bounded(forceFlushSpans(), 'flush');
    },
    shutdown: () =>
      (stopping ??= bounded(
        // Recommendations first: their last evaluation's log records go out through the SDK's logger provider.
        // The store's last write once the span processors have stopped, so it holds everything they recorded;
        // at the latest when the bound expires (the outer finally): the snapshot matters more than the exporters.
        (recommend?.stop() ?? Promise.resolve())
          .then(() => Promise.all([sdk.shutdown().finally(() => storage?.close()), metricsServer.stop(), webServer?.shutdown()]))
          .then(() => undefined),
        'shutdown',
      ).finally(() => storage?.close())),
  };
  if (options.handleSignals !== false) installShutdownHooks(agent, storage);
  return agent;
}

/**
 * Flushes the span processors of the tracer provider the SDK registered
 * globally (the API hands out a proxy; its delegate is the SDK's provider).
 * Metrics need no flush: Prometheus pulls them.
 */
function forceFlushSpans(): Promise<void> {
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const provider = (typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : proxy) as { forceFlush?: () => Promise<void> };
  return typeof provider.forceFlush === 'function' ? provider.forceFlush() : Promise.resolve();
}

/**
 * SIGTERM/SIGINT: when the application has a handler of its own, exiting is
 * its call and it may keep serving while it drains, so the agent only
 * flushes and keeps counting. When it has none, the agent shuts down and
 * re-raises the signal, so Node's default (exit) still happens.
 * beforeExit (the event loop ran dry): shut down.
 * exit (with a store): the store's last write, whatever came before.
 */
function installShutdownHooks(agent: Agent, storage: AgentStorage | undefined): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    const appHandles = process.listenerCount(signal) > 1;
    if (appHandles) {
      void agent.flush();
      return;
    }
    void agent.shutdown().finally(() => {
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.once('beforeExit', () => void agent.shutdown());
  // The store's last write must not depend on the asynchronous shutdown finishing: an application that calls
  // process.exit() (or whose loop runs dry mid-shutdown) still gets it, synchronously, as better-sqlite3 is.
  if (storage !== undefined) process.once('exit', () => storage.close());
}
