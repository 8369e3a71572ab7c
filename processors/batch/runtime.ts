import type { ProcessorRuntime } from '../../src/service/runtime-factories';
import { BatchProcessor } from './batch-processor';
import type { BatchProcessorSettings } from './config';

export const batchProcessorRuntime: ProcessorRuntime = {
  kind: 'processor',
  type: 'batch',
  create: (settings, signal, next) => new BatchProcessor(signal, settings as BatchProcessorSettings, next),
};
