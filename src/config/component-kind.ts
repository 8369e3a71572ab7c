/** The four sections of the config file that define components, singular as in messages ("processor \"slo\""). */
export type ComponentKind = 'receiver' | 'processor' | 'exporter' | 'extension';

/** Top-level section that holds each kind: `processor` → `processors`. */
export const SECTION_OF_KIND: Readonly<Record<ComponentKind, 'receivers' | 'processors' | 'exporters' | 'extensions'>> = {
  receiver: 'receivers',
  processor: 'processors',
  exporter: 'exporters',
  extension: 'extensions',
};

/** The telemetry signals a pipeline can carry, as the Collector names them (defined with the OTLP codec). */
export type { Signal } from '../otlp/signal';
export { SIGNALS } from '../otlp/signal';
