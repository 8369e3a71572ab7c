import { prometheusExporterFactory } from '../../exporters/prometheus/config';
import { sloProcessorFactory } from '../../processors/slo/config';
import { batchProcessorFactory } from '../../processors/batch/config';
import { regressionProcessorFactory } from '../../processors/regression/config';
import { baselineProcessorFactory } from '../../processors/baseline/config';
import { anomalyProcessorFactory } from '../../processors/anomaly/config';
import { recommendProcessorFactory } from '../../processors/recommend/config';
import { otlpReceiverFactory } from '../../receivers/otlp/config';
import { healthCheckExtensionFactory } from '../../extensions/health-check/config';
import { webExtensionFactory } from '../../extensions/web/config';
import { storageExtensionFactory } from '../../extensions/storage/config';
import { otlpExporterFactory } from '../../exporters/otlp/config';
import { debugExporterFactory } from '../../exporters/debug/config';
import { fileExporterFactory } from '../../exporters/file/config';
import { alertmanagerExporterFactory } from '../../exporters/alertmanager/config';
import { webhookExporterFactory } from '../../exporters/webhook/config';
import { ComponentRegistry } from './component-registry';

/**
 * The component types a config file may use today. A new component adds its
 * factory here; nothing else in the config layer changes.
 */
export const builtInComponents = new ComponentRegistry([
  sloProcessorFactory,
  batchProcessorFactory,
  regressionProcessorFactory,
  baselineProcessorFactory,
  anomalyProcessorFactory,
  recommendProcessorFactory,
  prometheusExporterFactory,
  otlpExporterFactory,
  debugExporterFactory,
  fileExporterFactory,
  alertmanagerExporterFactory,
  webhookExporterFactory,
  otlpReceiverFactory,
  healthCheckExtensionFactory,
  webExtensionFactory,
  storageExtensionFactory,
]);
