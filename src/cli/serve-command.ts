import type { Clock } from '../clock';
import { systemClock } from '../clock';
import type { Logger } from '../logging/logger';
import { describeError } from '../logging/logger';
import { loadConfig } from '../config/load-config';
import type { SlowatchConfig } from '../config/slowatch-config';
import { Service, checkGatewayConfig } from '../service/service';
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
  /** The configuration it runs. */
  readonly config: SlowatchConfig;
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
  return startGatewayFrom(loaded.config, loaded.source, options);
}

/** startGateway on a configuration already loaded. */
async function startGatewayFrom(config: SlowatchConfig, source: string, options: ServeOptions): Promise<RunningGateway> {
  const service = new Service(config, {
    logger: options.logger,
    clock: options.clock ?? systemClock,
    runtimes: builtInRuntimes,
  });
  await service.start();
  const objectives = [...service.sloEngines.values()].flatMap((e) => e.objectiveSpecs.map((o) => o.name));
  const pipelines = config.service.pipelines
    .map((p) => `${p.id} [${[...p.receivers, ...p.processors, ...p.exporters].join(' → ')}]`)
    .join(', ');
  const metrics = service.metricsUrls.length > 0 ? `serving SLO metrics at ${service.metricsUrls.join(', ')}` : 'no prometheus exporter';
  return {
    service,
    config,
    source,
    summary: `${metrics} (config: ${source}; objectives: ${objectives.join(', ') || 'none'}; pipelines: ${pipelines})`,
    stop: () => service.shutdown(),
  };
}

/**
 * A start failure as one line: the config issues (one per line in the
 * error's message) joined with "; ". `slowatch serve` prints it at start and
 * on a refused reload, so both read the same.
 */
export function oneLineReason(error: unknown): string {
  return describeError(error)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('; ');
}

/** What one reload did, as the log line says it. */
export interface ReloadOutcome {
  /** 'applied': a new Service runs the new config; 'rejected': the old one runs on untouched; 'restored': the new config failed to start and the old config runs again in a new Service; 'failed': nothing runs. */
  readonly result: 'applied' | 'rejected' | 'restored' | 'failed';
  readonly line: string;
}

/**
 * The gateway behind `slowatch serve`, reloadable (SIGHUP). A reload reads
 * the same config file again:
 * - invalid (a config issue, or a gateway rule such as duplicate objective
 *   names): the issues are logged and the running Service is not touched;
 * - valid: the running Service shuts down gracefully (receivers stop,
 *   exporters drain within their bound, the storage extension writes its
 *   final snapshot and releases the store), then a new Service starts from
 *   the new config and restores its state from the store. Ports are released
 *   and bound again in between, so clients see refused connections for that
 *   moment and retry, as the OTLP exporters do.
 * - valid, but the new Service cannot start (a port taken, a TLS file
 *   missing): the old config is started again, so the gateway keeps running.
 *
 * A Service cannot run two configurations at once and the shutdown/start
 * pair is not atomic, so reloads are serialized: a reload asked for while
 * one runs is done once after it (several such requests collapse into one).
 */
export class ReloadableGateway {
  private running: RunningGateway;
  private busy: Promise<unknown> = Promise.resolve();
  private pendingReload: Promise<ReloadOutcome> | undefined;
  private stopped = false;
  /** Set synchronously by stop(), so that queued reloads give way at once. */
  private stopRequested = false;

  private constructor(
    private readonly options: ServeOptions,
    first: RunningGateway,
  ) {
    this.running = first;
  }

  /** Starts the first Service; rejects as startGateway does. */
  static async start(options: ServeOptions): Promise<ReloadableGateway> {
    return new ReloadableGateway(options, await startGateway(options));
  }

  /** The gateway running now (a new one after each applied reload). */
  get current(): RunningGateway {
    return this.running;
  }

  /** Re-reads the config file and applies it (see the class comment). Never rejects. */
  reload(): Promise<ReloadOutcome> {
    // A reload already waiting will read the file after this request was made: it serves this one too.
    if (this.pendingReload !== undefined) return this.pendingReload;
    const outcome = this.busy.then(() => {
      this.pendingReload = undefined;
      return this.reloadNow();
    });
    this.pendingReload = outcome;
    this.busy = outcome;
    return outcome;
  }

  /** Stops the running Service (after a reload in progress). Later reloads do nothing. */
  stop(): Promise<void> {
    // Set now, not when the reload in progress settles: a reload queued behind it must not run first
    // (a full stop, start and re-bind before the stop could outlast the orchestrator's grace period).
    this.stopRequested = true;
    const stopping = this.busy.then(() => {
      if (this.stopped) return;
      this.stopped = true;
      return this.running.stop();
    });
    this.busy = stopping;
    return stopping;
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    const { logger } = this.options;
    if (this.stopped || this.stopRequested) return { result: 'rejected', line: 'reload skipped: the gateway is stopping' };
    let config: SlowatchConfig;
    let source: string;
    try {
      const loaded = loadConfig({ configPath: this.options.configPath, env: this.options.env });
      // The gateway's own rules, checked before anything stops (new Service() would check them after).
      checkGatewayConfig(loaded.config);
      config = loaded.config;
      source = loaded.source;
    } catch (error) {
      const line = `reload: keeping the running configuration, the new one is invalid: ${oneLineReason(error)}`;
      logger.error(line);
      return { result: 'rejected', line };
    }
    await this.running.stop();
    try {
      this.running = await startGatewayFrom(config, source, this.options);
      const line = `reload: applied ${source}; ${this.running.summary}`;
      logger.info(line);
      return { result: 'applied', line };
    } catch (error) {
      logger.error(`reload: the new configuration cannot start (${oneLineReason(error)}); starting the previous one again`);
    }
    try {
      this.running = await startGatewayFrom(this.running.config, this.running.source, this.options);
      const line = `reload: running the previous configuration again; ${this.running.summary}`;
      logger.warn(line);
      return { result: 'restored', line };
    } catch (error) {
      const line = `reload: the previous configuration cannot start again either: ${oneLineReason(error)}`;
      logger.error(line);
      return { result: 'failed', line };
    }
  }
}
