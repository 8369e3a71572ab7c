import { builtInComponents } from './builtin-components';
import type { ComponentFactory, ResolveContext } from './component-factory';
import { parseComponentId } from './component-id';
import { SECTION_OF_KIND, SIGNALS } from './component-kind';
import type { ComponentKind, Signal } from './component-kind';
import type { ComponentRegistry } from './component-registry';
import { ConfigError } from './config-error';
import { sortConfigIssues } from './config-issue';
import type { ConfigIssue } from './config-issue';
import { describeValue } from './describe-value';
import { pipelineConfigSchema, serviceSectionSchema } from './service-config';
import type { PipelineSettings, ResolvedComponent, SlowatchConfig } from './slowatch-config';
import type { LineLocator } from './yaml-locator';
import { formatYamlPath } from './yaml-path';
import type { YamlPathSegment } from './yaml-path';
import { configErrorMap, translateZodIssues } from './zod-issues';
import type { SchemaProblem } from './zod-issues';

export interface ResolveConfigOptions {
  /** The file as shown in issues, or a pseudo-source such as `<built-in defaults>`. */
  readonly file: string;
  /** For OTEL_* fallbacks in component settings. */
  readonly env: NodeJS.ProcessEnv;
  /** Absolute directory of the config file, for paths the config names relative to it; absent when the data did not come from a file. */
  readonly configDir?: string;
  /** Lines for issues; absent when the data did not come from a file. */
  readonly locate?: LineLocator;
  /** @default builtInComponents */
  readonly registry?: ComponentRegistry;
}

export type ResolveOutcome =
  | { readonly ok: true; readonly config: SlowatchConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

const KINDS: readonly ComponentKind[] = ['receiver', 'processor', 'exporter', 'extension'];
const TOP_LEVEL_KEYS = ['receivers', 'processors', 'exporters', 'extensions', 'service'];
const PIPELINE_LISTS = [
  ['receivers', 'receiver'],
  ['processors', 'processor'],
  ['exporters', 'exporter'],
] as const;

type Sections = Record<ComponentKind, Record<string, ResolvedComponent>>;

/**
 * Validates the whole configuration (plain data, as parsed from YAML) and
 * resolves it into runtime settings. Collects every issue instead of stopping
 * at the first; the config is only returned when there are none.
 */
export function resolveConfigData(data: unknown, options: ResolveConfigOptions): ResolveOutcome {
  const registry = options.registry ?? builtInComponents;
  const problems: SchemaProblem[] = [];
  /** Issues that are not about a place in the file (environment variables). */
  const outsideIssues: ConfigIssue[] = [];
  const root: unknown = data ?? {}; // an empty file has no sections

  if (!isMapping(root)) {
    problems.push({ path: [], message: `the configuration must be a mapping with ${TOP_LEVEL_KEYS.join(', ')}, got ${describeValue(root)}` });
    return { ok: false, issues: toIssues(problems, options) };
  }
  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL_KEYS.includes(key)) problems.push({ path: [key], message: `unknown key; valid keys: ${TOP_LEVEL_KEYS.join(', ')}` });
  }

  const sections: Sections = { receiver: {}, processor: {}, exporter: {}, extension: {} };
  /** Every id written in each section, valid or not, so a pipeline naming a broken component is not reported twice. */
  const writtenIds: Record<ComponentKind, string[]> = { receiver: [], processor: [], exporter: [], extension: [] };
  for (const kind of KINDS) {
    const section = SECTION_OF_KIND[kind];
    const raw = root[section] ?? {};
    if (!isMapping(raw)) {
      problems.push({ path: [section], message: `must be a mapping of ${kind} ids to their settings, got ${describeValue(raw)}` });
      continue;
    }
    for (const [id, value] of Object.entries(raw)) {
      writtenIds[kind].push(id);
      const context: ResolveContext = { env: options.env, file: options.file, ...(options.configDir !== undefined && { configDir: options.configDir }) };
      const component = resolveComponent(kind, id, value, registry, context, problems, outsideIssues);
      if (component !== undefined) sections[kind][id] = component;
    }
  }

  const service = serviceSectionSchema.safeParse(root.service, { error: configErrorMap });
  if (!service.success) problems.push(...translateZodIssues(service.error.issues, ['service']));
  // Pipelines are checked even when another part of `service` is wrong, so their problems show up in the same run.
  const rawPipelines = isMapping(root.service) && isMapping(root.service.pipelines) ? root.service.pipelines : undefined;
  const pipelines = rawPipelines === undefined ? [] : resolvePipelines(rawPipelines, sections, writtenIds, registry, problems);
  const extensions = service.success ? resolveServiceExtensions(service.data.extensions ?? [], writtenIds, problems) : [];

  const issues = [...toIssues(problems, options), ...outsideIssues];
  if (issues.length > 0 || !service.success) return { ok: false, issues: sortConfigIssues(issues) };
  const logLevel = service.data.telemetry?.logs?.level;
  return {
    ok: true,
    config: {
      receivers: sections.receiver,
      processors: sections.processor,
      exporters: sections.exporter,
      extensions: sections.extension,
      service: { extensions, pipelines, ...(logLevel !== undefined && { logLevel }) },
    },
  };
}

/** Same as resolveConfigData, throwing ConfigError with every issue. */
export function resolveConfigDataOrThrow(data: unknown, options: ResolveConfigOptions): SlowatchConfig {
  const outcome = resolveConfigData(data, options);
  if (!outcome.ok) throw new ConfigError(outcome.issues);
  return outcome.config;
}

function resolveComponent(
  kind: ComponentKind,
  id: string,
  value: unknown,
  registry: ComponentRegistry,
  context: ResolveContext,
  problems: SchemaProblem[],
  outsideIssues: ConfigIssue[],
): ResolvedComponent | undefined {
  const section = SECTION_OF_KIND[kind];
  const parsedId = parseComponentId(id);
  if (!parsedId.ok) {
    problems.push({ path: [section, id], message: parsedId.reason });
    return undefined;
  }
  const { type, name } = parsedId.id;
  const factory = registry.find(kind, type);
  if (factory === undefined) {
    const known = registry.typesOf(kind);
    problems.push({
      path: [section, id],
      message: `unknown ${kind} type ${JSON.stringify(type)}; known ${kind} types: ${known.length > 0 ? known.join(', ') : 'none yet'}`,
    });
    return undefined;
  }

  let config: unknown;
  if (value === null || value === undefined) {
    // As in the Collector, `slo:` with nothing after it means the defaults.
    config = factory.createDefaultConfig();
  } else {
    const parsed = factory.schema.safeParse(value, { error: configErrorMap });
    if (!parsed.success) {
      problems.push(...translateZodIssues(parsed.error.issues, [section, id]));
      return undefined;
    }
    config = layOver(factory.createDefaultConfig(), parsed.data);
  }

  try {
    const settings = factory.resolve(config, context);
    return { id, kind, type, ...(name !== undefined && { name }), settings };
  } catch (error) {
    if (error instanceof ConfigError) outsideIssues.push(...error.issues);
    else problems.push({ path: [section, id], message: `cannot be used: ${error instanceof Error ? error.message : String(error)}` });
    return undefined;
  }
}

/** The keys written replace the defaults' keys; the rest keep their default. */
function layOver(defaults: unknown, written: unknown): unknown {
  return isMapping(defaults) && isMapping(written) ? { ...defaults, ...written } : written;
}

function resolvePipelines(
  rawPipelines: Record<string, unknown>,
  sections: Sections,
  writtenIds: Record<ComponentKind, string[]>,
  registry: ComponentRegistry,
  problems: SchemaProblem[],
): PipelineSettings[] {
  const entries = Object.entries(rawPipelines);
  if (entries.length === 0) {
    problems.push({ path: ['service', 'pipelines'], message: 'must define at least one pipeline, e.g. traces: { processors: [slo] }' });
  }
  const pipelines: PipelineSettings[] = [];
  for (const [pipelineId, value] of entries) {
    const path: YamlPathSegment[] = ['service', 'pipelines', pipelineId];
    const slash = pipelineId.indexOf('/');
    const signal = slash < 0 ? pipelineId : pipelineId.slice(0, slash);
    const name = slash < 0 ? undefined : pipelineId.slice(slash + 1);
    if (!isSignal(signal) || name === '') {
      problems.push({
        path,
        message: `invalid pipeline id ${JSON.stringify(pipelineId)}; use ${SIGNALS.join(', ')}, optionally followed by /name (traces/checkout)`,
      });
      continue;
    }
    const parsed = pipelineConfigSchema.safeParse(value, { error: configErrorMap });
    if (!parsed.success) {
      problems.push(...translateZodIssues(parsed.error.issues, path));
      continue;
    }
    const pipeline = parsed.data;
    const lists = { receivers: [] as string[], processors: [] as string[], exporters: [] as string[] };
    for (const [list, kind] of PIPELINE_LISTS) {
      const ids = pipeline[list] ?? [];
      ids.forEach((componentId, index) => {
        const problem = checkPipelineReference(kind, componentId, signal, ids.indexOf(componentId) !== index, sections, writtenIds, registry);
        if (problem !== undefined) problems.push({ path: [...path, list, index], message: problem });
      });
      lists[list] = [...ids];
    }
    pipelines.push({ id: pipelineId, signal, ...(name !== undefined && { name }), ...lists });
  }
  return pipelines;
}

function checkPipelineReference(
  kind: ComponentKind,
  componentId: string,
  signal: Signal,
  repeated: boolean,
  sections: Sections,
  writtenIds: Record<ComponentKind, string[]>,
  registry: ComponentRegistry,
): string | undefined {
  const section = SECTION_OF_KIND[kind];
  const defined = writtenIds[kind];
  if (!defined.includes(componentId)) {
    return `${kind} ${JSON.stringify(componentId)} is not defined under ${section} (defined: ${defined.length > 0 ? defined.join(', ') : 'none'})`;
  }
  if (repeated) return `${kind} ${JSON.stringify(componentId)} is listed more than once in this pipeline`;
  const component = sections[kind][componentId];
  const factory: ComponentFactory | undefined = component && registry.find(kind, component.type);
  if (factory !== undefined && !factory.signals.includes(signal)) {
    return `${kind} ${JSON.stringify(componentId)} cannot be used in a ${signal} pipeline (it supports: ${factory.signals.join(', ')})`;
  }
  return undefined;
}

function resolveServiceExtensions(ids: readonly string[], writtenIds: Record<ComponentKind, string[]>, problems: SchemaProblem[]): string[] {
  const defined = writtenIds.extension;
  ids.forEach((id, index) => {
    if (!defined.includes(id)) {
      problems.push({
        path: ['service', 'extensions', index],
        message: `extension ${JSON.stringify(id)} is not defined under extensions (defined: ${defined.length > 0 ? defined.join(', ') : 'none'})`,
      });
    }
  });
  return [...ids];
}

function toIssues(problems: readonly SchemaProblem[], options: ResolveConfigOptions): ConfigIssue[] {
  return problems.map((problem) => {
    const line = options.locate?.(problem.path);
    return { path: formatYamlPath(problem.path), message: problem.message, file: options.file, ...(line !== undefined && { line }) };
  });
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSignal(text: string): text is Signal {
  return (SIGNALS as readonly string[]).includes(text);
}
