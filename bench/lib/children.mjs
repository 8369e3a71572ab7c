// Child processes of the benchmarks: pinning, clean environments, output
// tails, the load generator, and killing everything when the benchmark exits.
import { spawn } from 'node:child_process';
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
