import type { ExporterRuntime } from '../../src/service/runtime-factories';
import type { OtlpExporterSettings } from './config';
import { OtlpExporter } from './otlp-exporter';

/** One exporter (one sending queue, one connection pool) per component id, whatever the signals it carries. */
export const otlpExporterRuntime: ExporterRuntime = {
  kind: 'exporter',
  type: 'otlp',
  create: (settings, _signals, context) => new OtlpExporter(settings as OtlpExporterSettings, context),
};
