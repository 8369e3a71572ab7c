import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_EXIT, addReportCommand, reportFormatOf, runReport } from '../../src/cli/report-command';
import type { ReportCommandOptions, ReportIo } from '../../src/cli/report-command';
import { STORE_FROM_MS, writeReportStoreFixture } from '../report/report-store-fixture';

/** `slowatch report` over the fixed SQLite store; its output is compared with the store goldens. */
const GOLDEN_DIR = path.join(__dirname, '..', 'report', 'golden');
const golden = (file: string): string => readFileSync(path.join(GOLDEN_DIR, file), 'utf8');
const MAY = { from: '2024-05-01', to: '2024-06-01' } as const;
const NOW = Date.UTC(2024, 5, 1);

interface Captured {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
let storePath: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-report-cli-'));
  storePath = path.join(dir, 'slowatch.db');
  writeReportStoreFixture(storePath);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(options: ReportCommandOptions, io: Partial<ReportIo> = {}, isTTY = false): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runReport(options, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY, columns: 100, write: (text: string) => (stderr += text) },
    cwd: dir,
    env: {},
    nowMs: () => NOW,
    ...io,
  });
  return { exitCode, stdout, stderr };
}

describe('slowatch report from a store', () => {
  it('writes the Markdown report to stdout, as in the golden file', async () => {
    expect(await run({ ...MAY, store: storePath })).toEqual({ exitCode: REPORT_EXIT.ok, stdout: golden('store-report.md'), stderr: '' });
  });

  it('reads ./data/slowatch.db relative to the working directory by default', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'slowatch-report-cwd-'));
    try {
      writeReportStoreFixture(path.join(cwd, 'data', 'slowatch.db'));
      const result = await run({ ...MAY, format: 'json' }, { cwd });
      expect(result).toEqual({ exitCode: REPORT_EXIT.ok, stdout: golden('store-report.json'), stderr: '' });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('writes --out in the format its extension names, or the one --format names', async () => {
    expect(await run({ ...MAY, store: storePath, out: 'report.html' })).toEqual({ exitCode: REPORT_EXIT.ok, stdout: '', stderr: '' });
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toBe(golden('store-report.html'));
    expect((await run({ ...MAY, store: storePath, out: 'report.txt', format: 'json' })).exitCode).toBe(REPORT_EXIT.ok);
    expect(readFileSync(path.join(dir, 'report.txt'), 'utf8')).toBe(golden('store-report.json'));
  });

  it('reads only the --slo named, and lists the known SLOs for an unknown one', async () => {
    const one = await run({ ...MAY, store: storePath, slos: ['catalog-latency'], format: 'json' });
    expect(one.exitCode).toBe(REPORT_EXIT.ok);
    expect((JSON.parse(one.stdout) as { slos: { name: string }[] }).slos.map((slo) => slo.name)).toEqual(['catalog-latency']);
    expect(await run({ ...MAY, store: storePath, slos: ['checkout'] })).toEqual({
      exitCode: REPORT_EXIT.failed,
      stdout: '',
      stderr: 'slowatch report: unknown SLO "checkout"; known: catalog-latency, checkout-availability\n',
    });
  });

  it('takes --period as the duration ending now', async () => {
    const result = await run({ period: '31d', store: storePath, format: 'json' });
    const report = JSON.parse(result.stdout) as { period: { fromMs: number; toMs: number; label: string } };
    expect(report.period).toEqual({ fromMs: STORE_FROM_MS, toMs: NOW, label: '31d' });
  });

  it('never creates a store: a missing file is a clear error and stays missing', async () => {
    const missing = path.join(dir, 'nowhere', 'slowatch.db');
    const result = await run({ ...MAY, store: missing });
    expect(result.exitCode).toBe(REPORT_EXIT.failed);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `slowatch report: store ${missing} does not exist; run the gateway with extensions.storage to create it, or pass --store PATH (or --prometheus URL)\n`,
    );
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(path.dirname(missing))).toBe(false);
  });

  it('refuses a file that is not a store, leaving it untouched', async () => {
    const foreign = path.join(dir, 'notes.txt');
    writeFileSync(foreign, 'not a database\n'.repeat(100));
    const result = await run({ ...MAY, store: foreign });
    expect(result.exitCode).toBe(REPORT_EXIT.failed);
    expect(result.stderr).toMatch(/^slowatch report: store .*notes\.txt /);
    expect(readFileSync(foreign, 'utf8')).toBe('not a database\n'.repeat(100));
  });

  it('reports an output file it cannot write', async () => {
    const result = await run({ ...MAY, store: storePath, out: path.join(dir, 'no-such-dir', 'r.md') });
    expect(result.exitCode).toBe(REPORT_EXIT.failed);
    expect(result.stderr).toMatch(/^slowatch report: cannot write .*r\.md: ENOENT\n$/);
  });

  it('draws a progress bar on a terminal and erases it; nothing when stderr is piped', async () => {
    const tty = await run({ ...MAY, store: storePath }, {}, true);
    expect(tty.exitCode).toBe(REPORT_EXIT.ok);
    expect(tty.stdout).toBe(golden('store-report.md'));
    expect(tty.stderr).toContain('\rslowatch report: reading SLOs [##############################] 2/2');
    expect(tty.stderr.endsWith('\r\u001b[K')).toBe(true);
    const piped = await run({ ...MAY, store: storePath }, {}, false);
    expect(piped.stderr).toBe('');
  });
});

describe('slowatch report usage', () => {
  it.each([
    [{ format: 'pdf' }, '--format must be md, html, json, got "pdf"'],
    [{ store: 'a.db', prometheus: 'http://127.0.0.1:9090' }, '--store and --prometheus are two sources: give one (the store is the default)'],
    [{ configPath: 'otel-config.yaml' }, '--config applies to --prometheus (where the objectives come from); a store remembers its own objectives'],
    [{ period: '30x' }, '--period "30x": unknown unit "x"; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
    [{ from: '2024-05-01', to: 'June' }, '--to "June": expected RFC 3339 (2024-05-01T00:00:00Z, 2024-05-01T02:00:00+02:00) or a UTC date (2024-05-01)'],
    [{ slos: [''] }, '--slo must not be empty (leave it out for every SLO)'],
  ] as [ReportCommandOptions, string][])('%o: exit 2, one line naming the flag', async (options, message) => {
    expect(await run(options)).toEqual({ exitCode: REPORT_EXIT.usage, stdout: '', stderr: `slowatch report: ${message}\n` });
  });

  it('picks the format from --format, else the --out extension, else Markdown', () => {
    expect(reportFormatOf(undefined, undefined)).toEqual({ format: 'md' });
    expect(reportFormatOf(undefined, 'r.HTML')).toEqual({ format: 'html' });
    expect(reportFormatOf(undefined, 'r.json')).toEqual({ format: 'json' });
    expect(reportFormatOf(undefined, 'r.txt')).toEqual({ format: 'md' });
    expect(reportFormatOf('markdown', 'r.json')).toEqual({ format: 'md' });
    expect(reportFormatOf('json', undefined)).toEqual({ format: 'json' });
  });

  it('registers on the program: repeatable --slo, exit code set, commander errors exit 2', async () => {
    let stdout = '';
    let stderr = '';
    let exitCode: number | undefined;
    const program = new Command('slowatch').exitOverride();
    addReportCommand(program, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { isTTY: false, write: (text: string) => (stderr += text) },
      cwd: () => dir,
      env: {},
      nowMs: () => NOW,
      setExitCode: (code) => (exitCode = code),
      exit: (code) => {
        throw new Error(`exit ${code}`);
      },
    });
    await program.parseAsync(['report', '--from', '2024-05-01', '--to', '2024-06-01', '--store', storePath, '--slo', 'catalog-latency', '--slo', 'checkout-availability'], { from: 'user' });
    expect(exitCode).toBe(REPORT_EXIT.ok);
    expect(stdout).toBe(golden('store-report.md'));
    await expect(program.parseAsync(['report', '--colour'], { from: 'user' })).rejects.toThrow('exit 2');
    expect(stderr).toContain("unknown option '--colour'");
  });
});
