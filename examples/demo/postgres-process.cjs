'use strict';
/**
 * The demo's database as a process of its own: a temporary PostgreSQL
 * (examples/shop/postgres.cjs) that outlives the shop's restarts, in its own
 * process group (see child-process.cjs for why), stopped and deleted on
 * SIGTERM or SIGINT.
 *
 *   node examples/demo/postgres-process.cjs
 *   # prints `postgres ready postgres://slowatch@127.0.0.1:PORT/shop`, then waits for a signal
 *
 * Exits 0 after a clean stop, 1 when the server could not start (the reason
 * on stderr).
 */
const { startTemporaryPostgres } = require('../shop/postgres.cjs');

async function main() {
  let postgres;
  let stopRequested = false;
  // Keeps the process up until a signal, whatever postgres.cjs holds open.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const stop = async () => {
    if (stopRequested) return;
    stopRequested = true;
    clearInterval(keepAlive);
    // A signal during start-up: main() stops the server once it is up.
    if (postgres !== undefined) await postgres.stop();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  try {
    postgres = await startTemporaryPostgres();
  } catch (error) {
    clearInterval(keepAlive);
    console.error(`postgres: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  if (stopRequested) {
    await postgres.stop();
    return;
  }
  console.log(`postgres ready ${postgres.url}`);
}

void main();
