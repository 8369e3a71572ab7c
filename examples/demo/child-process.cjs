'use strict';
/**
 * The demo's children (postgres, the gateway, the shop): each in a process
 * group of its own, its output in a log file, stopped in the order the demo
 * chooses.
 *
 * Why a group of its own (`detached`): Ctrl-C in a terminal sends SIGINT to
 * the whole foreground group. Children in the demo's group would all stop at
 * once, the database under a shop still serving, the gateway before the
 * shop's agent flushed its last spans to it. Alone in their groups, only the
 * demo gets the signal and stops them one after the other. The cost: a demo
 * killed with SIGKILL leaves them running, so every other way out of the demo
 * (an error, a normal exit) kills them on the way (killAllNow).
 *
 * Memory: the last TAIL_BYTES of each child's output are kept for error
 * messages; the rest goes to its log file only.
 */
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const TAIL_BYTES = 8 * 1024;

/** Every child not yet exited, for killAllNow. */
const running = new Set();

/**
 * Starts a child.
 *
 * @param {{
 *   name: string,
 *   command: string,
 *   args: readonly string[],
 *   env: NodeJS.ProcessEnv,
 *   cwd: string,
 *   logFile: string,
 *   echo?: (line: string) => void,
 * }} options `echo` also receives every output line (`--verbose`)
 */
function startChild(options) {
  const log = fs.createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let partial = '';
  const watchers = [];
  const onOutput = (chunk) => {
    const text = chunk.toString('utf8');
    log.write(text);
    tail = (tail + text).slice(-TAIL_BYTES);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      options.echo?.(line);
      for (let i = watchers.length - 1; i >= 0; i--) {
        const match = watchers[i].pattern.exec(line);
        if (match !== null) watchers.splice(i, 1)[0].resolve(match);
      }
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const handle = {
    name: options.name,
    child,
    /** Resolves with { code, signal } once the child has exited and its output is read. */
    exited: new Promise((resolve) => {
      child.once('error', (error) => {
        tail += `\n${options.name}: ${error.message}`;
        resolve({ code: null, signal: null, error });
      });
      child.once('close', (code, signal) => resolve({ code, signal }));
    }),
    /** The last lines it printed. */
    tail: () => tail.trim(),
    /**
     * Resolves with the match of the first output line matching `pattern`;
     * rejects when the child exits first or after `timeoutMs`.
     */
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${options.name} did not print ${pattern} within ${timeoutMs / 1000} s`)), timeoutMs);
        watchers.push({
          pattern,
          resolve: (match) => {
            clearTimeout(timer);
            resolve(match);
          },
        });
        void handle.exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`${options.name} exited (${signal ?? `code ${code}`}) before it printed ${pattern}`));
        });
      });
    },
    /**
     * Sends `signal` (default SIGTERM), waits at most `deadlineMs`, then
     * SIGKILLs the child's whole group. Resolves with how it exited and
     * whether it had to be killed. Idempotent.
     */
    stop(signal = 'SIGTERM', deadlineMs = 15_000) {
      handle.stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        let timer;
        const deadline = new Promise((resolve) => {
          timer = setTimeout(() => resolve('deadline'), deadlineMs);
        });
        const first = await Promise.race([handle.exited, deadline]);
        clearTimeout(timer);
        let killed = false;
        if (first === 'deadline') {
          killed = true;
          killGroup(child, 'SIGKILL');
        }
        const exit = await handle.exited;
        return { ...exit, killed };
      })();
      return handle.stopping;
    },
    stopping: undefined,
  };
  running.add(handle);
  void handle.exited.then(() => {
    running.delete(handle);
    log.end();
  });
  return handle;
}

/** Signals the child's process group (its own, see above), falling back to the child alone. */
function killGroup(child, signal) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Last resort on the way out (synchronous, for process 'exit'): signals the
 * group of every child still running, so that none outlives the demo. With
 * SIGTERM (the default) they still flush and exit on their own, and postgres
 * is stopped and deleted by its wrapper.
 *
 * @param {NodeJS.Signals} [signal]
 */
function killAllNow(signal = 'SIGTERM') {
  for (const handle of running) killGroup(handle.child, signal);
}

module.exports = { startChild, killAllNow };
