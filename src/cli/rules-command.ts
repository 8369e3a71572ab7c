import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error';
import { formatConfigIssue } from '../config/config-issue';
import { tryParseDuration } from '../config/duration';
import { loadConfig } from '../config/load-config';
import { DEFAULT_RULES_VERSION, generateRuleGroups } from '../rules/generate-slo-rules';
import { renderConfigRules } from '../rules/objective-rules';
import { isOpensloV1alpha, parseOpensloV1alpha } from '../rules/openslo-v1alpha';
import { renderRuleFile } from '../rules/render-rule-file';
import type { RuleSlo } from '../rules/rule-model';
import { RulesInputError } from '../rules/rules-input-error';
import { parseSlothAlertWindows } from '../rules/sloth-alert-windows';
import type { SlothAlertWindows } from '../rules/sloth-alert-windows';
import { parseSlothSpec } from '../rules/sloth-spec';
import type { TextOutput } from './validate-command';
import { processExitHooks } from './process-exit-hooks';

/** Exit codes of `slowatch rules`. */
export const RULES_EXIT = {
  ok: 0,
  /** The configuration or spec cannot be turned into rules, or the output cannot be written. */
  invalid: 1,
  /** Bad usage: an unknown option, a malformed --extra-label, --sloth with --config. */
  usage: 2,
} as const;

/** Largest spec or windows file read (a spec is a few KB; this bounds memory on a wrong path). */
export const MAX_SPEC_FILE_BYTES = 4 * 1024 * 1024;

export interface RulesCommandOptions {
  /** `--config PATH`; else $SLOWATCH_CONFIG, ./otel-config.yaml, the built-in defaults. */
  readonly configPath?: string | undefined;
  /** `--out FILE`; undefined: stdout. */
  readonly out?: string | undefined;
  /** `--sloth FILE`: convert a Sloth prometheus/v1 (or OpenSLO v1alpha) spec instead of the configuration. */
  readonly sloth?: string | undefined;
  /** `--slo-period`, the period of --sloth SLOs (Sloth's --default-slo-period). @default '30d' */
  readonly sloPeriod?: string | undefined;
  /** `--windows FILE`, repeatable: Sloth AlertWindows files for --sloth. @default [] */
  readonly windows?: readonly string[];
  /** `--extra-label k=v`, repeatable: added to every recording rule. @default [] */
  readonly extraLabels?: readonly string[];
  /** `sloth_version` of sloth_slo_info. @default 'slowatch' */
  readonly version?: string;
}

export interface RulesIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** @default fs.readFileSync(path, 'utf8'), refusing files over MAX_SPEC_FILE_BYTES */
  readonly readTextFile?: (absolutePath: string) => string;
  /** @default fs.writeFileSync */
  readonly writeTextFile?: (absolutePath: string, text: string) => void;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * `slowatch rules`: the Prometheus recording and alerting rules of the
 * configuration's objectives (or of a Sloth spec with --sloth), Sloth's
 * names and labels, to stdout or --out. Never throws for bad input: one
 * line per issue on stderr and exit code 1 (2 for usage).
 */
export function runRules(options: RulesCommandOptions, io: RulesIo): number {
  const usage = (message: string): number => {
    io.stderr.write(`slowatch rules: ${message}\n`);
    return RULES_EXIT.usage;
  };
  const extraLabels: Record<string, string> = {};
  for (const text of options.extraLabels ?? []) {
    const separator = text.indexOf('=');
    const key = separator === -1 ? '' : text.slice(0, separator);
    if (!LABEL_NAME.test(key) || key.startsWith('__')) return usage(`--extra-label ${text}: expected NAME=VALUE with a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not __*)`);
    extraLabels[key] = text.slice(separator + 1);
  }
  if (options.sloth !== undefined && options.configPath !== undefined) return usage('--sloth converts a spec file; it cannot be combined with --config');
  if (options.sloth === undefined && (options.sloPeriod !== undefined || (options.windows ?? []).length > 0)) {
    return usage('--slo-period and --windows apply to --sloth specs only (objectives carry their own window and alerting windows)');
  }
  const version = options.version ?? DEFAULT_RULES_VERSION;
  const read = io.readTextFile ?? readBoundedFile;
  let yaml: string;
  try {
    if (options.sloth === undefined) {
      const loaded = loadConfig({ configPath: options.configPath, env: io.env, cwd: io.cwd });
      const rules = renderConfigRules(loaded.config, { version, extraLabels });
      for (const note of rules.notes) io.stderr.write(`slowatch rules: note: ${note}\n`);
      yaml = rules.yaml;
    } else {
      const periodText = options.sloPeriod ?? '30d';
      const period = tryParseDuration(periodText);
      if (!period.ok || period.ms <= 0) return usage(`--slo-period ${periodText}: expected a duration such as 30d or 28d`);
      const alertWindows: SlothAlertWindows[] = (options.windows ?? []).map((file) => parseSlothAlertWindows(read(resolve(io.cwd, file)), file));
      const text = read(resolve(io.cwd, options.sloth));
      const slos: RuleSlo[] = isOpensloV1alpha(text)
        ? parseOpensloV1alpha(text, { alertWindows, file: options.sloth })
        : parseSlothSpec(text, { periodMs: period.ms, alertWindows, file: options.sloth });
      yaml = renderRuleFile(generateRuleGroups(slos, { version, extraLabels }), { header: [`Code generated by slowatch rules (${version}) from ${options.sloth}.`, 'DO NOT EDIT.'] });
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const issue of error.issues) io.stderr.write(`${formatConfigIssue(issue)}\n`);
      return RULES_EXIT.invalid;
    }
    if (!(error instanceof RulesInputError || error instanceof SpecFileError)) throw error;
    for (const line of error.message.split('\n')) io.stderr.write(`slowatch rules: ${line}\n`);
    return RULES_EXIT.invalid;
  }
  if (options.out === undefined) {
    io.stdout.write(yaml);
    return RULES_EXIT.ok;
  }
  const target = resolve(io.cwd, options.out);
  try {
    (io.writeTextFile ?? ((file: string, text: string) => writeFileSync(file, text)))(target, yaml);
  } catch (error) {
    io.stderr.write(`slowatch rules: cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return RULES_EXIT.invalid;
  }
  return RULES_EXIT.ok;
}

/** A spec or windows file that cannot be read. */
class SpecFileError extends Error {
  override readonly name = 'SpecFileError';
}

function readBoundedFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpecFileError(code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file} (${code ?? String(error)})`);
  }
  if (text.length > MAX_SPEC_FILE_BYTES) throw new SpecFileError(`${file}: larger than ${MAX_SPEC_FILE_BYTES} bytes, not a spec file`);
  return text;
}

/** What the registered command runs against; the process's own unless replaced (tests). */
export interface RulesProcess {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly cwd: () => string;
  readonly env: NodeJS.ProcessEnv;
  readonly setExitCode: (code: number) => void;
  /** Ends at once (commander's usage errors and --help); must not return. */
  readonly exit: (code: number) => never;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Registers `slowatch rules` on `program`; `sloth_version` is the program's version. */
export function addRulesCommand(program: Command, overrides: Partial<RulesProcess> = {}): void {
  const io: RulesProcess = {
    stdout: overrides.stdout ?? process.stdout,
    stderr: overrides.stderr ?? process.stderr,
    cwd: overrides.cwd ?? (() => process.cwd()),
    env: overrides.env ?? process.env,
    ...processExitHooks(overrides),
  };
  program
    .command('rules')
    .description("write Prometheus recording and alerting rules for the SLOs (Sloth's names and labels)")
    .option('--config <path>', 'config file (default: $SLOWATCH_CONFIG, then ./otel-config.yaml, then built-in defaults)')
    .option('--out <file>', 'write the rules to this file (default: stdout)')
    .option('--sloth <file>', 'convert a Sloth prometheus/v1 spec (or OpenSLO v1alpha) instead of the configuration')
    .option('--slo-period <duration>', 'period of --sloth SLOs, as Sloth --default-slo-period (default: 30d)')
    .option('--windows <file>', 'Sloth AlertWindows file for --sloth periods other than 30d and 28d; repeatable', collect, [])
    .option('--extra-label <name=value>', 'label added to every recording rule; repeatable', collect, [])
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .exitOverride((error: CommanderError) => io.exit(error.exitCode === 0 ? RULES_EXIT.ok : RULES_EXIT.usage))
    .action((options: { config?: string; out?: string; sloth?: string; sloPeriod?: string; windows: string[]; extraLabel: string[] }) => {
      const version = program.version();
      io.setExitCode(
        runRules(
          {
            configPath: options.config,
            out: options.out,
            sloth: options.sloth,
            sloPeriod: options.sloPeriod,
            windows: options.windows,
            extraLabels: options.extraLabel,
            ...(version !== undefined && { version }),
          },
          { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd(), env: io.env },
        ),
      );
    });
}
