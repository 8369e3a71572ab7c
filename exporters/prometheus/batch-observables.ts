import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';

/** One observable instrument of a metrics contract. */
export interface ObservableSpec {
  readonly kind: 'gauge' | 'counter';
  /** Carries its unit and `_total` already, so the Prometheus exporter keeps it as it is (no OTel unit). */
  readonly name: string;
  /** The `# HELP` line. */
  readonly description: string;
}

export function gauge(name: string, description: string): ObservableSpec {
  return { kind: 'gauge', name, description };
}

export function counter(name: string, description: string): ObservableSpec {
  return { kind: 'counter', name, description };
}

/**
 * Creates the instruments of `specs`, in their order (the order /metrics
 * lists them), and registers one batch callback that observes them all:
 * an engine's state is then read once per collection, whatever the number
 * of instruments.
 */
export function registerBatchObservables<K extends string>(
  meter: Meter,
  specs: Readonly<Record<K, ObservableSpec>>,
  observe: (result: BatchObservableResult, instruments: Readonly<Record<K, Observable>>) => void,
): void {
  const instruments = {} as Record<K, Observable>;
  for (const key of Object.keys(specs) as K[]) {
    const { kind, name, description } = specs[key];
    instruments[key] = kind === 'gauge' ? meter.createObservableGauge(name, { description }) : meter.createObservableCounter(name, { description });
  }
  meter.addBatchObservableCallback((result) => observe(result, instruments), Object.values<Observable>(instruments));
}
