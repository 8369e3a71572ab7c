import { z } from 'zod';
import type { core } from 'zod';
import { describeValue } from './describe-value';
import { tryParseDuration } from './duration';

/**
 * Building blocks for component config schemas. Each one carries the message
 * a user should see, in our format: "must be <what is valid>, got <value>".
 * Zod's own wording ("Invalid input: expected string, received number") never
 * reaches the user: every schema built from these helpers brings its own
 * message, and configErrorMap (zod-issues.ts) covers the rest.
 */

export type ErrorFunction = (issue: core.$ZodRawIssue) => string;

/**
 * The standard message for a value that is not what `description` says:
 * `required: <description>` when missing, else `must be <description>, got <value>`.
 * `typeNoun` ("a number") is prepended when the value has the wrong type altogether.
 */
export function expects(description: string, typeNoun?: string): ErrorFunction {
  return (issue) => {
    if (issue.input === undefined) return `required: ${typeNoun === undefined ? description : `${typeNoun} ${description}`}`;
    const wrongType = issue.code === 'invalid_type' && typeNoun !== undefined;
    return `must be ${wrongType ? `${typeNoun} ${description}` : description}, got ${describeValue(issue.input)}`;
  };
}

/** A refinement that runs even when other parts of the value had errors, so all issues are reported at once. */
export const ALWAYS = { when: (): boolean => true } as const;

/**
 * A mapping with a fixed set of keys; any other key is an error that lists
 * the valid ones (the Collector's "has invalid keys" in our words).
 */
export function strictMapping<Shape extends z.ZodRawShape>(shape: Shape, description: string) {
  const keys = Object.keys(shape);
  const unknownKey = keys.length > 0 ? `unknown key; valid keys: ${keys.join(', ')}` : 'unknown key; nothing can be set here';
  const otherwise = expects(description);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKey : otherwise(issue)),
  });
}

/**
 * An empty YAML value (`selector:` with nothing after it) means "all defaults",
 * as in the Collector; treat it like an empty mapping.
 */
export function emptyMeansDefaults<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (value === null ? {} : value), schema);
}

/** Same for lists: `group_by:` with nothing is an empty list. */
export function emptyMeansNone<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (value === null ? [] : value), schema);
}

export interface DurationConstraint {
  /** What a valid value is, for the message: "a duration >= 1s". */
  readonly description: string;
  /** Returns false when the parsed duration is not acceptable. */
  readonly accepts?: (ms: number) => boolean;
}

/**
 * A duration string such as `10s` (see duration.ts). The YAML-shaped config
 * keeps the string; the resolve step converts it to milliseconds.
 */
export function durationString(constraint: DurationConstraint) {
  const otherwise = expects(constraint.description);
  const error: ErrorFunction = (issue) =>
    typeof issue.input === 'number'
      ? `must be ${constraint.description}, got ${issue.input}: a duration needs a unit (ms, s, m, h, d, w), e.g. ${issue.input}ms or ${issue.input}s`
      : otherwise(issue);
  return z.string({ error }).superRefine((text, ctx) => {
    const parsed = tryParseDuration(text);
    if (!parsed.ok) {
      ctx.addIssue({
        code: 'custom',
        input: text,
        message: `must be ${constraint.description}, got ${describeValue(text)}: ${parsed.reason}`,
      });
    } else if (constraint.accepts !== undefined && !constraint.accepts(parsed.ms)) {
      ctx.addIssue({ code: 'custom', input: text, message: `must be ${constraint.description}, got ${describeValue(text)}` });
    }
  });
}

/** A non-empty string; `what` names it in the message ("a service.name"). */
export function nonEmptyString(what: string) {
  return z.string({ error: expects(`a non-empty string (${what})`) }).min(1);
}

/** A list of non-empty strings, each at most once. */
export function uniqueStringList(what: string) {
  return z.array(nonEmptyString(what), { error: expects(`a list of ${what}`) }).superRefine(reportDuplicates);
}

/**
 * A list of names from `values` (an enum: span kinds, signals), each at most
 * once; `allowEmpty` false also refuses `[]`, naming what could be listed.
 */
export function uniqueNameList<T extends string>(values: readonly [T, ...T[]], what: string, allowEmpty: boolean) {
  const list = z.array(z.enum(values, { error: expects(`one of ${values.join(', ')}`) }), { error: expects(`a list of ${what}`) });
  return list.superRefine((items, ctx) => {
    if (!Array.isArray(items)) return;
    if (!allowEmpty && items.length === 0) ctx.addIssue({ code: 'custom', input: items, message: `must list at least one of ${values.join(', ')}, got []` });
    reportDuplicates(items, ctx);
  }, ALWAYS);
}

/** One issue per repeated item, at the repeat, naming the first place. */
function reportDuplicates(items: readonly string[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const first = seen.get(item);
    if (first !== undefined) ctx.addIssue({ code: 'custom', input: item, path: [index], message: `duplicate ${describeValue(item)}, already listed at [${first}]` });
    else seen.set(item, index);
  });
}
