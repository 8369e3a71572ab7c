import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { parseDuration } from '../../src/config/duration';
import { durationString, expects, strictMapping } from '../../src/config/schema-helpers';

/*
 * The `batch` processor's configuration, with the Collector's names and defaults:
 *
 *   processors:
 *     batch:
 *       send_batch_size: 8192        # items that trigger a send
 *       timeout: 200ms               # longest an item waits for a batch to fill
 *       send_batch_max_size: 0       # largest batch sent; 0 = no upper limit
 */

export interface BatchProcessorConfig {
  send_batch_size?: number;
  timeout?: string;
  send_batch_max_size?: number;
}

export interface BatchProcessorSettings {
  readonly sendBatchSize: number;
  readonly timeoutMs: number;
  /** 0 = no limit. */
  readonly sendBatchMaxSize: number;
}

export function createDefaultConfig(): Required<BatchProcessorConfig> {
  return { send_batch_size: 8192, timeout: '200ms', send_batch_max_size: 0 };
}

export const batchProcessorConfigSchema: z.ZodType<BatchProcessorConfig> = strictMapping(
  {
    send_batch_size: z.number({ error: expects('an integer >= 1') }).int().min(1).optional(),
    timeout: durationString({ description: 'a duration from 1ms to 1m', accepts: (ms) => ms >= 1 && ms <= 60_000 }).optional(),
    send_batch_max_size: z.number({ error: expects('an integer >= 0 (0 = no limit)') }).int().min(0).optional(),
  },
  'a mapping with send_batch_size, timeout and send_batch_max_size',
).superRefine((config, ctx) => {
  const size = config.send_batch_size ?? createDefaultConfig().send_batch_size;
  const max = config.send_batch_max_size ?? 0;
  if (max !== 0 && max < size) {
    ctx.addIssue({
      code: 'custom',
      input: max,
      path: ['send_batch_max_size'],
      message: `must be 0 or >= send_batch_size (${size}), got ${max}`,
    });
  }
});

export function resolveBatchProcessorSettings(config: BatchProcessorConfig): BatchProcessorSettings {
  const defaults = createDefaultConfig();
  return {
    sendBatchSize: config.send_batch_size ?? defaults.send_batch_size,
    timeoutMs: parseDuration(config.timeout ?? defaults.timeout),
    sendBatchMaxSize: config.send_batch_max_size ?? defaults.send_batch_max_size,
  };
}

export const batchProcessorFactory: ComponentFactory<BatchProcessorConfig, BatchProcessorSettings> = {
  kind: 'processor',
  type: 'batch',
  signals: ['traces', 'metrics', 'logs'],
  schema: batchProcessorConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveBatchProcessorSettings(config),
};
