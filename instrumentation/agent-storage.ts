import { createNoopMeter } from '@opentelemetry/api';
import type { Clock } from '../src/clock';
import type { Logger } from '../src/logging/logger';
import type { AnomalyEngine } from '../src/engine/anomaly-engine';
import type { BaselineEngine } from '../src/engine/baseline-engine';
import type { SloEngine } from '../src/engine/slo-engine';
import type { RecommendEngine } from '../src/recommend/recommend-engine';
import type { RegressionEngine } from '../src/regression/regression-engine';
import type { ReportStore } from '../src/storage/report-store';
import type { AgentComponentIds } from '../src/config/agent-settings';
import type { StorageExtensionSettings } from '../extensions/storage/config';
import { StorageExtension } from '../extensions/storage/storage-extension';

/** The agent's engines, each present when its processor is configured. */
export interface AgentEngines {
  readonly slo: SloEngine;
  readonly baseline?: BaselineEngine | undefined;
  readonly anomaly?: AnomalyEngine | undefined;
  readonly regression?: RegressionEngine | undefined;
  readonly recommend?: RecommendEngine | undefined;
}

export interface AgentStorageOptions {
  readonly settings: StorageExtensionSettings;
  /** The ids in the config file: the storage extension's own, and the processors' (the snapshots' keys). */
  readonly ids: AgentComponentIds;
  readonly engines: AgentEngines;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The agent's `storage` extension, opened and restored. */
export interface AgentStorage {
  /** The open store, for the report pages; undefined once closed. */
  readonly store: ReportStore | undefined;
  /** Writes the snapshots, rollups and events now (when the application drains after a signal). Never throws. */
  flush(): void;
  /** A last write, then closes the store. Synchronous (it runs in a process `exit` listener), idempotent, never throws. */
  close(): void;
}

/**
 * Opens the agent's store and restores every engine from its snapshot,
 * synchronously: the agent starts inside a `--require` hook, and the
 * engines must hold their previous state before the SDK records the first
 * span, or the first requests after a restart would be counted into a
 * cold engine and then overwritten by the restore.
 *
 * It is the gateway's StorageExtension, attached to the agent's engines
 * under the processor ids of the config file, so an agent's store and a
 * gateway's have the same keys and layout. Its snapshot timer is unref'd:
 * the store never holds the application open.
 *
 * A store that cannot be opened (a corrupt, truncated or foreign file, a
 * newer schema, a directory that cannot be created) is logged once with the
 * store's message and the agent runs without storage: the application is
 * never stopped for slowatch's sake, and the file is left untouched.
 *
 * @returns undefined when the store cannot be used.
 */
export function startAgentStorage(options: AgentStorageOptions): AgentStorage | undefined {
  const { ids, engines, logger } = options;
  const extensionId = ids.storage ?? 'storage';
  // Its one counter (store write failures) goes nowhere here: the SDK's meter does not exist yet; failures are still logged.
  const extension = new StorageExtension(options.settings, { id: extensionId, logger, clock: options.clock, meter: createNoopMeter() });
  const one = <T>(id: string | undefined, engine: T | undefined): ReadonlyMap<string, T> =>
    id === undefined || engine === undefined ? new Map() : new Map([[id, engine]]);
  extension.attachEngines({
    slo: one(ids.slo, engines.slo),
    baseline: one(ids.baseline, engines.baseline),
    anomaly: one(ids.anomaly, engines.anomaly),
    regression: one(ids.regression, engines.regression),
    recommend: one(ids.recommend, engines.recommend),
  });
  try {
    extension.startSync();
  } catch (error) {
    // The message names the file and what to do; the prefix says which extension of the file it is.
    logger.error(`extension ${extensionId}: ${error instanceof Error ? error.message : String(error)}; the agent runs without storage`);
    extension.shutdownSync();
    return undefined;
  }
  return {
    get store() {
      return extension.store;
    },
    flush: () => extension.flushNow(),
    close: () => extension.shutdownSync(),
  };
}
