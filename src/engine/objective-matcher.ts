import type { ObjectiveSpec } from '../slo/objective';
import type { SpanSample } from './span-sample';
import { attributeValueToString } from './span-sample';
import { OTLP_SPAN_KIND_OF } from './span-kind-names';
import type { OperationNamer } from './span-semantics';

/** Bound on remembered operation verdicts per objective; beyond it we match afresh. */
const OPERATION_VERDICT_CACHE = 4096;

/**
 * Decides whether a span counts toward one objective. Everything that can be
 * decided from the spec is decided here, once: the kind number, the exact
 * operation set, compiled glob patterns, attribute pairs as arrays.
 */
export class ObjectiveMatcher {
  private readonly kind: number | undefined;
  private readonly service: string | undefined;
  private readonly exactOperations: ReadonlySet<string>;
  private readonly operationPatterns: readonly RegExp[];
  private readonly matchesEveryOperation: boolean;
  private readonly attributeKeys: readonly string[];
  private readonly attributeValues: readonly string[];
  private readonly verdicts = new Map<string, boolean>();

  constructor(spec: ObjectiveSpec) {
    this.kind = spec.selector.spanKind === undefined ? undefined : OTLP_SPAN_KIND_OF[spec.selector.spanKind];
    this.service = spec.service;
    const exact = new Set<string>();
    const patterns: RegExp[] = [];
    for (const op of spec.selector.operations) {
      if (op.includes('*')) patterns.push(globToRegExp(op));
      else exact.add(op);
    }
    this.exactOperations = exact;
    this.operationPatterns = patterns;
    this.matchesEveryOperation = spec.selector.operations.length === 0;
    this.attributeKeys = Object.keys(spec.selector.attributes);
    this.attributeValues = this.attributeKeys.map((k) => spec.selector.attributes[k] ?? '');
  }

  /** Whether the matcher needs the operation name (so callers can skip computing it). */
  get needsOperation(): boolean {
    return !this.matchesEveryOperation;
  }

  matches(span: SpanSample, namer: OperationNamer): boolean {
    if (this.kind !== undefined && span.kind !== this.kind) return false;
    if (this.service !== undefined && span.service !== this.service) return false;
    for (let i = 0; i < this.attributeKeys.length; i++) {
      const value = span.attribute(this.attributeKeys[i] as string);
      if (value === undefined || attributeValueToString(value) !== this.attributeValues[i]) return false;
    }
    if (this.matchesEveryOperation) return true;
    return this.matchesOperation(namer.operation(span));
  }

  private matchesOperation(operation: string): boolean {
    if (this.exactOperations.has(operation)) return true;
    if (this.operationPatterns.length === 0) return false;
    const known = this.verdicts.get(operation);
    if (known !== undefined) return known;
    let verdict = false;
    for (const pattern of this.operationPatterns) {
      if (pattern.test(operation)) {
        verdict = true;
        break;
      }
    }
    if (this.verdicts.size < OPERATION_VERDICT_CACHE) this.verdicts.set(operation, verdict);
    return verdict;
  }
}

/** `*` matches any run of characters (including none); everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}
