import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startNode, waitUntil } from './processes';
import type { RunningProcess } from './processes';

export interface GatewayPorts {
  readonly http: number;
  readonly grpc: number;
  readonly metrics: number;
  readonly health: number;
}

export interface RunningGatewayProcess {
  readonly proc: RunningProcess;
  readonly ports: GatewayPorts;
  readonly configPath: string;
  /** Stops the process (SIGTERM) and removes the temporary config. */
  close(): Promise<number | null>;
}

export async function gatewayPorts(): Promise<GatewayPorts> {
  return { http: await freePort(), grpc: await freePort(), metrics: await freePort(), health: await freePort() };
}

/**
 * Runs `slowatch serve` from dist/ on a config written to a temporary file.
 * `render` gets the ports to put into the YAML. Resolves once /readyz answers 200.
 */
export async function startGatewayProcess(render: (ports: GatewayPorts) => string, env: NodeJS.ProcessEnv = {}): Promise<RunningGatewayProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-gw-'));
  const ports = await gatewayPorts();
  const configPath = path.join(dir, 'otel-config.yaml');
  writeFileSync(configPath, render(ports));
  const proc = startNode(['dist/src/cli/main.js', 'serve', '--config', configPath], env);
  await waitUntil(async () => ((await fetch(`http://127.0.0.1:${ports.health}/readyz`)).status === 200 ? true : undefined), 20_000);
  return {
    proc,
    ports,
    configPath,
    async close() {
      const code = await proc.stop();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
