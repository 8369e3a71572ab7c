import { describeValue } from '../config/describe-value';
import type { RulesInputIssue } from './rules-input-error';

/**
 * A small reader over a parsed YAML document that records an issue (with
 * its path) instead of throwing, so a spec file reports all its problems at
 * once. Every accessor returns undefined when the value is absent or wrong.
 */
export class SpecReader {
  readonly issues: RulesInputIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  /** A mapping; reports keys not in `known` (when given). */
  mapping(value: unknown, path: string, known?: readonly string[]): Readonly<Record<string, unknown>> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(path, `must be a mapping, got ${describeValue(value)}`);
    }
    const record = value as Record<string, unknown>;
    if (known !== undefined) {
      for (const key of Object.keys(record)) {
        if (!known.includes(key)) this.fail(join(path, key), `unknown key; valid keys: ${known.join(', ')}`);
      }
    }
    return record;
  }

  optionalMapping(value: unknown, path: string, known?: readonly string[]): Readonly<Record<string, unknown>> | undefined {
    return value === undefined || value === null ? {} : this.mapping(value, path, known);
  }

  list(value: unknown, path: string): readonly unknown[] | undefined {
    if (!Array.isArray(value)) return this.fail(path, `must be a list, got ${describeValue(value)}`);
    return value as readonly unknown[];
  }

  string(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') return this.fail(path, `must be a non-empty string, got ${describeValue(value)}`);
    return value;
  }

  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path);
  }

  number(value: unknown, path: string, accepts: (n: number) => boolean, rule: string): number | undefined {
    if (typeof value !== 'number' || !Number.isFinite(value) || !accepts(value)) return this.fail(path, `must be ${rule}, got ${describeValue(value)}`);
    return value;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') return this.fail(path, `must be true or false, got ${describeValue(value)}`);
    return value;
  }

  /** A mapping of label (or annotation) names to scalar values, turned into strings. */
  stringMap(value: unknown, path: string): Readonly<Record<string, string>> {
    if (value === undefined || value === null) return {};
    const record = this.mapping(value, path);
    if (record === undefined) return {};
    const result: Record<string, string> = {};
    for (const [key, item] of Object.entries(record)) {
      if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') result[key] = String(item);
      else this.fail(join(path, key), `must be a string, got ${describeValue(item)}`);
    }
    return result;
  }
}

/** `slos[0]` + `sli` → `slos[0].sli`; numbers become `[i]`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}
