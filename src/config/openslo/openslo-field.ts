import { describeValue } from '../describe-value';
import type { YamlPathSegment } from '../yaml-path';
import { isMapping } from './openslo-documents';
import type { OpenSloDocument } from './openslo-documents';
import type { OpenSloProblem } from './openslo-problem';

/**
 * A value inside an OpenSLO document together with where it is, so that every
 * check can report a problem naming the exact field. Reading never throws:
 * a wrong value is reported (once) and read as undefined, and the mapping
 * carries on to find the document's other problems in the same run.
 */
export class OpenSloField {
  constructor(
    readonly document: OpenSloDocument,
    readonly path: readonly YamlPathSegment[],
    readonly value: unknown,
    private readonly problems: OpenSloProblem[],
  ) {}

  /** The whole document (its `apiVersion`, `kind`, `metadata`, `spec`). */
  static root(document: OpenSloDocument, problems: OpenSloProblem[]): OpenSloField {
    return new OpenSloField(document, [], document.value, problems);
  }

  /** True when the value is absent or an empty YAML value. */
  get isAbsent(): boolean {
    return this.value === undefined || this.value === null;
  }

  get(key: string): OpenSloField {
    const value = isMapping(this.value) ? this.value[key] : undefined;
    return new OpenSloField(this.document, [...this.path, key], value, this.problems);
  }

  /** Reports a problem at this field; returns undefined so callers can `return field.fail(…)`. */
  fail(message: string): undefined {
    const line = this.document.lineOf(this.path);
    this.problems.push({ file: this.document.file, document: this.document.label, field: this.path, message, ...(line !== undefined && { line }) });
    return undefined;
  }

  /** `must be <what>, got <value>`, or `required: <what>` when absent. */
  failExpecting(what: string): undefined {
    return this.fail(this.value === undefined ? `required: ${what}` : `must be ${what}, got ${describeValue(this.value)}`);
  }

  /** The value as a mapping; absent → undefined without a problem unless required. */
  mapping(what: string, required = false): Readonly<Record<string, unknown>> | undefined {
    if (this.isAbsent) return required ? this.failExpecting(what) : undefined;
    return isMapping(this.value) ? this.value : this.failExpecting(what);
  }

  /** Items of a list; absent or empty value → [] (or a problem when required). */
  items(what: string, required = false): OpenSloField[] | undefined {
    if (this.isAbsent) return required ? this.failExpecting(what) : [];
    if (!Array.isArray(this.value)) return this.failExpecting(what);
    return this.value.map((item: unknown, index) => new OpenSloField(this.document, [...this.path, index], item, this.problems));
  }

  string(what: string, required = false): string | undefined {
    if (this.isAbsent) return required ? this.failExpecting(what) : undefined;
    return typeof this.value === 'string' && this.value !== '' ? this.value : this.failExpecting(what);
  }

  number(what: string, accepts: (n: number) => boolean = Number.isFinite, required = false): number | undefined {
    if (this.isAbsent) return required ? this.failExpecting(what) : undefined;
    return typeof this.value === 'number' && Number.isFinite(this.value) && accepts(this.value) ? this.value : this.failExpecting(what);
  }

  boolean(what = 'true or false'): boolean | undefined {
    if (this.isAbsent) return undefined;
    return typeof this.value === 'boolean' ? this.value : this.failExpecting(what);
  }

  /** Reports every key of this mapping that is not in `known` (for slowatch's own mappings, which are strict). */
  rejectUnknownKeys(known: readonly string[]): void {
    if (!isMapping(this.value)) return;
    for (const key of Object.keys(this.value)) {
      if (!known.includes(key)) this.get(key).fail(`unknown key; valid keys: ${known.join(', ')}`);
    }
  }
}
