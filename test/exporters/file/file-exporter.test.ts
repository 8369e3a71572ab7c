import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeJsonRequest, encodeJsonRequest } from '../../../src/otlp/codec';
import type { Signal } from '../../../src/otlp/signal';
import { BackpressureError } from '../../../src/pipeline/pipeline-errors';
import { createDefaultConfig, fileExporterConfigSchema, fileExporterFactory, resolveFileExporterSettings } from '../../../exporters/file/config';
import type { FileExporterSettings } from '../../../exporters/file/config';
import { FileExporter } from '../../../exporters/file/file-exporter';
import { anchorRequest, batchOf, sleep, testContext, traceRequest } from '../otlp/helpers';

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-file-exporter-'));
  dirs.push(dir);
  return dir;
}

function settings(file: string, overrides: Partial<FileExporterSettings> = {}): FileExporterSettings {
  return { path: file, rotation: { maxBytes: 100 * 1024 * 1024, maxBackups: 5 }, ...overrides };
}

const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe('file exporter config', () => {
  it('defaults rotation to 100 MB and 5 backups; path is required', () => {
    expect(createDefaultConfig()).toEqual({ rotation: { max_megabytes: 100, max_backups: 5 } });
    expect(resolveFileExporterSettings({ ...createDefaultConfig(), path: 'out.jsonl' })).toEqual({
      path: 'out.jsonl',
      rotation: { maxBytes: 100 * 1024 * 1024, maxBackups: 5 },
    });
    expect(resolveFileExporterSettings({ path: 'x', rotation: { max_backups: 0 }, flush_interval: '2s' })).toEqual({
      path: 'x',
      rotation: { maxBytes: 100 * 1024 * 1024, maxBackups: 0 },
      flushIntervalMs: 2000,
    });
    expect(() => resolveFileExporterSettings(createDefaultConfig())).toThrow('a path is required');
    expect(fileExporterFactory).toMatchObject({ kind: 'exporter', type: 'file', signals: ['traces', 'metrics', 'logs'] });
    const issues = fileExporterConfigSchema.safeParse({ rotation: { max_megabytes: 0, max_backups: -1 } }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      'path: required: a file path, e.g. ./telemetry.jsonl',
      'rotation.max_megabytes: must be a number of megabytes > 0 (up to 1048576), got 0',
      'rotation.max_backups: must be an integer from 0 to 1000, got -1',
    ]);
  });
});

describe('file exporter', () => {
  it('writes one OTLP/JSON line per batch that parses back to the same request', async () => {
    const file = path.join(tempDir(), 'out.jsonl');
    const test = testContext('file');
    const exporter = new FileExporter(settings(file), test.ctx);
    await exporter.start();
    const sent: [Signal, ReturnType<typeof anchorRequest>][] = [
      ['traces', anchorRequest('traces')],
      ['metrics', anchorRequest('metrics')],
      ['logs', anchorRequest('logs')],
      ['traces', traceRequest(5, 20)],
    ];
    await Promise.all(sent.map(([signal, request]) => exporter.consume(batchOf(signal, request))));
    await exporter.shutdown();
    const written = lines(file);
    expect(written).toHaveLength(4);
    written.forEach((line, i) => {
      const [signal, request] = sent[i]!;
      expect(line).toBe(encodeJsonRequest(signal, request));
      expect(decodeJsonRequest(signal, line)).toEqual(request);
    });
    expect(exporter.metrics.totals.sent).toEqual({ traces: 21, metrics: 4, logs: 1 });
    expect(await test.metric('slowatch_exporter_sent_spans_total')).toBe(21);
    await expect(exporter.consume(batchOf('traces', traceRequest(1)))).rejects.toBeInstanceOf(BackpressureError);
  });

  it('appends to an existing file', async () => {
    const file = path.join(tempDir(), 'out.jsonl');
    writeFileSync(file, 'earlier\n');
    const exporter = new FileExporter(settings(file), testContext('file').ctx);
    await exporter.start();
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await exporter.shutdown();
    expect(lines(file)).toEqual(['earlier', encodeJsonRequest('traces', traceRequest(1))]);
  });

  it('rotates by size, keeping max_backups files, lines in order and never split', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'spans.jsonl');
    const lineBytes = Buffer.byteLength(encodeJsonRequest('traces', traceRequest(10))) + 1;
    // Three lines fit in a file, the fourth would not.
    const exporter = new FileExporter(settings(file, { rotation: { maxBytes: lineBytes * 3 + 10, maxBackups: 2 } }), testContext('file').ctx);
    await exporter.start();
    for (let n = 10; n < 20; n++) await exporter.consume(batchOf('traces', traceRequest(n)));
    await exporter.shutdown();
    expect(readdirSync(dir).sort()).toEqual(['spans.jsonl', 'spans.jsonl.1', 'spans.jsonl.2']);
    const numbers = (name: string) =>
      lines(path.join(dir, name)).map((l) => decodeJsonRequest('traces', l).resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.name);
    // 10 batches, 3 per file: 10-12 (rotated out beyond max_backups), 13-15 (.2), 16-18 (.1), 19 (current).
    expect(numbers('spans.jsonl.2')).toEqual(['batch-13/0', 'batch-14/0', 'batch-15/0']);
    expect(numbers('spans.jsonl.1')).toEqual(['batch-16/0', 'batch-17/0', 'batch-18/0']);
    expect(numbers('spans.jsonl')).toEqual(['batch-19/0']);
  });

  it('with max_backups 0 starts over without keeping the old file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'spans.jsonl');
    const lineBytes = Buffer.byteLength(encodeJsonRequest('traces', traceRequest(1))) + 1;
    const exporter = new FileExporter(settings(file, { rotation: { maxBytes: lineBytes, maxBackups: 0 } }), testContext('file').ctx);
    await exporter.start();
    for (let n = 1; n <= 3; n++) await exporter.consume(batchOf('traces', traceRequest(n)));
    await exporter.shutdown();
    expect(readdirSync(dir)).toEqual(['spans.jsonl']);
    expect(lines(file)).toEqual([encodeJsonRequest('traces', traceRequest(3))]);
  });

  it('survives a full disk: counts the batches as failed, logs once, keeps going', async () => {
    if (!existsSync('/dev/full')) return; // Linux only
    const test = testContext('file');
    const exporter = new FileExporter(settings('/dev/full'), test.ctx);
    await exporter.start();
    for (let n = 0; n < 5; n++) await exporter.consume(batchOf('traces', traceRequest(n)));
    await exporter.shutdown();
    expect(exporter.metrics.totals.sendFailed.traces).toBe(15);
    expect(exporter.metrics.totals.sent.traces).toBe(0);
    expect(await test.metric('slowatch_exporter_send_failed_spans_total')).toBe(15);
    expect(test.logs).toEqual(['error: exporter file: writing to /dev/full failed; further failures are counted, not logged: ENOSPC: no space left on device, write']);
  });

  it('recovers when its directory disappears and comes back', async () => {
    const dir = path.join(tempDir(), 'sub');
    mkdirSync(dir);
    const file = path.join(dir, 'out.jsonl');
    const lineBytes = Buffer.byteLength(encodeJsonRequest('traces', traceRequest(1))) + 1;
    const test = testContext('file');
    const exporter = new FileExporter(settings(file, { rotation: { maxBytes: lineBytes, maxBackups: 1 } }), test.ctx);
    await exporter.start();
    await exporter.consume(batchOf('traces', traceRequest(1)));
    rmSync(dir, { recursive: true });
    // Reopening fails: counted and logged once, the process stays up.
    await exporter.consume(batchOf('traces', traceRequest(2)));
    await exporter.consume(batchOf('traces', traceRequest(3)));
    expect(exporter.metrics.totals.sendFailed.traces).toBe(6);
    mkdirSync(dir);
    await exporter.consume(batchOf('traces', traceRequest(4)));
    await exporter.shutdown();
    expect(lines(file)).toEqual([encodeJsonRequest('traces', traceRequest(4))]);
    expect(exporter.metrics.totals.sent.traces).toBe(6);
    expect(test.logs).toEqual([
      `error: exporter file: opening ${file} failed; further failures are counted, not logged: ENOENT: no such file or directory, open '${file}'`,
    ]);
  });

  it('fails to start with one line when the file cannot be opened', async () => {
    const exporter = new FileExporter(settings(path.join(tempDir(), 'missing', 'out.jsonl')), testContext('file/x').ctx);
    await expect(exporter.start()).rejects.toThrow(/^exporter file\/x: cannot open .*out\.jsonl: ENOENT/);
  });

  it('with flush_interval buffers lines and writes them together, in order', async () => {
    const file = path.join(tempDir(), 'out.jsonl');
    const exporter = new FileExporter(settings(file, { flushIntervalMs: 1500 }), testContext('file').ctx);
    await exporter.start();
    for (let n = 0; n < 5; n++) await exporter.consume(batchOf('traces', traceRequest(n)));
    expect(readFileSync(file, 'utf8')).toBe('');
    const deadline = Date.now() + 10_000;
    while (lines(file).length < 5 && Date.now() < deadline) await sleep(50);
    expect(lines(file)).toHaveLength(5);
    await exporter.consume(batchOf('traces', traceRequest(5)));
    await exporter.shutdown(); // flushes the rest
    expect(lines(file)).toEqual([0, 1, 2, 3, 4, 5].map((n) => encodeJsonRequest('traces', traceRequest(n))));
  });
});
