import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitUntil } from './processes';
import type { RunningProcess } from './processes';
import { startProcess } from './processes';

/** Whether Debian's `prometheus` server is on the PATH. */
export function hasPrometheus(): boolean {
  return spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface PrometheusServerOptions {
  /** `host:port` targets of one scrape job (`slowatch`). */
  readonly targets: readonly string[];
  /** Rule files' YAML text, loaded as they are. */
  readonly rules?: readonly string[];
  /** @default '1s' */
  readonly scrapeInterval?: string;
  /** @default '1s' */
  readonly evaluationInterval?: string;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly proc: RunningProcess;
  /** An instant query: the result vector, or throws with Prometheus' error. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Stops the server and deletes its data directory. */
  close(): Promise<void>;
}

/**
 * A real Prometheus server (Debian's `prometheus`) on a loopback port with a
 * temporary data directory, scraping the given targets and evaluating the
 * given rules, for the end-to-end tests. Resolves once it is ready.
 */
export async function startPrometheus(options: PrometheusServerOptions): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-prom-'));
  const ruleFiles = (options.rules ?? []).map((text, i) => {
    const file = path.join(dir, `rules-${i}.yaml`);
    writeFileSync(file, text);
    return file;
  });
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    [
      'global:',
      `  scrape_interval: ${options.scrapeInterval ?? '1s'}`,
      `  evaluation_interval: ${options.evaluationInterval ?? '1s'}`,
      ...(ruleFiles.length > 0 ? ['rule_files:', ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
      'scrape_configs:',
      '  - job_name: slowatch',
      '    static_configs:',
      `      - targets: [${options.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const proc = startProcess('prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => ((await fetch(`${url}/-/ready`)).status === 200 ? true : undefined), 30_000);
  return {
    url,
    proc,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error ?? response.status}`);
      return body.data?.result ?? [];
    },
    async close() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
