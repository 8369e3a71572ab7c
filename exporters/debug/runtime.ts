import type { ExporterRuntime } from '../../src/service/runtime-factories';
import type { DebugExporterSettings } from './config';
import { DebugExporter } from './debug-exporter';

export const debugExporterRuntime: ExporterRuntime = {
  kind: 'exporter',
  type: 'debug',
  create: (settings, _signals, context) => new DebugExporter(settings as DebugExporterSettings, context),
};
