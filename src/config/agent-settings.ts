import { prometheusExporterFactory } from '../../exporters/prometheus/config';
import type { PrometheusExporterOptions } from '../../exporters/prometheus/config';
import { sloProcessorFactory } from '../../processors/slo/config';
import type { SloProcessorSettings } from '../../processors/slo/config';
import { baselineProcessorFactory } from '../../processors/baseline/config';
import type { BaselineProcessorSettings } from '../../processors/baseline/config';
import { anomalyProcessorFactory } from '../../processors/anomaly/config';
import type { AnomalyProcessorSettings } from '../../processors/anomaly/config';
import { anomalyLinkIssues } from '../../processors/anomaly/anomaly-links';
import { regressionProcessorFactory } from '../../processors/regression/config';
import type { RegressionProcessorSettings } from '../../processors/regression/config';
import { recommendProcessorFactory } from '../../processors/recommend/config';
import type { RecommendProcessorSettings } from '../../processors/recommend/config';
import { recommendLinkIssues } from '../../processors/recommend/recommend-links';
import { webExtensionFactory } from '../../extensions/web/config';
import type { WebExtensionSettings } from '../../extensions/web/config';
import { storageExtensionFactory } from '../../extensions/storage/config';
import type { StorageExtensionSettings } from '../../extensions/storage/config';
import type { LogLevel } from '../logging/logger';
import { settingsOf } from './component-factory';
import { ConfigError } from './config-error';
import { BUILT_IN_DEFAULTS_SOURCE } from './built-in-config';
import type { LoadedConfig } from './load-config';
import type { SlowatchConfig } from './slowatch-config';

/** What the in-process agent needs from the configuration. */
export interface AgentSettings {
  /** The settings of the `slo` processor (any `slo/name`) in the traces pipelines. */
  readonly slo: SloProcessorSettings;
  /** Where to serve /metrics: the `prometheus` exporter of the metrics pipelines; undefined when there is none. */
  readonly prometheus?: PrometheusExporterOptions;
  /** `service.telemetry.logs.level`, when the file sets it. */
  readonly logLevel?: LogLevel;
  /** The `baseline` processor of the traces pipelines; undefined when there is none (the agent then keeps no baselines). */
  readonly baseline?: BaselineProcessorSettings;
  /** The `anomaly` processor reading that baseline; undefined when there is none. */
  readonly anomaly?: AnomalyProcessorSettings;
  /** The `regression` processor of the traces pipelines; undefined when there is none. */
  readonly regression?: RegressionProcessorSettings;
  /** The `recommend` processor of the traces pipelines; undefined when there is none. */
  readonly recommend?: RecommendProcessorSettings;
  /**
   * The `web` extension of service.extensions: where the agent serves the
   * JSON API; undefined when there is none (the API is then served beside
   * /metrics, on the metrics port).
   */
  readonly web?: WebExtensionSettings;
  /**
   * The `storage` extension of service.extensions: the agent restores its
   * engines from this store before the SDK starts and writes their state
   * there; undefined when there is none (the agent keeps nothing on disk).
   */
  readonly storage?: StorageExtensionSettings;
  /**
   * The component ids as the file names them: the storage extension keys
   * each engine's snapshot by its processor id (`slo/<id>`, `baseline/<id>`…),
   * as the gateway does, and names itself by its own id in log lines.
   */
  readonly ids: AgentComponentIds;
}

/** The ids of the components the agent runs; one per type at most. */
export interface AgentComponentIds {
  readonly slo: string;
  readonly baseline?: string;
  readonly anomaly?: string;
  readonly regression?: string;
  readonly recommend?: string;
  readonly web?: string;
  readonly storage?: string;
}

/**
 * Picks the agent's settings out of a loaded configuration. The agent runs
 * one SLO engine and one /metrics endpoint, so it accepts exactly one slo
 * processor across the traces pipelines and at most one prometheus exporter;
 * anything else is a ConfigError (the gateway will not have that limit).
 *
 * On the built-in defaults (no file) the agent runs the slo processor and the
 * Prometheus endpoint only: the defaults are the gateway's, and an
 * application should not get trace buffers, profiles, a web server or a
 * database file in its process without asking. Everything else, the
 * `storage` and `web` extensions included, is opt-in through a file.
 */
export function agentSettingsFrom(loaded: LoadedConfig): AgentSettings {
  const { config, source } = loaded;
  const sloIds = componentIdsInPipelines(config, 'traces', 'processors', sloProcessorFactory.type);
  const prometheusIds = componentIdsInPipelines(config, 'metrics', 'exporters', prometheusExporterFactory.type);

  const problems: string[] = [];
  if (sloIds.length !== 1) {
    problems.push(
      sloIds.length === 0
        ? 'the agent needs the slo processor in a traces pipeline, e.g. traces: { processors: [slo] }; found none'
        : `the agent runs one slo processor, found ${sloIds.length} in the traces pipelines: ${sloIds.join(', ')}`,
    );
  }
  if (prometheusIds.length > 1) {
    problems.push(`the agent serves one Prometheus endpoint, found ${prometheusIds.length} prometheus exporters in the metrics pipelines: ${prometheusIds.join(', ')}`);
  }
  const [sloId] = sloIds;
  const slo = sloId === undefined ? undefined : settingsOf(config.processors[sloId], sloProcessorFactory);
  if (problems.length > 0 || sloId === undefined || slo === undefined) {
    throw new ConfigError(problems.map((message) => ({ path: 'service.pipelines', message, file: source })));
  }
  const onDefaults = source === BUILT_IN_DEFAULTS_SOURCE;
  const optional = (type: string): string[] => (onDefaults ? [] : componentIdsInPipelines(config, 'traces', 'processors', type));
  const baselineIds = optional(baselineProcessorFactory.type);
  const anomalyIds = optional(anomalyProcessorFactory.type);
  const regressionIds = optional(regressionProcessorFactory.type);
  const recommendIds = optional(recommendProcessorFactory.type);
  for (const [ids, type] of [
    [baselineIds, baselineProcessorFactory.type],
    [anomalyIds, anomalyProcessorFactory.type],
    [regressionIds, regressionProcessorFactory.type],
    [recommendIds, recommendProcessorFactory.type],
  ] as const) {
    if (ids.length > 1) problems.push(`the agent runs at most one ${type} processor, found ${ids.length} in the traces pipelines: ${ids.join(', ')}`);
  }
  const linkIssues = (onDefaults ? [] : [...anomalyLinkIssues(config), ...recommendLinkIssues(config)]).map((issue) => ({ ...issue, file: source }));
  // One store: two would each restore into, and write from, the same engines.
  const storageIds = onDefaults ? [] : config.service.extensions.filter((id) => config.extensions[id]?.type === storageExtensionFactory.type);
  const extensionIssues =
    storageIds.length > 1
      ? [{ path: 'service.extensions', message: `the agent keeps one store, found ${storageIds.length} storage extensions: ${storageIds.join(', ')}`, file: source }]
      : [];
  if (problems.length > 0 || linkIssues.length > 0 || extensionIssues.length > 0) {
    throw new ConfigError([...problems.map((message) => ({ path: 'service.pipelines', message, file: source })), ...linkIssues, ...extensionIssues]);
  }
  const [baselineId] = baselineIds;
  const [anomalyId] = anomalyIds;
  const baseline = baselineId === undefined ? undefined : settingsOf(config.processors[baselineId], baselineProcessorFactory);
  const anomaly = anomalyId === undefined ? undefined : settingsOf(config.processors[anomalyId], anomalyProcessorFactory);
  const [regressionId] = regressionIds;
  const regression = regressionId === undefined ? undefined : settingsOf(config.processors[regressionId], regressionProcessorFactory);
  const [prometheusId] = prometheusIds;
  const prometheus = prometheusId === undefined ? undefined : settingsOf(config.exporters[prometheusId], prometheusExporterFactory);
  const [recommendId] = recommendIds;
  const recommend = recommendId === undefined ? undefined : settingsOf(config.processors[recommendId], recommendProcessorFactory);
  const webId = onDefaults ? undefined : config.service.extensions.find((id) => config.extensions[id]?.type === webExtensionFactory.type);
  const web = webId === undefined ? undefined : settingsOf(config.extensions[webId], webExtensionFactory);
  const [storageId] = storageIds;
  const storage = storageId === undefined ? undefined : settingsOf(config.extensions[storageId], storageExtensionFactory);
  const logLevel = config.service.logLevel;
  const ids: AgentComponentIds = {
    slo: sloId,
    ...(baselineId !== undefined && { baseline: baselineId }),
    ...(anomalyId !== undefined && { anomaly: anomalyId }),
    ...(regressionId !== undefined && { regression: regressionId }),
    ...(recommendId !== undefined && { recommend: recommendId }),
    ...(webId !== undefined && { web: webId }),
    ...(storageId !== undefined && { storage: storageId }),
  };
  return {
    slo,
    ids,
    ...(prometheus !== undefined && { prometheus }),
    ...(logLevel !== undefined && { logLevel }),
    ...(baseline !== undefined && { baseline }),
    ...(anomaly !== undefined && { anomaly }),
    ...(regression !== undefined && { regression }),
    ...(recommend !== undefined && { recommend }),
    ...(web !== undefined && { web }),
    ...(storage !== undefined && { storage }),
  };
}

/** Ids of components of `type` used by pipelines of `signal`, each once, in pipeline order. */
function componentIdsInPipelines(
  config: SlowatchConfig,
  signal: 'traces' | 'metrics' | 'logs',
  list: 'receivers' | 'processors' | 'exporters',
  type: string,
): string[] {
  const sections = { receivers: config.receivers, processors: config.processors, exporters: config.exporters };
  const ids: string[] = [];
  for (const pipeline of config.service.pipelines) {
    if (pipeline.signal !== signal) continue;
    for (const id of pipeline[list]) {
      if (sections[list][id]?.type === type && !ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}
