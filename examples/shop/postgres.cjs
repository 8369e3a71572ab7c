'use strict';
/**
 * A throw-away PostgreSQL server for the example shop and its tests: `initdb`
 * into a fresh temporary directory, `postgres` on a loopback port, a `shop`
 * database, and `stop()` that shuts the server down and deletes everything.
 *
 * Binaries are found in this order: the `binDir` option; `pg_config --bindir`;
 * the newest `/usr/lib/postgresql/<major>/bin` (Debian's layout); `PATH`.
 *
 * The cluster trades durability for speed, which is fine for data that dies
 * with the process: `initdb --no-sync` and `postgres -F` (fsync off).
 * Authentication is `trust`: the server listens on 127.0.0.1 only and its
 * Unix socket lives in the private temporary directory, but other local users
 * could still connect over TCP, so keep nothing secret in it.
 *
 * PostgreSQL refuses to run as root. When this process is root (CI
 * containers), the directory is handed to the `postgres` system user
 * (created by Debian's `postgresql` package) and `initdb` and `postgres` run
 * as that user; otherwise they run as the current user.
 *
 * Clean-up: `stop()`; failing that, when the process exits normally the
 * server gets SIGQUIT (immediate shutdown) and the directory is deleted. A
 * process killed by a signal it does not handle cannot clean up (the server
 * survives it, unless the signal went to the whole process group, as Ctrl-C
 * does), so long-running users handle SIGTERM and SIGINT and call `stop()`,
 * as shop-server.cjs does.
 *
 * Memory: the server's log is kept only as its last `LOG_TAIL_BYTES` (16 KiB)
 * for error messages, unless the caller asks for every line through `log`.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const USER = 'slowatch';
const DATABASE = 'shop';
const HOST = '127.0.0.1';
/** How long the server may take to accept connections after it was started. */
const READY_DEADLINE_MS = 20_000;
/** How long one connection attempt may take before it is retried. */
const CONNECT_ATTEMPT_TIMEOUT_MS = 1000;
/** How long `stop()` waits for a fast shutdown before it kills the server. */
const STOP_DEADLINE_MS = 10_000;
/** Attempts at a free port when the caller did not choose one (another process may take it between our probe and postgres' bind). */
const PORT_ATTEMPTS = 5;
const LOG_TAIL_BYTES = 16 * 1024;
const INSTALL_HINT = 'install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql)';

class TemporaryPostgresError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TemporaryPostgresError';
  }
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function hasServerBinaries(dir) {
  return isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'postgres'));
}

/** `pg_config --bindir`, or undefined when pg_config is absent or points elsewhere (a client-only libpq install). */
function binDirFromPgConfig() {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return dir.length > 0 && hasServerBinaries(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The highest major version under /usr/lib/postgresql that has the server binaries. */
function binDirFromDebianLayout() {
  const root = '/usr/lib/postgresql';
  let versions;
  try {
    versions = fs.readdirSync(root);
  } catch {
    return undefined;
  }
  const sorted = versions
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of sorted) {
    const dir = path.join(root, version, 'bin');
    if (hasServerBinaries(dir)) return dir;
  }
  return undefined;
}

function binDirFromPath() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir.length > 0 && hasServerBinaries(dir)) return dir;
  }
  return undefined;
}

/**
 * The directory holding `initdb` and `postgres`.
 * @param {string | undefined} binDir an explicit directory, which must hold both
 * @throws TemporaryPostgresError saying what to install when none is found
 */
function findPostgresBinDir(binDir) {
  if (binDir !== undefined) {
    if (hasServerBinaries(binDir)) return binDir;
    throw new TemporaryPostgresError(`PostgreSQL server binaries (initdb, postgres) not found in ${binDir}: ${INSTALL_HINT}, or pass the directory that holds them`);
  }
  const found = binDirFromPgConfig() ?? binDirFromDebianLayout() ?? binDirFromPath();
  if (found === undefined) {
    throw new TemporaryPostgresError(
      `PostgreSQL server binaries (initdb, postgres) not found (looked at pg_config --bindir, /usr/lib/postgresql/*/bin and PATH): ${INSTALL_HINT}`,
    );
  }
  return found;
}

/** uid and gid of the `postgres` system user, for running the server when we are root. */
function postgresUserIds() {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(uid) && Number.isInteger(gid) && uid > 0) return { uid, gid };
  } catch {
    // fall through to the error below
  }
  throw new TemporaryPostgresError(
    'running as root, and PostgreSQL refuses to run as root, but there is no `postgres` user to run it as: ' +
      `${INSTALL_HINT} (the package creates the user), or run as a normal user`,
  );
}

/** A port that was free a moment ago (postgres cannot be told to pick one: it has no port 0). */
function probeFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The last `LOG_TAIL_BYTES` of a process' output, line by line to `log` when given. */
function makeLogSink(log) {
  let tail = '';
  let partial = '';
  return {
    write(chunk) {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-LOG_TAIL_BYTES);
      if (log === undefined) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) log(line);
    },
    tail() {
      return tail.trim();
    },
  };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a program to completion; rejects with its output when it fails. */
function run(file, args, spawnOptions, sink) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => sink.write(chunk));
    child.stderr.on('data', (chunk) => sink.write(chunk));
    child.once('error', (error) => reject(new TemporaryPostgresError(`could not run ${file}: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new TemporaryPostgresError(`${path.basename(file)} failed (${signal ?? `exit code ${code}`}):\n${sink.tail()}`));
    });
  });
}

function removeDir(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // best effort: a leftover directory in the temp dir is not worth failing a shutdown for
  }
}

/**
 * Tries to connect until the deadline; resolves with a connected client.
 * Each failure before the server is up (ECONNREFUSED, "the database system is
 * starting up") is retried every 50 ms.
 */
async function connectWhenReady(pg, config, deadlineMs, exited) {
  let lastError;
  for (;;) {
    const failure = exited();
    if (failure !== undefined) throw failure;
    // A bounded attempt: whatever else listens on the port may accept and never answer.
    const client = new pg.Client({ ...config, connectionTimeoutMillis: CONNECT_ATTEMPT_TIMEOUT_MS });
    client.on('error', () => {}); // a connection dropped during start-up must not crash the process
    try {
      await client.connect();
      return client;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => {});
    }
    if (Date.now() >= deadlineMs) {
      throw new TemporaryPostgresError(`PostgreSQL did not accept connections within ${READY_DEADLINE_MS / 1000} s: ${lastError?.message ?? 'no answer'}`);
    }
    await sleep(50);
  }
}

/**
 * Starts `postgres` on `port` and waits until it accepts connections.
 * Resolves with the child process and a client connected to it (database
 * `postgres`), or rejects; the error has `portInUse: true` when the port was
 * taken. On rejection the child is gone.
 */
async function startServer(pg, binDir, dataDir, socketDir, port, spawnOptions, sink) {
  const child = spawn(
    path.join(binDir, 'postgres'),
    ['-D', dataDir, '-k', socketDir, '-h', HOST, '-p', String(port), '-F', '-c', 'max_connections=50'],
    { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (chunk) => sink.write(chunk));
  child.stderr.on('data', (chunk) => sink.write(chunk));
  let exitError;
  child.once('error', (error) => {
    exitError = new TemporaryPostgresError(`could not run postgres: ${error.message}`);
  });
  child.once('exit', (code, signal) => {
    const log = sink.tail();
    if (/could not bind|Address already in use/i.test(log)) {
      exitError = new TemporaryPostgresError(`postgres could not listen on ${HOST}:${port}: the port is in use:\n${log}`);
      exitError.portInUse = true;
    } else {
      exitError = new TemporaryPostgresError(`postgres exited during start-up (${signal ?? `exit code ${code}`}):\n${log}`);
    }
  });
  try {
    const client = await connectWhenReady(pg, { host: HOST, port, user: USER, database: 'postgres' }, Date.now() + READY_DEADLINE_MS, () => exitError);
    // Another PostgreSQL that already held the port (and trusts this user) must not be taken for ours.
    const { rows } = await client.query('SHOW data_directory').catch(() => ({ rows: [] }));
    if (rows[0]?.data_directory !== dataDir) {
      await client.end().catch(() => {});
      const error = new TemporaryPostgresError(`postgres could not listen on ${HOST}:${port}: another server answers there`);
      error.portInUse = true;
      throw error;
    }
    return { child, client };
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    throw error;
  }
}

/**
 * Waits for the child to exit, at most `ms`; resolves whether it did.
 * @param {import('node:child_process').ChildProcess} child
 */
function waitForExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts a temporary PostgreSQL server with a `shop` database.
 *
 * @param {{ port?: number, log?: (line: string) => void, binDir?: string }} [options]
 *   `port`: the TCP port on 127.0.0.1 (default: a free one);
 *   `log`: receives every line postgres and initdb print (default: kept for error messages only);
 *   `binDir`: where `initdb` and `postgres` are (default: found as described above).
 * @returns {Promise<{ url: string, host: string, port: number, dataDir: string, stop(): Promise<void> }>}
 *   `url` is a connection string to the `shop` database (user `slowatch`, no password).
 */
async function startTemporaryPostgres(options = {}) {
  const binDir = findPostgresBinDir(options.binDir);
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const ids = asRoot ? postgresUserIds() : undefined;
  // Loaded here so that the binary checks above work without the driver installed.
  const pg = require('pg');

  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slowatch-pg-'));
  const dataDir = path.join(baseDir, 'data');
  const initdbLog = makeLogSink(options.log);
  // C locale: initdb fails on a locale named in LANG but not generated on the machine.
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', PGTZ: 'UTC' };
  const spawnOptions = { cwd: baseDir, env, ...(ids ?? {}) };
  let child;
  const cleanUpOnExit = () => {
    // The process is exiting without stop(): do not leave a server behind.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
    removeDir(baseDir);
  };
  process.once('exit', cleanUpOnExit);

  try {
    if (ids !== undefined) fs.chownSync(baseDir, ids.uid, ids.gid);
    await run(
      path.join(binDir, 'initdb'),
      ['-D', dataDir, '-A', 'trust', '-U', USER, '--no-sync', '-E', 'UTF8', '--no-locale'],
      spawnOptions,
      initdbLog,
    );

    let started;
    const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
    for (let attempt = 1; started === undefined; attempt++) {
      const port = options.port ?? (await probeFreePort());
      try {
        // A fresh log per attempt, so that an error quotes this server's lines only.
        started = { port, ...(await startServer(pg, binDir, dataDir, baseDir, port, spawnOptions, makeLogSink(options.log))) };
      } catch (error) {
        if (!(error instanceof TemporaryPostgresError && error.portInUse === true && attempt < attempts)) throw error;
      }
    }
    child = started.child;
    try {
      await started.client.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await started.client.end().catch(() => {});
    }

    const port = started.port;
    let stopping;
    const stop = () => {
      stopping ??= (async () => {
        // SIGINT is PostgreSQL's "fast shutdown": roll back sessions, checkpoint, exit.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        if (!(await waitForExit(child, STOP_DEADLINE_MS))) {
          child.kill('SIGKILL');
          await waitForExit(child, STOP_DEADLINE_MS);
        }
        process.removeListener('exit', cleanUpOnExit);
        removeDir(baseDir);
      })();
      return stopping;
    };
    return { url: `postgres://${USER}@${HOST}:${port}/${DATABASE}`, host: HOST, port, dataDir, stop };
  } catch (error) {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await waitForExit(child, STOP_DEADLINE_MS);
    }
    process.removeListener('exit', cleanUpOnExit);
    removeDir(baseDir);
    throw error;
  }
}

module.exports = { startTemporaryPostgres, findPostgresBinDir, TemporaryPostgresError };
