import type { z } from 'zod';
import type { ComponentKind, Signal } from './component-kind';
import type { ResolvedComponent } from './slowatch-config';

/** What resolving a component's config may depend on besides the config itself. */
export interface ResolveContext {
  /** The environment the config is loaded in, for OTEL_* fallbacks. */
  readonly env: NodeJS.ProcessEnv;
  /** The config file as shown in issues (relative to the working directory when inside it), or a pseudo-source such as `<built-in defaults>`. */
  readonly file?: string;
  /**
   * Absolute directory of the config file, for files a component's config
   * names relative to it (`processors.slo.openslo`). Absent when the config
   * did not come from a file; such paths are then relative to the working directory.
   */
  readonly configDir?: string;
}

/**
 * One component type, as the config layer knows it (the Collector's
 * component.Factory, config half): how its YAML is validated, its defaults,
 * and how the YAML shape becomes runtime settings.
 */
export interface ComponentFactory<TConfig = unknown, TSettings = unknown> {
  readonly kind: ComponentKind;
  /** The `type` in `type/name` ids. */
  readonly type: string;
  /** Pipelines this component may appear in. */
  readonly signals: readonly Signal[];
  /** Validates the YAML value (strict: unknown keys are errors). Runs on the value as written, before defaults. */
  readonly schema: z.ZodType<TConfig>;
  /** Every default of the component. An empty YAML value (`slo:`) means exactly this; a partial one is laid over it key by key. */
  createDefaultConfig(): TConfig;
  /** YAML shape → runtime settings. May throw ConfigError for problems outside the file (environment variables). */
  resolve(config: TConfig, context: ResolveContext): TSettings;
}

/**
 * The settings of a resolved component, typed by its factory; undefined when
 * the component is of another kind or type. The registry guarantees a
 * component's settings come from its factory's resolve.
 */
export function settingsOf<TSettings>(
  component: ResolvedComponent | undefined,
  factory: Pick<ComponentFactory, 'kind' | 'type'> & { resolve(config: never, context: ResolveContext): TSettings },
): TSettings | undefined {
  if (component === undefined || component.kind !== factory.kind || component.type !== factory.type) return undefined;
  return component.settings as TSettings;
}
