import { LineCounter, parseDocument } from 'yaml';
import type { ComponentRegistry } from './component-registry';
import { ConfigError } from './config-error';
import { sortConfigIssues } from './config-issue';
import type { ConfigIssue } from './config-issue';
import { substituteEnvInDocument } from './env-substitution';
import { resolveConfigData } from './resolve-config';
import type { SlowatchConfig } from './slowatch-config';
import { createLineLocator } from './yaml-locator';
import { formatYamlPath } from './yaml-path';

export interface ParseConfigOptions {
  /** The file as shown in issues (`otel-config.yaml`). */
  readonly file: string;
  /** For `${env:NAME}` references and OTEL_* fallbacks. */
  readonly env: NodeJS.ProcessEnv;
  /** Absolute directory of the config file, for paths the config names relative to it. */
  readonly configDir?: string;
  /** @default builtInComponents */
  readonly registry?: ComponentRegistry;
}

/**
 * YAML text → resolved configuration: parse (syntax errors stop here, with
 * line and column), expand `${env:…}` references on the parsed nodes, then
 * validate and resolve everything, reporting all issues at once.
 */
export function parseConfigText(text: string, options: ParseConfigOptions): SlowatchConfig {
  const lineCounter = new LineCounter();
  // merge: YAML merge keys (<<), which the Collector's YAML library accepts too.
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const position = error.linePos?.[0];
        return {
          path: '',
          message: `YAML syntax error: ${syntaxMessage(error.message)}`,
          file: options.file,
          ...(position !== undefined && { line: position.line, column: position.col }),
        };
      }),
    );
  }

  const locate = createLineLocator(doc, lineCounter);
  const substitution = substituteEnvInDocument(doc, options.env, formatYamlPath);
  const substitutionIssues: ConfigIssue[] = substitution.problems.map((problem) => {
    const line = problem.offset !== undefined ? lineCounter.linePos(problem.offset).line : locate(problem.path);
    return { path: formatYamlPath(problem.path), message: problem.reason, file: options.file, ...(line !== undefined && { line }) };
  });

  const outcome = resolveConfigData(doc.toJS({ maxAliasCount: 1000 }), {
    file: options.file,
    env: options.env,
    locate,
    ...(options.configDir !== undefined && { configDir: options.configDir }),
    ...(options.registry && { registry: options.registry }),
  });
  if (outcome.ok && substitutionIssues.length === 0) return outcome.config;

  // A value whose reference could not be expanded is reported once, for the reference.
  const unexpanded = new Set(substitutionIssues.map((issue) => issue.path));
  const validationIssues = (outcome.ok ? [] : outcome.issues)
    .filter((issue) => !unexpanded.has(issue.path))
    .map((issue) => withOriginalText(issue, substitution.originals));
  throw new ConfigError(sortConfigIssues([...substitutionIssues, ...validationIssues]));
}

/** An error about an expanded value also shows what was written: `got "x:abc" (from "${env:HOST}:${env:PORT}")`. */
function withOriginalText(issue: ConfigIssue, originals: ReadonlyMap<string, string>): ConfigIssue {
  const original = originals.get(issue.path);
  return original === undefined ? issue : { ...issue, message: `${issue.message} (from "${original}")` };
}

/** The yaml library's first line, without its own " at line 3, column 5:" (we add the position our way). */
function syntaxMessage(message: string): string {
  const firstLine = message.split('\n', 1)[0] ?? message;
  return firstLine.replace(/ at line \d+, column \d+:?$/, '').trim();
}
