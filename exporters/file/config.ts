import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { parseDuration } from '../../src/config/duration';
import { durationString, emptyMeansDefaults, expects, strictMapping } from '../../src/config/schema-helpers';

/*
 * The `file` exporter's configuration (after the Collector's `file` exporter):
 *
 *   exporters:
 *     file:
 *       path: ./telemetry.jsonl       # required
 *       rotation:
 *         max_megabytes: 100          # rotate before the file would exceed this
 *         max_backups: 5              # keep path.1 … path.5; 0 keeps none
 *       flush_interval: 1s            # optional: buffer lines and write them this often
 *
 * One line per batch, the batch's OTLP/JSON export request.
 */

export interface FileExporterConfig {
  path?: string;
  rotation?: RotationConfig;
  flush_interval?: string;
}

export interface RotationConfig {
  max_megabytes?: number;
  max_backups?: number;
}

export interface FileExporterSettings {
  readonly path: string;
  readonly rotation: {
    /** Rotate before a write would take the file beyond this size (MiB × 1 048 576). */
    readonly maxBytes: number;
    readonly maxBackups: number;
  };
  /** Absent: every batch is written at once. */
  readonly flushIntervalMs?: number;
}

const MEBIBYTE = 1024 * 1024;

/** Everything but `path`, which has no default. */
export function createDefaultConfig(): FileExporterConfig & { rotation: Required<RotationConfig> } {
  return { rotation: { max_megabytes: 100, max_backups: 5 } };
}

const rotationSchema = strictMapping(
  {
    max_megabytes: z.number({ error: expects('a number of megabytes > 0 (up to 1048576)') }).gt(0).max(1_048_576).optional(),
    max_backups: z.number({ error: expects('an integer from 0 to 1000') }).int().min(0).max(1000).optional(),
  },
  'a mapping with max_megabytes and max_backups',
);

export const fileExporterConfigSchema: z.ZodType<FileExporterConfig> = strictMapping(
  {
    path: z.string({ error: expects('a file path, e.g. ./telemetry.jsonl') }).min(1),
    rotation: emptyMeansDefaults(rotationSchema).optional(),
    flush_interval: durationString({ description: 'a duration > 0', accepts: (ms) => ms > 0 }).optional(),
  },
  'a mapping with path, rotation and flush_interval',
);

export function resolveFileExporterSettings(config: FileExporterConfig): FileExporterSettings {
  if (config.path === undefined || config.path === '') throw new Error('a path is required, e.g. path: ./telemetry.jsonl');
  const rotation = { ...createDefaultConfig().rotation, ...config.rotation };
  return {
    path: config.path,
    rotation: { maxBytes: Math.max(1, Math.round(rotation.max_megabytes * MEBIBYTE)), maxBackups: rotation.max_backups },
    ...(config.flush_interval !== undefined && { flushIntervalMs: parseDuration(config.flush_interval) }),
  };
}

export const fileExporterFactory: ComponentFactory<FileExporterConfig, FileExporterSettings> = {
  kind: 'exporter',
  type: 'file',
  signals: ['traces', 'metrics', 'logs'],
  schema: fileExporterConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveFileExporterSettings(config),
};
