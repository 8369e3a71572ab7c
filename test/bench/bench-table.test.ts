// The README's performance table (bench/lib/bench-table.mjs, bench/run-all.mjs --table-only):
// rebuilt deterministically from a fixture results folder, and the README's copy matches
// what bench/results/ gives. No benchmark runs: two or three `node` starts, under 5 s in all.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// The module is plain JavaScript (bench/ is not compiled); its shape, as the tests use it.
interface BenchTableModule {
  readonly TABLE_START: string;
  readonly TABLE_END: string;
  readonly COLLECTOR_REFERENCE: { readonly source: string; readonly spansPerSec: number };
  collectorSpansPerCpuSec(scenario: string): number | undefined;
  grouped(x: unknown, digits?: number): string;
  rate(x: unknown): string;
  goalRate(x: unknown): string;
  renderBenchTable(results: Readonly<Record<string, unknown>>): string;
  replaceBetweenMarkers(readme: string, table: string): string;
  tableBetweenMarkers(readme: string): string | undefined;
}

const repoRoot = path.resolve(__dirname, '..', '..');
let m: BenchTableModule;
beforeAll(async () => {
  m = (await import(path.join(repoRoot, 'bench', 'lib', 'bench-table.mjs'))) as BenchTableModule;
});
const fixtureDir = path.join(__dirname, 'fixtures', 'results');

function readFolder(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) out[file.replace(/\.json$/, '')] = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown;
  return out;
}

function tableOnly(resultsDir: string): string {
  return execFileSync(process.execPath, ['bench/run-all.mjs', '--table-only', '--print', '--results', resultsDir], { cwd: repoRoot, encoding: 'utf8', timeout: 15_000 });
}

describe('number formatting', () => {
  it('groups digits and rounds rates to three significant digits', () => {
    expect(m.grouped(1234567)).toBe('1 234 567');
    expect(m.grouped(12.345, 1)).toBe('12.3');
    expect(m.rate(7_132_000)).toBe('7.13 M');
    expect(m.rate(197_693)).toBe('198 000');
    expect(m.rate(59_788)).toBe('59 800');
    expect(m.rate(undefined)).toBe('n/a');
    expect(m.goalRate(1_000_000)).toBe('1 M');
    expect(m.goalRate(500_000)).toBe('500 000');
  });

  it('derives the Collector per-core figure from its published CPU share', () => {
    expect(m.collectorSpansPerCpuSec('none')).toBeCloseTo(m.COLLECTOR_REFERENCE.spansPerSec / 0.054, 6);
    expect(m.collectorSpansPerCpuSec('zstd')).toBeUndefined();
  });
});

describe('renderBenchTable over the fixture results', () => {
  let table = '';
  beforeAll(() => {
    table = m.renderBenchTable(readFolder(fixtureDir));
  });

  it('is what run-all --table-only prints for that folder, every time', () => {
    const first = tableOnly(fixtureDir);
    expect(first.trimEnd()).toBe(table);
    expect(tableOnly(fixtureDir)).toBe(first);
  });

  it('states each figure beside its goal and whether it is met', () => {
    expect(table).toContain('| agent: throughput, slowatch ÷ plain OpenTelemetry¹ (ratio of median req/s; 7 rounds × 10 s, 50 connections) | 0.996 (3858 vs 3873 req/s; CPU per request ×1.003) | ≥ 0.97 | yes |');
    expect(table).toContain('| agent: extra RSS over plain OpenTelemetry¹ (median after the run) | +11.2 MB (+20.9 MB at peak) | ≤ 20 MB | yes |');
    expect(table).toMatch(/\| processor: SLO, default objectives \(2 series\) \| 6\.16 M spans\/s \(162 ns\/span\) \| ≥ 1 M spans\/s \| yes \|/);
    expect(table).toMatch(/\| memory per baseline key \| 37\.2 KB .* \| ≤ 64 KB \| yes \|/);
    expect(table).toMatch(/\| processor: recommend, gateway path \(decoded OTLP\) \| 112 000 spans\/s \(0\.56× the goal\) \| ≥ 200 000 spans\/s \| \*\*no\*\* \|/);
    expect(table).toMatch(/compression: none` .* \| 59 800 \| ≥ 50 000; stretch 100 000 \| yes \|/);
  });

  it('compares the gateway with the Collector and cites where the figure comes from', () => {
    expect(table).toContain('| gateway ÷ OpenTelemetry Collector² (Trace10kSPS/OTLP-HTTP), per CPU-second | 0.32× (59 800 vs ≈ 185 000) |');
    expect(table).toContain(m.COLLECTOR_REFERENCE.source);
    expect(table).toContain('commit e4c3003');
  });

  it('lists the machine and dates, flags quick-mode results, and says what was not run', () => {
    expect(table).toContain('- Measured on AMD EPYC, 2 cores (CPUs 0,1 allowed), 23.5 GB, Node v20.20.2');
    expect(table).toContain('agent 2026-11-21 13:09 UTC;');
    expect(table).toMatch(/soak \d{4}-\d\d-\d\d \d\d:\d\d UTC \(quick mode\)/);
    // run-all.json flags a quick gateway run whose result file has since been replaced: not flagged.
    expect(table).toContain('gateway 2026-11-21 14:05 UTC;');
    expect(table).toContain('| OTLP codec (`bench/otlp-codec.bench.mjs`) | not run |');
    expect(table).toMatch(/\| soak, the gateway \(storage on\): RSS, trend after warm-up .* \| upward trend: /);
  });

  it('says "No results yet." for an empty folder rather than failing', () => {
    expect(m.renderBenchTable({})).toContain('No results yet.');
  });
});

describe('the README', () => {
  it('carries exactly the table bench/results/ gives (rerun `node bench/run-all.mjs --table-only` after a benchmark)', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(m.tableBetweenMarkers(readme)).toBe(tableOnly(path.join(repoRoot, 'bench', 'results')).trim());
  });

  it('replaces only what is between the markers, idempotently, and refuses a README without them', () => {
    const readme = `# x\n\nbefore\n${m.TABLE_START}\nold\n${m.TABLE_END}\nafter\n`;
    const once = m.replaceBetweenMarkers(readme, 'new table');
    expect(once).toBe(`# x\n\nbefore\n${m.TABLE_START}\n\nnew table\n\n${m.TABLE_END}\nafter\n`);
    expect(m.replaceBetweenMarkers(once, 'new table')).toBe(once);
    expect(() => m.replaceBetweenMarkers('# no markers\n', 'x')).toThrow(/markers/);
  });
});
