import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command, CommanderError } from 'commander';
import { buildDashboards, renderDashboardJson } from '../dashboards/build-dashboards';
import type { TextOutput } from './validate-command';
import { processExitHooks } from './process-exit-hooks';

/*
 * `slowatch dashboards`: writes the Grafana dashboards (built in code with
 * grafana-foundation-sdk, see src/dashboards/) as JSON files, prints them,
 * or checks that checked-in files are current.
 */

/** Exit codes of `slowatch dashboards`. */
export const DASHBOARDS_EXIT = {
  /** Written, printed, or (`--check`) every file is current. */
  ok: 0,
  /** `--check`: a file is missing or differs from what would be written. */
  stale: 1,
  /** Bad usage, or a file could not be written or read: one line on stderr. */
  usage: 2,
} as const;

/** `slowatch dashboards` options as parsed from the command line. */
export interface DashboardsCommandOptions {
  /** `--out DIR`: write `DIR/<uid>.json`, creating DIR. @default print every dashboard to stdout */
  readonly out?: string | undefined;
  /** `--check`: compare the files in `--out` with what would be written instead of writing. @default false */
  readonly check?: boolean | undefined;
}

/** Where `runDashboards` writes; the process and the file system in the CLI, fakes in tests. */
export interface DashboardsCommandIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  /** @default fs.writeFileSync after fs.mkdirSync(dirname, { recursive: true }) */
  readonly writeFile?: (filePath: string, text: string) => void;
  /** @default fs.readFileSync(path, 'utf8') */
  readonly readFile?: (filePath: string) => string;
}

/**
 * Writes every dashboard to `--out` (one line per file on stdout), or with
 * `--check` reports the files that are missing or stale, or without `--out`
 * prints the dashboards one after the other (a JSON stream `jq` reads).
 * Returns the exit code (`DASHBOARDS_EXIT`); never throws for I/O errors.
 */
export function runDashboards(options: DashboardsCommandOptions, io: DashboardsCommandIo): number {
  const fail = (message: string): number => {
    io.stderr.write(`slowatch dashboards: ${message}\n`);
    return DASHBOARDS_EXIT.usage;
  };
  if (options.out === '') return fail('--out must name a directory');
  if (options.check === true && options.out === undefined) return fail('--check needs --out DIR, the directory to compare');
  const rendered = buildDashboards().map(({ fileName, dashboard }) => ({ fileName, text: renderDashboardJson(dashboard) }));

  if (options.out === undefined) {
    io.stdout.write(rendered.map((r) => r.text).join(''));
    return DASHBOARDS_EXIT.ok;
  }
  const dir = options.out;
  if (options.check === true) {
    const read = io.readFile ?? ((filePath: string) => readFileSync(filePath, 'utf8'));
    const stale: string[] = [];
    for (const { fileName, text } of rendered) {
      const filePath = path.join(dir, fileName);
      let current: string | undefined;
      try {
        current = read(filePath);
      } catch {
        current = undefined;
      }
      if (current !== text) stale.push(`${filePath}: ${current === undefined ? 'missing' : 'differs from the generated dashboard'}`);
    }
    if (stale.length === 0) {
      io.stdout.write(`${rendered.length} dashboards in ${dir} are current\n`);
      return DASHBOARDS_EXIT.ok;
    }
    io.stderr.write(`${stale.join('\n')}\nrun: slowatch dashboards --out ${dir}\n`);
    return DASHBOARDS_EXIT.stale;
  }
  const write =
    io.writeFile ??
    ((filePath: string, text: string) => {
      mkdirSync(path.dirname(filePath), { recursive: true });
      writeFileSync(filePath, text);
    });
  for (const { fileName, text } of rendered) {
    const filePath = path.join(dir, fileName);
    try {
      write(filePath, text);
    } catch (error) {
      return fail(`cannot write ${filePath}: ${error instanceof Error ? error.message : String(error)}`);
    }
    io.stdout.write(`${filePath}\n`);
  }
  return DASHBOARDS_EXIT.ok;
}

/** What `addDashboardsCommand` wires the subcommand to; the process unless a test injects fakes. */
export interface DashboardsCliIo extends DashboardsCommandIo {
  /** Receives runDashboards' exit code. @default sets process.exitCode (lets stdout drain) */
  readonly setExitCode?: (code: number) => void;
  /** Ends a command-line parse error (exit 2) or --help (exit 0). @default process.exit */
  readonly exit?: (code: number) => void;
}

/** Adds `slowatch dashboards` to the program. */
export function addDashboardsCommand(program: Command, io: DashboardsCliIo = { stdout: process.stdout, stderr: process.stderr }): void {
  const { setExitCode, exit } = processExitHooks(io);
  program
    .command('dashboards')
    .description('write the Grafana dashboards (SLO overview, SLO detail, service performance, recommendations and events) as JSON')
    .option('--out <dir>', 'write <dir>/<uid>.json for each dashboard (default: print them to stdout)')
    .option('--check', 'with --out: exit 1 when a file in <dir> is missing or differs from the generated dashboard')
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .exitOverride((error: CommanderError) => {
      exit(error.exitCode === 0 ? DASHBOARDS_EXIT.ok : DASHBOARDS_EXIT.usage);
      throw error;
    })
    .action((options: DashboardsCommandOptions) => {
      setExitCode(runDashboards(options, io));
    });
}
