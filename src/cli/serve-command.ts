import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { SloEngine } from '../engine/slo-engine';
import type { SloAlertEvent } from '../engine/slo-alert-event';
import type { Logger } from '../logging/logger';
import { loadConfig } from '../config/load-config';
import { agentSettingsFrom } from '../config/agent-settings';
import { resolvePrometheusExporterOptions } from '../../exporters/prometheus/config';
import { registerSloMetrics, sloCardinalityLimit } from '../../exporters/prometheus/slo-metrics';
import { EvaluationLoop } from '../../processors/slo/evaluation-loop';
import { MetricsServer } from '../../exporters/prometheus/metrics-server';
import { describeAlert } from '../engine/describe-alert';

export interface ServeOptions {
  readonly configPath?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
}

export interface RunningGateway {
  readonly engine: SloEngine;
  readonly metricsUrl: string;
  /** Where the configuration came from (a path or '<built-in defaults>'). */
  readonly source: string;
  stop(): Promise<void>;
}

/**
 * Starts the gateway's pipelines from the configuration: the SLO engine of
 * the traces pipeline and the Prometheus endpoint of the metrics pipeline.
 * Rejects with a one-line reason when the configuration is unusable or a
 * port cannot be bound.
 */
export async function startGateway(options: ServeOptions): Promise<RunningGateway> {
  const loaded = loadConfig({ configPath: options.configPath, env: options.env });
  const settings = agentSettingsFrom(loaded);
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const engine = new SloEngine(settings.slo.objectives, {
    clock,
    onAlert: (event: SloAlertEvent) => logger.info(describeAlert(event)),
  });
  const loop = new EvaluationLoop(engine, settings.slo.evaluationIntervalMs, logger);
  const { host, port } = settings.prometheus ?? resolvePrometheusExporterOptions(undefined, options.env);
  const exporter = new PrometheusExporter({ withoutScopeInfo: true, preventServerStart: true });
  const metricsServer = new MetricsServer(exporter, { host, port, holdsProcessOpen: true });
  try {
    await metricsServer.start();
  } catch (error) {
    loop.stop();
    throw error;
  }
  const provider = new MeterProvider({
    readers: [exporter],
    views: [{ instrumentName: 'slowatch_slo_*', aggregationCardinalityLimit: sloCardinalityLimit(settings.slo.objectives) }],
  });
  registerSloMetrics(provider.getMeter('slowatch'), engine);
  return {
    engine,
    metricsUrl: metricsServer.url,
    source: loaded.source,
    async stop() {
      loop.stop();
      await metricsServer.stop();
      await provider.shutdown();
    },
  };
}
