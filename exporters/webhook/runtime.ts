import type { ExporterRuntime } from '../../src/service/runtime-factories';
import type { WebhookExporterSettings } from './config';
import { WebhookExporter } from './webhook-exporter';

/** One exporter (one queue) per component id, whatever pipelines list it. */
export const webhookExporterRuntime: ExporterRuntime = {
  kind: 'exporter',
  type: 'webhook',
  create: (settings, _signals, context) => new WebhookExporter(settings as WebhookExporterSettings, context),
};
