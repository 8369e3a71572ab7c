import { z } from 'zod';
import type { LogLevel } from '../logging/logger';
import { emptyMeansDefaults, emptyMeansNone, expects, strictMapping } from './schema-helpers';

/** `service:` as written in the file (the Collector's service section, minus what slowatch does not have). */
export interface ServiceConfig {
  /** Extension ids to start. */
  extensions?: string[];
  /** `traces`, `metrics`, `logs`, optionally `/name`d: `traces/checkout`. */
  pipelines: Record<string, PipelineConfig>;
  telemetry?: { logs?: { level?: LogLevel } };
}

export interface PipelineConfig {
  receivers?: string[];
  processors?: string[];
  exporters?: string[];
}

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'none'];

const componentIdList = (kind: string) =>
  emptyMeansNone(z.array(z.string({ error: expects(`a ${kind} id`) }), { error: expects(`a list of ${kind} ids`) })).optional();

/** One pipeline's value; validated on its own so one bad pipeline does not hide the others' problems. */
export const pipelineConfigSchema: z.ZodType<PipelineConfig> = emptyMeansDefaults(
  strictMapping(
    {
      receivers: componentIdList('receiver'),
      processors: componentIdList('processor'),
      exporters: componentIdList('exporter'),
    },
    'a mapping with receivers, processors and exporters lists',
  ),
);

const telemetrySchema = emptyMeansDefaults(
  strictMapping(
    {
      logs: emptyMeansDefaults(
        strictMapping(
          { level: z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]], { error: expects(`one of ${LOG_LEVELS.join(', ')}`) }).optional() },
          'a mapping with level',
        ),
      ).optional(),
    },
    'a mapping with logs',
  ),
);

/**
 * `service:` except the pipelines' contents (see pipelineConfigSchema). That
 * ids refer to defined components is checked in resolve-config.ts.
 */
export const serviceSectionSchema: z.ZodType<Omit<ServiceConfig, 'pipelines'> & { pipelines: Record<string, unknown> }> = strictMapping(
  {
    extensions: componentIdList('extension'),
    pipelines: z.record(z.string(), z.unknown(), {
      error: expects('a mapping of pipelines, e.g. { traces: { processors: [slo] }, metrics: { exporters: [prometheus] } }'),
    }),
    telemetry: telemetrySchema.optional(),
  },
  'a mapping with pipelines (and optionally extensions and telemetry)',
);
