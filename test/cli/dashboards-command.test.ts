import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { DASHBOARDS_EXIT, addDashboardsCommand, runDashboards } from '../../src/cli/dashboards-command';
import { buildDashboards, renderDashboardJson } from '../../src/dashboards/build-dashboards';

function buffers() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
  };
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-dashboards-cli-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('runDashboards', () => {
  it('writes one <uid>.json per dashboard into --out, creating the directory', () => {
    const dir = path.join(tempDir(), 'grafana', 'dashboards');
    const io = buffers();
    expect(runDashboards({ out: dir }, io)).toBe(DASHBOARDS_EXIT.ok);
    const expected = buildDashboards();
    expect(readdirSync(dir).sort()).toEqual(expected.map((d) => d.fileName).sort());
    for (const d of expected) expect(readFileSync(path.join(dir, d.fileName), 'utf8')).toBe(renderDashboardJson(d.dashboard));
    expect(io.out.stdout.trim().split('\n')).toEqual(expected.map((d) => path.join(dir, d.fileName)));
    expect(io.out.stderr).toBe('');
  });

  it('prints the dashboards one after the other without --out', () => {
    const io = buffers();
    expect(runDashboards({}, io)).toBe(DASHBOARDS_EXIT.ok);
    expect(io.out.stdout).toBe(buildDashboards().map((d) => renderDashboardJson(d.dashboard)).join(''));
    const first = JSON.parse(io.out.stdout.slice(0, io.out.stdout.indexOf('\n}\n') + 2)) as { uid: string };
    expect(first.uid).toBe('slowatch-slo-overview');
  });

  it('--check passes on current files and names missing and stale ones', () => {
    const dir = tempDir();
    runDashboards({ out: dir }, buffers());
    const ok = buffers();
    expect(runDashboards({ out: dir, check: true }, ok)).toBe(DASHBOARDS_EXIT.ok);
    expect(ok.out.stdout).toBe(`4 dashboards in ${dir} are current\n`);

    writeFileSync(path.join(dir, 'slowatch-slo-detail.json'), '{}\n');
    rmSync(path.join(dir, 'slowatch-slo-overview.json'));
    const stale = buffers();
    expect(runDashboards({ out: dir, check: true }, stale)).toBe(DASHBOARDS_EXIT.stale);
    expect(stale.out.stderr).toContain(`${path.join(dir, 'slowatch-slo-overview.json')}: missing`);
    expect(stale.out.stderr).toContain(`${path.join(dir, 'slowatch-slo-detail.json')}: differs from the generated dashboard`);
    expect(stale.out.stderr).not.toContain('service-performance');
    expect(stale.out.stderr).toContain(`run: slowatch dashboards --out ${dir}`);
  });

  it('reports bad usage and write failures in one line, exit 2', () => {
    const noDir = buffers();
    expect(runDashboards({ check: true }, noDir)).toBe(DASHBOARDS_EXIT.usage);
    expect(noDir.out.stderr).toBe('slowatch dashboards: --check needs --out DIR, the directory to compare\n');
    const empty = buffers();
    expect(runDashboards({ out: '' }, empty)).toBe(DASHBOARDS_EXIT.usage);
    const failing = buffers();
    const code = runDashboards(
      { out: '/nowhere' },
      {
        ...failing,
        writeFile: () => {
          throw new Error('EACCES: permission denied');
        },
      },
    );
    expect(code).toBe(DASHBOARDS_EXIT.usage);
    expect(failing.out.stderr).toBe('slowatch dashboards: cannot write /nowhere/slowatch-slo-overview.json: EACCES: permission denied\n');
  });
});

describe('addDashboardsCommand', () => {
  function program(io: ReturnType<typeof buffers>) {
    const codes: number[] = [];
    const exits: number[] = [];
    const cli = new Command('slowatch').exitOverride();
    addDashboardsCommand(cli, { ...io, setExitCode: (c) => codes.push(c), exit: (c) => exits.push(c) });
    return { cli, codes, exits };
  }

  it('parses --out and --check', async () => {
    const dir = tempDir();
    const io = buffers();
    const { cli, codes } = program(io);
    await cli.parseAsync(['node', 'slowatch', 'dashboards', '--out', dir]);
    await cli.parseAsync(['node', 'slowatch', 'dashboards', '--out', dir, '--check']);
    expect(codes).toEqual([DASHBOARDS_EXIT.ok, DASHBOARDS_EXIT.ok]);
    expect(readdirSync(dir)).toHaveLength(4);
  });

  it('exits 2 on an unknown option', async () => {
    const io = buffers();
    const { cli, exits } = program(io);
    await expect(cli.parseAsync(['node', 'slowatch', 'dashboards', '--outt', 'x'])).rejects.toThrow();
    expect(exits).toEqual([DASHBOARDS_EXIT.usage]);
    expect(io.out.stderr).toContain("unknown option '--outt'");
  });
});
