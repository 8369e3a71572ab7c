import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { formatDuration, parseDuration, tryParseDuration } from '../../src/config/duration';
import { durationString, emptyMeansDefaults, expects, strictMapping } from '../../src/config/schema-helpers';

/*
 * The `storage` extension's configuration:
 *
 *   extensions:
 *     storage:
 *       path: ./data/slowatch.db     # the SQLite file, relative to the working directory
 *       snapshot_interval: 10s       # engine snapshots, rollups and events are written this often
 *       rollup_interval: 1m          # the SLO rollup rows' interval (aligned to the epoch)
 *       retention:
 *         rollups: 90d               # SLO and key rollups older than this are deleted
 *         events: 90d                # alerts, anomalies, regressions, recommendations
 *
 * A restart, even after kill -9, loses at most one snapshot_interval.
 */

export interface StorageExtensionConfig {
  path?: string;
  snapshot_interval?: string;
  rollup_interval?: string;
  retention?: { rollups?: string; events?: string } | null;
}

export interface StorageExtensionSettings {
  /** As written; resolved against the working directory when the store opens. */
  readonly path: string;
  readonly snapshotIntervalMs: number;
  readonly rollupIntervalMs: number;
  readonly retention: {
    readonly rollupsMs: number;
    readonly eventsMs: number;
  };
}

export const DEFAULT_STORAGE_PATH = './data/slowatch.db';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The extension's defaults; an empty `storage:` means exactly this. */
export function createDefaultConfig(): Required<Omit<StorageExtensionConfig, 'retention'>> & { retention: { rollups: string; events: string } } {
  return { path: DEFAULT_STORAGE_PATH, snapshot_interval: '10s', rollup_interval: '1m', retention: { rollups: '90d', events: '90d' } };
}

const acceptsSnapshotInterval = (ms: number): boolean => ms >= 1_000 && ms <= HOUR_MS;
const acceptsRollupInterval = (ms: number): boolean => ms >= 1_000 && ms <= DAY_MS && DAY_MS % ms === 0;

const retentionDuration = durationString({ description: 'a duration from 1h to 3650d', accepts: (ms) => ms >= HOUR_MS && ms <= 3650 * DAY_MS });

export const storageExtensionConfigSchema: z.ZodType<StorageExtensionConfig> = strictMapping(
  {
    path: z.string({ error: expects('a file path (the SQLite store)') }).min(1).optional(),
    snapshot_interval: durationString({ description: 'a duration from 1s to 1h', accepts: acceptsSnapshotInterval }).optional(),
    // Rows align to the epoch; dividing a day keeps them on clock minutes and hours in every report.
    rollup_interval: durationString({
      description: 'a duration from 1s to 1d that divides a day evenly (e.g. 1m, 5m, 1h)',
      accepts: acceptsRollupInterval,
    }).optional(),
    retention: emptyMeansDefaults(
      strictMapping({ rollups: retentionDuration.optional(), events: retentionDuration.optional() }, 'a mapping with rollups and events'),
    ).optional(),
  },
  'a mapping with path, snapshot_interval, rollup_interval and retention',
).superRefine((config, ctx) => {
  // Compare only values valid on their own (otherwise the keys' own issues are reported instead).
  const snapshot = validMs(config.snapshot_interval ?? createDefaultConfig().snapshot_interval, acceptsSnapshotInterval);
  const rollup = validMs(config.rollup_interval ?? createDefaultConfig().rollup_interval, acceptsRollupInterval);
  if (snapshot !== undefined && rollup !== undefined && rollup < snapshot) {
    ctx.addIssue({
      code: 'custom',
      input: config.rollup_interval,
      path: ['rollup_interval'],
      message: `must be >= snapshot_interval (${formatDuration(snapshot)}): rollups are written at each snapshot, got ${JSON.stringify(config.rollup_interval ?? formatDuration(rollup))}`,
    });
  }
});

function validMs(text: unknown, accepts: (ms: number) => boolean): number | undefined {
  if (typeof text !== 'string') return undefined;
  const parsed = tryParseDuration(text);
  return parsed.ok && accepts(parsed.ms) ? parsed.ms : undefined;
}

/** YAML shape → runtime settings. The input has passed the schema. */
export function resolveStorageExtensionSettings(config: StorageExtensionConfig): StorageExtensionSettings {
  const defaults = createDefaultConfig();
  return {
    path: config.path ?? defaults.path,
    snapshotIntervalMs: parseDuration(config.snapshot_interval ?? defaults.snapshot_interval),
    rollupIntervalMs: parseDuration(config.rollup_interval ?? defaults.rollup_interval),
    retention: {
      rollupsMs: parseDuration(config.retention?.rollups ?? defaults.retention.rollups),
      eventsMs: parseDuration(config.retention?.events ?? defaults.retention.events),
    },
  };
}

export const storageExtensionFactory: ComponentFactory<StorageExtensionConfig, StorageExtensionSettings> = {
  kind: 'extension',
  type: 'storage',
  // Extensions are not part of pipelines.
  signals: [],
  schema: storageExtensionConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveStorageExtensionSettings(config),
};
