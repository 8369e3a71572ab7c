import type { LogLevel } from '../logging/logger';
import type { ComponentKind, Signal } from './component-kind';

/**
 * The configuration after validation and resolution: what the agent and the
 * gateway run from. Durations are milliseconds, percentages ratios, env
 * references expanded, defaults applied. Nothing here is YAML-shaped.
 */
export interface SlowatchConfig {
  /** Defined components by id (`slo`, `slo/checkout`), in file order. */
  readonly receivers: Readonly<Record<string, ResolvedComponent>>;
  readonly processors: Readonly<Record<string, ResolvedComponent>>;
  readonly exporters: Readonly<Record<string, ResolvedComponent>>;
  readonly extensions: Readonly<Record<string, ResolvedComponent>>;
  readonly service: ServiceSettings;
}

/** One defined component; get typed settings with `settingsOf(component, factory)`. */
export interface ResolvedComponent {
  /** `type` or `type/name`, as written. */
  readonly id: string;
  readonly kind: ComponentKind;
  readonly type: string;
  readonly name?: string;
  /** Whatever the type's factory resolved (SloProcessorSettings for `slo`, …). */
  readonly settings: unknown;
}

export interface ServiceSettings {
  /** Extension ids to start, in order. */
  readonly extensions: readonly string[];
  /** In file order. */
  readonly pipelines: readonly PipelineSettings[];
  /** `service.telemetry.logs.level`; undefined when the file does not set it (then OTEL_LOG_LEVEL or info applies). */
  readonly logLevel?: LogLevel;
}

export interface PipelineSettings {
  /** `traces`, `traces/checkout`, … */
  readonly id: string;
  readonly signal: Signal;
  readonly name?: string;
  /** Component ids, in the order written; every one is defined in its section. */
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  readonly exporters: readonly string[];
}
