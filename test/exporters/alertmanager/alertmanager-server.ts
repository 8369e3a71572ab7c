import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startProcess, waitUntil } from '../../helpers/processes';
import type { RunningProcess } from '../../helpers/processes';

/** Debian names the binary prometheus-alertmanager; upstream tarballs, alertmanager. */
const BINARIES = ['prometheus-alertmanager', 'alertmanager'] as const;

/** The Alertmanager binary on the PATH, or undefined. */
export function findAlertmanager(): string | undefined {
  return BINARIES.find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0);
}

/** An alert as GET /api/v2/alerts returns it (the fields the tests read). */
export interface GettableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
  readonly status: { readonly state: 'active' | 'suppressed' | 'unprocessed' };
}

export interface RunningAlertmanager {
  readonly url: string;
  readonly proc: RunningProcess;
  /** GET /api/v2/alerts: the alerts Alertmanager holds and has not resolved. */
  alerts(): Promise<GettableAlert[]>;
  /** Stops the server and deletes its directory. */
  close(): Promise<void>;
}

/**
 * A real Alertmanager on a loopback port, clustering off, routing
 * everything to a receiver that notifies nobody, with a temporary storage
 * directory. Resolves once /-/ready answers 200.
 */
export async function startAlertmanager(binary: string): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-am-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(configFile, ['route:', "  receiver: 'null'", 'receivers:', "  - name: 'null'", ''].join('\n'));
  const port = await freePort();
  const proc = startProcess(binary, [
    `--config.file=${configFile}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // Empty: no gossip port, no peers.
    '--cluster.listen-address=',
  ]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => ((await fetch(`${url}/-/ready`)).status === 200 ? true : undefined), 15_000);
  } catch (error) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`alertmanager did not become ready: ${error instanceof Error ? error.message : String(error)}\n${proc.stderr()}`);
  }
  return {
    url,
    proc,
    async alerts() {
      const response = await fetch(`${url}/api/v2/alerts`);
      if (response.status !== 200) throw new Error(`GET /api/v2/alerts: HTTP ${response.status}`);
      return (await response.json()) as GettableAlert[];
    },
    async close() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
