// What the figures were measured on, for the results JSON.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

function cpuModel() {
  const model = os.cpus()[0]?.model;
  if (model) return model.trim();
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line ? line.split(':')[1].trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** CPUs this process may run on (the affinity mask), via `taskset -p` when available. */
function allowedCpus() {
  try {
    const out = execFileSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split(':').pop().trim();
  } catch {
    return undefined;
  }
}

export function machineInfo() {
  return {
    cpuModel: cpuModel(),
    cores: os.cpus().length,
    availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    allowedCpus: allowedCpus(),
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}
