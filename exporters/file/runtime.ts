import type { ExporterRuntime } from '../../src/service/runtime-factories';
import type { FileExporterSettings } from './config';
import { FileExporter } from './file-exporter';

/** One file (one write stream) per component id; every pipeline that lists it appends to it. */
export const fileExporterRuntime: ExporterRuntime = {
  kind: 'exporter',
  type: 'file',
  create: (settings, _signals, context) => new FileExporter(settings as FileExporterSettings, context),
};
