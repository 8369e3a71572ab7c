import type { Meter } from '@opentelemetry/api';
import type { Clock } from '../clock';
import type { Logger } from '../logging/logger';

/** Lifecycle every running receiver, processor, exporter and extension has. */
export interface Component {
  /** Binds ports, opens files, starts timers. Rejects with a one-line reason when it cannot. */
  start(): Promise<void>;
  /** Stops taking new data, drains what it holds within its own bound, releases everything. Never rejects. */
  shutdown(): Promise<void>;
}

/** What the service hands every component it creates. */
export interface ComponentContext {
  /** The component id as configured, e.g. `otlp` or `otlp/downstream`. */
  readonly id: string;
  readonly logger: Logger;
  /** For the component's own metrics (slowatch_receiver_*, slowatch_exporter_*). */
  readonly meter: Meter;
  readonly clock: Clock;
}
