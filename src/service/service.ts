import type { Meter } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { Clock } from '../clock';
import { ConfigError } from '../config/config-error';
import type { SlowatchConfig, PipelineSettings } from '../config/slowatch-config';
import type { ComponentKind } from '../config/component-kind';
import type { Logger } from '../logging/logger';
import type { Signal } from '../otlp/signal';
import type { Component, ComponentContext } from '../pipeline/component';
import type { Consumer } from '../pipeline/consumer';
import { MetricsServer } from '../../exporters/prometheus/metrics-server';
import type { PrometheusExporterOptions } from '../../exporters/prometheus/config';
import { sloCardinalityLimit } from '../../exporters/prometheus/slo-metrics';
import type { SloProcessorSettings } from '../../processors/slo/config';
import { baselineMetricViews } from '../../exporters/prometheus/baseline-metrics';
import { baselineProcessorFactory } from '../../processors/baseline/config';
import type { BaselineSharedState } from '../../processors/baseline/runtime';
import type { AnomalySharedState } from '../../processors/anomaly/runtime';
import { anomalyLinkIssues } from '../../processors/anomaly/anomaly-links';
import { recommendLinkIssues } from '../../processors/recommend/recommend-links';
import type { RecommendSharedState } from '../../processors/recommend/recommend-hub';
import type { RecommendEngine } from '../recommend/recommend-engine';
import { isRecommendationSourceHost } from '../../extensions/web/recommendation-source-host';
import { isReportStoreHost } from '../../extensions/web/report-store-host';
import { isEngineStateHost } from '../../extensions/storage/engine-state-host';
import { queueStorageLinkIssues } from '../../exporters/otlp/queue-storage-links';
import { isQueueStorageClient, isQueueStorageHost } from '../storage/persistent-queue';
import { settingsOf } from '../config/component-factory';
import { processorsInSeveralPipelines } from '../config/one-pipeline-processors';
import type { BaselineEngine } from '../engine/baseline-engine';
import type { AnomalyEngine } from '../engine/anomaly-engine';
import type { RegressionEngine } from '../regression/regression-engine';
import type { RegressionSharedState } from '../../processors/regression/runtime';
import { isAlertEventSink } from '../alerts/alert-event-sink';
import { connectAlertSinks } from '../alerts/connect-alert-sinks';
import { FailureCounter } from '../logging/logger';
import { combineConsumers, discardConsumer } from './fanout-consumer';
import type { ComponentRuntime, SharedProcessorState, ReceiverRuntime, ProcessorRuntime, ExporterRuntime, ExtensionRuntime, FindProcessorPeer } from './runtime-factories';
import { isReadinessListener } from './runtime-factories';

export interface ServiceOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  /** The running half of every component type the config may name. */
  readonly runtimes: readonly ComponentRuntime[];
}

/** The exporter type that serves slowatch's own metrics (SLOs, receivers, exporters) for Prometheus to pull. */
const PROMETHEUS = 'prometheus';
/** The whole shutdown's bound: exporters drain within their own, shorter bound inside it. */
const DEFAULT_SHUTDOWN_DEADLINE_MS = 30_000;
const SLO = 'slo';

interface Started {
  readonly id: string;
  readonly component: Component;
}

/**
 * The gateway's pipelines, built from the configuration as the Collector
 * builds its service: one instance per receiver and exporter id, one
 * processor instance per pipeline, receivers fanning out to every pipeline
 * of their signal, pipelines fanning out to their exporters.
 *
 * Start order is extensions, metric endpoints, exporters, processors,
 * receivers; shutdown (see shutdown()) goes the other way, so every stage drains into a stage
 * that is still running.
 */
export class Service {
  private readonly extensions: Started[] = [];
  private readonly exporters: Started[] = [];
  private readonly processors: Started[] = [];
  private readonly receivers: Started[] = [];
  private readonly metricsServers: { id: string; server: MetricsServer }[] = [];
  private readonly meterProvider: MeterProvider;
  private readonly meter: Meter;
  private readonly sharedState = new Map<string, SharedProcessorState>();
  private started: Started[] = [];
  private readonly metricEndpoints: Started[] = [];
  private running = false;

  constructor(
    private readonly config: SlowatchConfig,
    private readonly options: ServiceOptions,
  ) {
    const pipelines = config.service.pipelines;
    const readers: PrometheusExporter[] = [];
    for (const id of usedIds(pipelines, 'exporters')) {
      const component = config.exporters[id];
      if (component?.type !== PROMETHEUS) continue;
      const reader = new PrometheusExporter({ withoutScopeInfo: true, preventServerStart: true });
      readers.push(reader);
      const { host, port } = component.settings as PrometheusExporterOptions;
      this.metricsServers.push({ id, server: new MetricsServer(reader, { host, port, holdsProcessOpen: true }) });
    }
    checkGatewayConfig(config);
    const sloObjectives = usedIds(pipelines, 'processors')
      .filter((id) => config.processors[id]?.type === SLO)
      .flatMap((id) => (config.processors[id]?.settings as SloProcessorSettings).objectives);
    const views: ViewOptions[] = [{ instrumentName: 'slowatch_slo_*', aggregationCardinalityLimit: sloCardinalityLimit(sloObjectives) }];
    views.push(...baselineMetricViews(usedIds(pipelines, 'processors').flatMap((id) => settingsOf(config.processors[id], baselineProcessorFactory)?.maxKeys ?? [])));
    this.meterProvider = new MeterProvider({ readers, views });
    this.meter = this.meterProvider.getMeter('slowatch');
    for (const { id, server } of this.metricsServers) {
      this.metricEndpoints.push({ id, component: { start: () => server.start(), shutdown: () => server.stop() } });
    }
    this.build();
  }

  /** Where each prometheus exporter serves /metrics (after start: with the bound port). */
  get metricsUrls(): readonly string[] {
    return this.metricsServers.map((m) => m.server.url);
  }

  /** The SLO engines, one per slo processor id. */
  get sloEngines(): ReadonlyMap<string, NonNullable<SharedProcessorState['sloEngine']>> {
    const engines = new Map<string, NonNullable<SharedProcessorState['sloEngine']>>();
    for (const [id, state] of this.sharedState) if (state.sloEngine !== undefined) engines.set(id, state.sloEngine);
    return engines;
  }

  /** The baseline engines, one per baseline processor id. */
  get baselineEngines(): ReadonlyMap<string, BaselineEngine> {
    const engines = new Map<string, BaselineEngine>();
    for (const [id, state] of this.sharedState) {
      const engine = (state as BaselineSharedState).baselineEngine;
      if (engine !== undefined) engines.set(id, engine);
    }
    return engines;
  }

  /** The anomaly engines, one per anomaly processor id. */
  get anomalyEngines(): ReadonlyMap<string, AnomalyEngine> {
    const engines = new Map<string, AnomalyEngine>();
    for (const [id, state] of this.sharedState) {
      const engine = (state as AnomalySharedState).anomalyEngine;
      if (engine !== undefined) engines.set(id, engine);
    }
    return engines;
  }

  /** The regression engines, one per regression processor id. */
  get regressionEngines(): ReadonlyMap<string, RegressionEngine> {
    const engines = new Map<string, RegressionEngine>();
    for (const [id, state] of this.sharedState) {
      const engine = (state as RegressionSharedState).regressionEngine;
      if (engine !== undefined) engines.set(id, engine);
    }
    return engines;
  }

  /** The recommend engines, one per recommend processor id. */
  get recommendEngines(): ReadonlyMap<string, RecommendEngine> {
    const engines = new Map<string, RecommendEngine>();
    for (const [id, state] of this.sharedState) {
      const hub = (state as RecommendSharedState).recommendHub;
      if (hub !== undefined) engines.set(id, hub.engine);
    }
    return engines;
  }

  private context(id: string): ComponentContext {
    return { id, logger: this.options.logger, meter: this.meter, clock: this.options.clock };
  }

  /** The state processors of one id share, created on first use. */
  private sharedStateOf(id: string): SharedProcessorState {
    let shared = this.sharedState.get(id);
    if (shared === undefined) {
      shared = {};
      this.sharedState.set(id, shared);
    }
    return shared;
  }

  /** For processors that build on another one (anomaly → baseline). */
  private readonly findPeer: FindProcessorPeer = (id) => {
    const component = this.config.processors[id];
    if (component === undefined) return undefined;
    return { type: component.type, settings: component.settings, shared: this.sharedStateOf(id), context: this.context(id) };
  };

  private runtime<K extends ComponentKind>(kind: K, type: string): Extract<ComponentRuntime, { kind: K }> {
    const found = this.options.runtimes.find((r) => r.kind === kind && r.type === type);
    if (found === undefined) throw new Error(`${kind} type "${type}" has no runtime in this build`);
    return found as Extract<ComponentRuntime, { kind: K }>;
  }

  private build(): void {
    const { config } = this;
    const pipelines = config.service.pipelines;

    for (const id of config.service.extensions) {
      const component = config.extensions[id]!;
      const runtime: ExtensionRuntime = this.runtime('extension', component.type);
      this.extensions.push({ id, component: runtime.create(component.settings, this.context(id)) });
    }

    const exporterConsumers = new Map<string, Consumer>();
    for (const id of usedIds(pipelines, 'exporters')) {
      const component = config.exporters[id]!;
      if (component.type === PROMETHEUS) {
        exporterConsumers.set(id, discardConsumer);
        continue;
      }
      const signals = [...new Set(pipelines.filter((p) => p.exporters.includes(id)).map((p) => p.signal))];
      const runtime: ExporterRuntime = this.runtime('exporter', component.type);
      const exporter = runtime.create(component.settings, signals, this.context(id));
      exporterConsumers.set(id, exporter);
      this.exporters.push({ id, component: exporter });
    }

    const pipelineEntries = new Map<string, Consumer>();
    for (const pipeline of pipelines) {
      let next = combineConsumers(pipeline.exporters.map((id) => exporterConsumers.get(id)!));
      const pipelineProcessors: Started[] = [];
      for (const id of [...pipeline.processors].reverse()) {
        const component = config.processors[id]!;
        const runtime: ProcessorRuntime = this.runtime('processor', component.type);
        const processor = runtime.create(component.settings, pipeline.signal, next, this.context(id), this.sharedStateOf(id), this.findPeer);
        pipelineProcessors.unshift({ id: `${id} (${pipeline.id})`, component: processor });
        next = processor;
      }
      // In pipeline order: shutdown stops the first processor first, so what it
      // flushes drains into processors that are still running.
      this.processors.push(...pipelineProcessors);
      pipelineEntries.set(pipeline.id, next);
    }

    for (const id of usedIds(pipelines, 'receivers')) {
      const component = config.receivers[id]!;
      const consumers: Partial<Record<Signal, Consumer>> = {};
      for (const signal of ['traces', 'metrics', 'logs'] as const) {
        const entries = pipelines.filter((p) => p.signal === signal && p.receivers.includes(id)).map((p) => pipelineEntries.get(p.id)!);
        if (entries.length > 0) consumers[signal] = combineConsumers(entries);
      }
      const runtime: ReceiverRuntime = this.runtime('receiver', component.type);
      this.receivers.push({ id, component: runtime.create(component.settings, consumers, this.context(id)) });
    }

    // Extensions that serve recommendations (web) read every recommend processor's engine.
    for (const { component } of this.extensions) {
      if (!isRecommendationSourceHost(component)) continue;
      for (const [id, engine] of this.recommendEngines) component.addRecommendationSource(id, engine);
    }

    // The storage extension keeps every engine's state (restored at its start, before any receiver runs) and output;
    // the web extension reads reports from its store, which exists once it has started.
    const stateHosts = this.extensions.map((e) => e.component).filter(isEngineStateHost);
    for (const host of stateHosts) {
      host.attachEngines({
        slo: this.sloEngines,
        baseline: this.baselineEngines,
        anomaly: this.anomalyEngines,
        regression: this.regressionEngines,
        recommend: this.recommendEngines,
      });
    }
    const [storage] = stateHosts;
    if (storage !== undefined) {
      for (const { component } of this.extensions) if (isReportStoreHost(component)) component.addReportStore(() => storage.store);
    }

    // Exporters with a persistent sending queue get the storage extension it lives in; they open the
    // queue at their start, after the extensions started (checkGatewayConfig checked the ids).
    for (const { id, component } of this.exporters) {
      if (!isQueueStorageClient(component) || component.queueStorageId === undefined) continue;
      const host = this.extensions.find((e) => e.id === component.queueStorageId)?.component;
      if (!isQueueStorageHost(host)) throw new Error(`exporter ${id}: sending_queue.storage "${component.queueStorageId}" is not a storage extension of service.extensions`);
      component.attachQueueStorage(host);
    }

    // Alert exporters (alertmanager, webhook) get every slo, anomaly and regression engine's events.
    const alertFailures = new FailureCounter(this.options.logger, 'delivering an alert to the alert exporters');
    connectAlertSinks(
      { slo: this.sloEngines.values(), anomaly: this.anomalyEngines.values(), regression: this.regressionEngines.values() },
      this.exporters.map((e) => e.component).filter(isAlertEventSink),
      (error) => alertFailures.record(error),
    );
  }

  /**
   * Starts everything in dependency order. On the first failure, stops what
   * was started and rejects with one line naming the component.
   */
  async start(): Promise<void> {
    const order: Started[] = [
      ...this.extensions,
      ...this.metricEndpoints,
      ...this.exporters,
      ...this.processors,
      ...this.receivers,
    ];
    for (const entry of order) {
      try {
        await entry.component.start();
      } catch (error) {
        await this.stopStarted();
        throw new Error(`${entry.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.started.push(entry);
    }
    this.running = true;
    this.setReady(true);
  }

  /**
   * Stops everything within `deadlineMs`, in phases: readiness off, receivers
   * (they stop taking data and finish what is in flight), processors in
   * pipeline order (each one's shutdown is begun after the one before it, so
   * what it flushes lands in a stage that is still running; a batcher waiting
   * for the next stage to accept is not waited for before the next begins,
   * which would deadlock two batchers in a row), exporters in
   * parallel (each drains its queue within its own bound), then the metrics
   * endpoints and extensions. A phase still running at the deadline is left
   * behind and the next one starts. Never rejects.
   */
  async shutdown(deadlineMs = DEFAULT_SHUTDOWN_DEADLINE_MS): Promise<void> {
    this.setReady(false);
    this.running = false;
    const deadline = Date.now() + deadlineMs;
    const started = new Set(this.started);
    this.started = [];
    const phase = async (entries: readonly Started[], sequential: boolean): Promise<void> => {
      const mine = entries.filter((e) => started.has(e));
      const stop = (entry: Started): Promise<void> =>
        entry.component.shutdown().catch((error: unknown) => this.options.logger.error(`${entry.id}: shutdown failed`, error));
      // `map` begins each shutdown in order; only the sequential phases wait for one before the next.
      const work = sequential
        ? mine.reduce<Promise<void>>((chain, entry) => chain.then(() => stop(entry)), Promise.resolve())
        : Promise.all(mine.map(stop)).then(() => undefined);
      const remaining = Math.max(0, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), remaining);
        timer.unref();
      });
      const result = await Promise.race([work.then(() => 'done' as const), timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') this.options.logger.warn(`shutdown deadline reached while stopping ${mine.map((e) => e.id).join(', ')}`);
    };
    const others = [...started].filter((e) => !this.receivers.includes(e) && !this.processors.includes(e) && !this.exporters.includes(e));
    await phase([...this.receivers].reverse(), false);
    await phase(this.processors, false);
    await phase(this.exporters, false);
    // Extensions and metric endpoints in parallel: none waits for another, and the storage extension's last write (synchronous)
    // must happen even when an earlier phase used up the deadline (a reload opens the store again right after).
    await phase(others.reverse(), false);
    await this.meterProvider.shutdown().catch(() => undefined);
  }

  get isRunning(): boolean {
    return this.running;
  }

  private setReady(ready: boolean): void {
    for (const { component } of this.extensions) if (isReadinessListener(component)) component.setReady(ready);
  }

  /** Stops, in reverse order, what start() had started before it failed. */
  private async stopStarted(): Promise<void> {
    const started = this.started;
    this.started = [];
    for (const entry of [...started].reverse()) {
      try {
        await entry.component.shutdown();
      } catch (error) {
        this.options.logger.error(`${entry.id}: shutdown failed`, error);
      }
    }
  }
}

/** Component ids of one list across pipelines, each once, in order of first use. */
function usedIds(pipelines: readonly PipelineSettings[], list: 'receivers' | 'processors' | 'exporters'): string[] {
  return [...new Set(pipelines.flatMap((p) => p[list]))];
}

/**
 * The rules of a runnable gateway configuration beyond what the config layer
 * checks per component (`slowatch validate` runs them too). Throws ConfigError.
 */
export function checkGatewayConfig(config: SlowatchConfig): void {
  const issues = [
    ...receivedMetricsIntoPrometheus(config),
    ...processorsInSeveralPipelines(config),
    ...duplicateObjectiveNames(config),
    ...anomalyLinkIssues(config),
    ...recommendLinkIssues(config),
    ...queueStorageLinkIssues(config),
  ];
  if (issues.length > 0) throw new ConfigError(issues);
}

type GatewayIssue = { path: string; message: string; file: string };

/**
 * The prometheus exporter serves slowatch's own metrics; it does not turn
 * received OTLP metrics into Prometheus series. A metrics pipeline that
 * feeds it from a receiver would silently drop data, so it is refused.
 */
function receivedMetricsIntoPrometheus(config: SlowatchConfig): GatewayIssue[] {
  return config.service.pipelines
    .filter((p) => p.receivers.length > 0 && p.exporters.some((id) => config.exporters[id]?.type === PROMETHEUS))
    .map((p) => ({
      path: `service.pipelines.${p.id}.exporters`,
      message: `the prometheus exporter serves slowatch's own metrics and cannot export received OTLP metrics; use an otlp exporter in a pipeline with receivers [${p.receivers.join(', ')}]`,
      file: '<config>',
    }));
}

/**
 * Objective names become the `slo` label: two slo processors defining the
 * same name would publish the same series, so names are unique across them.
 */
function duplicateObjectiveNames(config: SlowatchConfig): GatewayIssue[] {
  const issues: GatewayIssue[] = [];
  const objectiveOwner = new Map<string, string>();
  for (const id of usedIds(config.service.pipelines, 'processors')) {
    if (config.processors[id]?.type !== SLO) continue;
    for (const objective of (config.processors[id]?.settings as SloProcessorSettings).objectives) {
      const owner = objectiveOwner.get(objective.name);
      if (owner !== undefined) {
        issues.push({
          path: `processors.${id}.objectives`,
          message: `objective "${objective.name}" is also defined by processor "${owner}": objective names become the slo label and must be unique`,
          file: '<config>',
        });
      } else {
        objectiveOwner.set(objective.name, id);
      }
    }
  }
  return issues;
}
