import { sloProcessorRuntime } from '../../processors/slo/runtime';
import { batchProcessorRuntime } from '../../processors/batch/runtime';
import { regressionProcessorRuntime } from '../../processors/regression/runtime';
import { baselineProcessorRuntime } from '../../processors/baseline/runtime';
import { anomalyProcessorRuntime } from '../../processors/anomaly/runtime';
import { recommendProcessorRuntime } from '../../processors/recommend/runtime';
import { otlpExporterRuntime } from '../../exporters/otlp/runtime';
import { debugExporterRuntime } from '../../exporters/debug/runtime';
import { fileExporterRuntime } from '../../exporters/file/runtime';
import { alertmanagerExporterRuntime } from '../../exporters/alertmanager/runtime';
import { webhookExporterRuntime } from '../../exporters/webhook/runtime';
import { otlpReceiverRuntime } from '../../receivers/otlp/runtime';
import { healthCheckExtensionRuntime } from '../../extensions/health-check/runtime';
import { webExtensionRuntime } from '../../extensions/web/runtime';
import { storageExtensionRuntime } from '../../extensions/storage/runtime';
import type { ComponentRuntime } from './runtime-factories';

/**
 * The running half of every built-in component type (their config halves are
 * in src/config/builtin-components.ts). The prometheus exporter has none: the
 * service itself serves its metrics.
 */
export const builtInRuntimes: readonly ComponentRuntime[] = [
  otlpReceiverRuntime,
  healthCheckExtensionRuntime,
  webExtensionRuntime,
  storageExtensionRuntime,
  sloProcessorRuntime,
  batchProcessorRuntime,
  regressionProcessorRuntime,
  baselineProcessorRuntime,
  anomalyProcessorRuntime,
  recommendProcessorRuntime,
  otlpExporterRuntime,
  debugExporterRuntime,
  fileExporterRuntime,
  alertmanagerExporterRuntime,
  webhookExporterRuntime,
];
