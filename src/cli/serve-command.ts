import type { Clock } from '../clock';
import { systemClock } from '../clock';
import type { Logger } from '../logging/logger';
import { loadConfig } from '../config/load-config';
import { Service } from '../service/service';
import { builtInRuntimes } from '../service/builtin-runtimes';

export interface ServeOptions {
  readonly configPath?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
}

export interface RunningGateway {
  readonly service: Service;
  /** Where the configuration came from (a path or '<built-in defaults>'). */
  readonly source: string;
  /** One line for the log: what runs and where. */
  readonly summary: string;
  stop(): Promise<void>;
}

/**
 * Builds and starts the gateway's pipelines from the configuration. Rejects
 * with a one-line reason when the configuration is unusable or a component
 * cannot start (a port in use, a TLS file missing).
 */
export async function startGateway(options: ServeOptions): Promise<RunningGateway> {
  const loaded = loadConfig({ configPath: options.configPath, env: options.env });
  const service = new Service(loaded.config, {
    logger: options.logger,
    clock: options.clock ?? systemClock,
    runtimes: builtInRuntimes,
  });
  await service.start();
  const objectives = [...service.sloEngines.values()].flatMap((e) => e.objectiveSpecs.map((o) => o.name));
  const pipelines = loaded.config.service.pipelines
    .map((p) => `${p.id} [${[...p.receivers, ...p.processors, ...p.exporters].join(' → ')}]`)
    .join(', ');
  const metrics = service.metricsUrls.length > 0 ? `serving SLO metrics at ${service.metricsUrls.join(', ')}` : 'no prometheus exporter';
  return {
    service,
    source: loaded.source,
    summary: `${metrics} (config: ${loaded.source}; objectives: ${objectives.join(', ') || 'none'}; pipelines: ${pipelines})`,
    stop: () => service.shutdown(),
  };
}
