import { describeValue } from '../describe-value';
import { tryParseDuration } from '../duration';
import type { RulesInputIssue } from '../../rules/rules-input-error';
import type { SlothPluginSli } from '../../rules/sloth-spec';
import { SPAN_KIND_NAMES } from '../../engine/span-kind-names';
import type { SliSpec, SpanSelector } from '../../slo/objective';

/**
 * Sloth SLIs are PromQL, which slowatch cannot evaluate over spans. By
 * convention, two Sloth SLI plugin ids name slowatch's own SLIs instead:
 *
 *   sli:
 *     plugin:
 *       id: slowatch/latency          # or slowatch/availability
 *       options:
 *         operations: ["GET /cart"]   # span names, `*` as a wildcard; default: every operation
 *         span_kind: server           # or client, internal, producer, consumer, any; default: server
 *         attributes: { deployment.environment: prod }
 *         threshold: 300ms            # latency only, required
 *
 * Sloth itself types plugin options as a string map; we also take YAML lists
 * and mappings for operations and attributes, and a comma-separated string
 * for operations, so a spec Sloth's own tooling accepts stays usable here.
 */

export const SLOWATCH_PLUGIN_IDS = ['slowatch/availability', 'slowatch/latency'] as const;

export type SlothPluginMapping =
  | { readonly ok: true; readonly sli: SliSpec; readonly selector: SpanSelector }
  | { readonly ok: false; readonly issues: readonly RulesInputIssue[] };

const SPAN_KINDS = [...SPAN_KIND_NAMES, 'any'] as const;

/**
 * @param sliPath where the SLI is, e.g. `slos[0].sli`; issues name the plugin's fields under it.
 * @param defaultSpanKind the processor's default selector kind (server).
 */
export function mapSlothPluginSli(plugin: SlothPluginSli, sliPath: string, defaultSpanKind: SpanSelector['spanKind'] | 'any'): SlothPluginMapping {
  const issues: RulesInputIssue[] = [];
  const at = (field: string) => `${sliPath}.plugin.${field}`;
  const fail = (field: string, message: string) => void issues.push({ path: at(field), message });

  const kind = plugin.id === 'slowatch/availability' ? 'availability' : plugin.id === 'slowatch/latency' ? 'latency' : undefined;
  if (kind === undefined) {
    fail('id', `must be ${SLOWATCH_PLUGIN_IDS.join(' or ')} (other Sloth plugins run PromQL, which cannot be computed from spans), got ${describeValue(plugin.id)}`);
  }
  const known = kind === 'availability' ? ['operations', 'span_kind', 'attributes'] : ['operations', 'span_kind', 'attributes', 'threshold'];
  for (const key of Object.keys(plugin.options)) {
    if (!known.includes(key)) fail(`options.${key}`, `unknown option${kind === 'availability' && key === 'threshold' ? ' for slowatch/availability (threshold is for slowatch/latency)' : ''}; valid options: ${known.join(', ')}`);
  }

  const operations = readOperations(plugin.options.operations, (message) => fail('options.operations', message));
  const attributes = readAttributes(plugin.options.attributes, (key, message) => fail(`options.attributes${key === undefined ? '' : `.${key}`}`, message));
  const spanKindValue = plugin.options.span_kind ?? defaultSpanKind;
  const spanKind = (SPAN_KINDS as readonly unknown[]).includes(spanKindValue) ? (spanKindValue as (typeof SPAN_KINDS)[number]) : undefined;
  if (spanKind === undefined) fail('options.span_kind', `must be one of ${SPAN_KINDS.join(', ')}, got ${describeValue(spanKindValue)}`);

  let thresholdMs: number | undefined;
  if (kind === 'latency') {
    const threshold = plugin.options.threshold;
    const parsed = typeof threshold === 'string' ? tryParseDuration(threshold) : undefined;
    if (parsed?.ok === true && parsed.ms > 0) thresholdMs = parsed.ms;
    else if (parsed?.ok === false) fail('options.threshold', `slowatch/latency needs a duration > 0 such as 300ms: ${parsed.reason}`);
    else fail('options.threshold', `slowatch/latency needs a duration > 0 such as 300ms, got ${describeValue(threshold)}`);
  }

  if (issues.length > 0 || kind === undefined || spanKind === undefined || operations === undefined || attributes === undefined) return { ok: false, issues };
  const sli: SliSpec = kind === 'latency' && thresholdMs !== undefined ? { kind: 'latency', thresholdMs } : { kind: 'availability' };
  return { ok: true, sli, selector: { ...(spanKind !== 'any' && { spanKind }), operations, attributes } };
}

function readOperations(value: unknown, fail: (message: string) => void): string[] | undefined {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? value.split(',').map((name) => name.trim()) : value;
  if (!Array.isArray(list) || !list.every((name): name is string => typeof name === 'string' && name.trim() !== '')) {
    fail(`must be a list of operation names (or one comma-separated string), got ${describeValue(value)}`);
    return undefined;
  }
  return list;
}

function readAttributes(value: unknown, fail: (key: string | undefined, message: string) => void): Record<string, string> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail(undefined, `must be a mapping of attribute names to values, got ${describeValue(value)}`);
    return undefined;
  }
  const attributes: Record<string, string> = {};
  let ok = true;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') attributes[key] = String(item);
    else {
      fail(key, `must be a string, number or boolean, got ${describeValue(item)}`);
      ok = false;
    }
  }
  return ok ? attributes : undefined;
}
