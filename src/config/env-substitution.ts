import { isMap, isScalar, isSeq, parse, Scalar } from 'yaml';
import type { Document } from 'yaml';
import type { YamlPathSegment } from './yaml-path';

/**
 * Environment references in config values, as the OpenTelemetry Collector
 * expands them:
 *
 *   ${env:NAME}            the variable's value; '' when it is not set
 *   ${env:NAME:-default}   the value, or `default` when unset or empty
 *   $$                     a literal $
 *
 * Any other `$` is kept as it is. Only values are expanded, never keys.
 */

/** Same rule as the Collector's env provider. */
const ENV_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const SYNTAX_HINT = 'write ${env:NAME} or ${env:NAME:-default}, and $$ for a literal $';

export type ExpansionResult =
  | {
      readonly ok: true;
      readonly value: string;
      /** The text was exactly one reference (no other characters), so its result may be re-read as a YAML scalar. */
      readonly wholeReference: boolean;
      /** Whether anything was expanded or unescaped. */
      readonly changed: boolean;
    }
  | { readonly ok: false; readonly reason: string };

/** Expands the references in one string. */
export function expandEnvReferences(text: string, env: NodeJS.ProcessEnv): ExpansionResult {
  let out = '';
  let references = 0;
  let changed = false;
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      changed = true;
      i = dollar + 2;
      continue;
    }
    if (next !== '{') {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close < 0) return { ok: false, reason: `unterminated reference "${text.slice(dollar)}"; ${SYNTAX_HINT}` };
    const body = text.slice(dollar + 2, close);
    if (!body.startsWith('env:')) {
      return { ok: false, reason: `unsupported reference "\${${body}}"; ${SYNTAX_HINT}` };
    }
    const spec = body.slice('env:'.length);
    const defaultAt = spec.indexOf(':-');
    const name = defaultAt < 0 ? spec : spec.slice(0, defaultAt);
    if (!ENV_NAME.test(name)) {
      return { ok: false, reason: `invalid environment variable name "${name}" in "\${${body}}"; names are letters, digits and _, not starting with a digit` };
    }
    const value = env[name];
    // As in the Collector (and shells' ${X:-d}), the default also covers a variable set to ''.
    out += defaultAt >= 0 && (value === undefined || value === '') ? spec.slice(defaultAt + 2) : (value ?? '');
    references++;
    changed = true;
    i = close + 1;
  }
  const wholeReference = references === 1 && /^\$\{[^}]*\}$/.test(text);
  return { ok: true, value: out, wholeReference, changed };
}

export interface SubstitutionProblem {
  readonly path: readonly YamlPathSegment[];
  readonly reason: string;
  /** Offset of the scalar in the source, for its line. */
  readonly offset: number | undefined;
}

export interface SubstitutionOutcome {
  readonly problems: readonly SubstitutionProblem[];
  /** Every value that was changed, by path: its text as written, to show next to errors about it. */
  readonly originals: ReadonlyMap<string, string>;
}

/**
 * Expands references in every string value of the document, in place. Working
 * on the parsed nodes (not the raw text) keeps every node's position, so
 * errors still point at the right line, and a value can never inject YAML
 * structure.
 *
 * A plain (unquoted) scalar that is exactly one reference is re-read as a YAML
 * scalar, so `port: ${env:PORT}` is a number; quoted ones stay strings.
 */
export function substituteEnvInDocument(
  doc: Document.Parsed,
  env: NodeJS.ProcessEnv,
  keyOf: (path: readonly YamlPathSegment[]) => string,
): SubstitutionOutcome {
  const problems: SubstitutionProblem[] = [];
  const originals = new Map<string, string>();

  const visit = (node: unknown, path: YamlPathSegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key === 'string' || typeof key === 'number') visit(pair.value, [...path, String(key)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    } else if (isScalar(node) && typeof node.value === 'string') {
      substituteScalar(node, path);
    }
    // Aliases are skipped: the node they point at is expanded where it is defined.
  };

  const substituteScalar = (node: Scalar, path: YamlPathSegment[]): void => {
    const original = node.value as string;
    const result = expandEnvReferences(original, env);
    if (!result.ok) {
      problems.push({ path, reason: result.reason, offset: node.range?.[0] });
      return;
    }
    if (!result.changed) return;
    originals.set(keyOf(path), original);
    node.value = result.wholeReference && node.type === Scalar.PLAIN ? reReadAsScalar(result.value) : result.value;
  };

  visit(doc.contents, []);
  return { problems, originals };
}

/**
 * `9464` → 9464, `true` → true, anything that is not a plain scalar (or is
 * empty: an unset variable stays '') → the string itself.
 */
function reReadAsScalar(text: string): unknown {
  if (text === '') return text;
  try {
    const value: unknown = parse(text);
    return value === null || typeof value === 'object' ? text : value;
  } catch {
    return text;
  }
}
