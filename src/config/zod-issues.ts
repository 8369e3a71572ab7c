import type { core } from 'zod';
import { describeValue } from './describe-value';
import type { YamlPathSegment } from './yaml-path';

/** A schema problem in our words, before it gets a file and a line. */
export interface SchemaProblem {
  readonly path: readonly YamlPathSegment[];
  readonly message: string;
}

const TYPE_NOUNS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/**
 * Fallback messages for schema parts that do not bring their own (see
 * schema-helpers.ts). Passed to every safeParse so no zod wording leaks.
 */
export function configErrorMap(issue: core.$ZodRawIssue): string {
  const got = `got ${describeValue(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type': {
      const noun = TYPE_NOUNS[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `required: ${noun}` : `must be ${noun}, ${got}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return `must not be empty, ${got}`;
      return `must be ${issue.inclusive === true ? '>=' : '>'} ${issue.minimum}, ${got}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters, ${got}`;
      return `must be ${issue.inclusive === true ? '<=' : '<'} ${issue.maximum}, ${got}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}, ${got}`;
    case 'unrecognized_keys':
      return 'unknown key';
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}, ${got}`;
    default:
      return `is not valid, ${got}`;
  }
}

/**
 * Turns zod issues into problems at YAML paths:
 * - an unknown-keys issue becomes one problem per key, located at the key;
 * - a union that failed is explained by the one alternative that matched the
 *   value's shape (a mapping for the mapping form, a string for the string
 *   form); when none or several did, by the union's own message.
 */
export function translateZodIssues(issues: readonly core.$ZodIssue[], base: readonly YamlPathSegment[] = []): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as YamlPathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: [...path, key], message: issue.message });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const shapeMatches = issue.errors.filter((branch) => !isWrongShape(branch));
      const [only] = shapeMatches;
      if (shapeMatches.length === 1 && only !== undefined) problems.push(...translateZodIssues(only, path));
      else problems.push({ path, message: issue.message });
    } else {
      problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

/**
 * The alternative rejected the value as a whole (wrong type, or not the one
 * keyword it accepts), rather than something inside it.
 */
function isWrongShape(branch: readonly core.$ZodIssue[]): boolean {
  return branch.every((issue) => issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value'));
}
