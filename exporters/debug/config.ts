import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { expects, strictMapping } from '../../src/config/schema-helpers';

/*
 * The `debug` exporter's configuration (the Collector's `debug` exporter):
 *
 *   exporters:
 *     debug:
 *       verbosity: basic     # normal, detailed
 *
 * basic: one summary line per batch; normal: one line per span, data point
 * or log record; detailed: every field. Everything goes to stderr.
 */

export type DebugVerbosity = 'basic' | 'normal' | 'detailed';

export const DEBUG_VERBOSITIES = ['basic', 'normal', 'detailed'] as const satisfies readonly DebugVerbosity[];

export interface DebugExporterConfig {
  verbosity?: DebugVerbosity;
}

export interface DebugExporterSettings {
  readonly verbosity: DebugVerbosity;
}

export function createDefaultConfig(): Required<DebugExporterConfig> {
  return { verbosity: 'basic' };
}

export const debugExporterConfigSchema: z.ZodType<DebugExporterConfig> = strictMapping(
  {
    verbosity: z.enum(DEBUG_VERBOSITIES, { error: expects(`one of ${DEBUG_VERBOSITIES.join(', ')}`) }).optional(),
  },
  'a mapping with verbosity',
);

export function resolveDebugExporterSettings(config: DebugExporterConfig): DebugExporterSettings {
  return { verbosity: config.verbosity ?? createDefaultConfig().verbosity };
}

export const debugExporterFactory: ComponentFactory<DebugExporterConfig, DebugExporterSettings> = {
  kind: 'exporter',
  type: 'debug',
  signals: ['traces', 'metrics', 'logs'],
  schema: debugExporterConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveDebugExporterSettings(config),
};
