import type { ExporterRuntime } from '../../src/service/runtime-factories';
import { AlertmanagerExporter } from './alertmanager-exporter';
import type { AlertmanagerExporterSettings } from './config';

/** One exporter (one queue, one set of firing alerts) per component id, whatever pipelines list it. */
export const alertmanagerExporterRuntime: ExporterRuntime = {
  kind: 'exporter',
  type: 'alertmanager',
  create: (settings, _signals, context) => new AlertmanagerExporter(settings as AlertmanagerExporterSettings, context),
};
