// Child processes of the benchmarks: pinning, clean environments, output
// tails, the load generator, and killing everything when the benchmark exits.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const libDir = path.dirname(fileURLToPath(import.meta.url));

/** Every child still running; all are killed when the benchmark process exits or is interrupted. */
export const children = new Set();

/** Kills every child still running (also done on exit and on SIGINT/SIGTERM). */
export function killChildren() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}

/** `argv` run under `taskset -c cpus` when cpus is given. */
export function pinned(cpus, argv) {
  return cpus === undefined ? argv : ['taskset', '-c', cpus, ...argv];
}

/** Keeps the last `limit` characters of a stream, for error reports, and counts its lines. */
export function tail(stream, limit = 4000) {
  const state = { text: '', lines: 0 };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    state.text = (state.text + chunk).slice(-limit);
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) state.lines++;
  });
  return state;
}

/** The environment without OTEL_*, SLOWATCH_*, NODE_OPTIONS and npm_* variables, so runs are comparable. */
export function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('OTEL_') || k.startsWith('SLOWATCH_') || k === 'NODE_OPTIONS' || k.startsWith('npm_')) continue;
    env[k] = v;
  }
  return env;
}

/**
 * Runs lib/load-worker.mjs (autocannon in its own process, pinned to `cpus`
 * when given) with `input` and resolves with the figures it prints.
 */
export function runLoadWorker(input, { cpus, cwd }) {
  const argv = pinned(cpus, [process.execPath, path.join(libDir, 'load-worker.mjs'), JSON.stringify(input)]);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const out = tail(child.stdout, 100_000);
    const err = tail(child.stderr);
    child.on('error', reject);
    child.on('exit', (code) => {
      children.delete(child);
      if (code !== 0) return reject(new Error(`load generator exited with ${code}: ${err.text}`));
      try {
        resolve(JSON.parse(out.text.trim().split('\n').pop()));
      } catch (error) {
        reject(new Error(`load generator output unreadable: ${error.message}: ${out.text.slice(-500)}`));
      }
    });
  });
}

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseCpuList(list) {
  const cpus = [];
  for (const part of list.split(',')) {
    const [lo, hi] = part.split('-').map(Number);
    if (!Number.isInteger(lo)) continue;
    for (let c = lo; c <= (Number.isInteger(hi) ? hi : lo); c++) cpus.push(c);
  }
  return cpus;
}

/**
 * Splits the CPUs this process may use: the measured server on the last one,
 * everything else (load generator, sink, this orchestrator, which only
 * scrapes and reads /proc) on the others. `{ method: 'none', reason }` when
 * that cannot be done.
 */
export function planServerPinning(noPin) {
  if (noPin) return { method: 'none', reason: '--no-pin' };
  if (process.platform !== 'linux') return { method: 'none', reason: `platform ${process.platform}` };
  const probe = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { method: 'none', reason: 'taskset not available' };
  const allowed = parseCpuList(probe.stdout.split(':').pop().trim());
  if (allowed.length < 2) return { method: 'none', reason: `only ${allowed.length} CPU allowed (${probe.stdout.trim()})` };
  const serverCpus = String(allowed[allowed.length - 1]);
  const otherCpus = allowed.slice(0, -1).join(',');
  const self = spawnSync('taskset', ['-cp', otherCpus, String(process.pid)], { encoding: 'utf8' });
  return { method: 'taskset', serverCpus, otherCpus, orchestratorCpus: self.status === 0 ? otherCpus : 'unpinned (taskset -p failed)' };
}
