import { prometheusExporterFactory } from '../../exporters/prometheus/config';
import { sloProcessorFactory } from '../../processors/slo/config';
import { ComponentRegistry } from './component-registry';

/**
 * The component types a config file may use today. A new component adds its
 * factory here; nothing else in the config layer changes.
 */
export const builtInComponents = new ComponentRegistry([sloProcessorFactory, prometheusExporterFactory]);
