'use strict';
/**
 * The example shop with its database: the routes of routes.cjs plus the
 * planted anti-patterns of anti-patterns.cjs and their clean twins, on
 * PostgreSQL. `npm run example:shop` runs it under the slowatch agent:
 *
 *   OTEL_SERVICE_NAME=shop node --require slowatch/register examples/shop/shop-server.cjs
 *
 * Environment:
 * - DATABASE_URL: the PostgreSQL to use (its tables are created and seeded if
 *   missing). Unset: a temporary server is started from the installed
 *   PostgreSQL binaries (postgres.cjs) and deleted on exit.
 * - PORT (default 3000), HOST (default 127.0.0.1): where the shop listens.
 * - PARTNER_PORT (default 0, any free port): the second listener at which the
 *   shop calls its flaky payment partner (see anti-patterns.cjs for why the
 *   partner needs an address of its own).
 * - SHOP_EXTRA_LATENCY_MS (default 0): every request waits this long before its
 *   route runs, a stand-in for a slower release (the demo deploys a
 *   `service.version` with it to show a deploy regression).
 *
 * Prints `shop listening on http://HOST:PORT` once it serves. On SIGTERM or
 * SIGINT it stops accepting, closes connections, the pool and the temporary
 * database, and exits with code 0 (1 if that takes over 10 s).
 */
const http = require('node:http');
const express = require('express');
const { registerRoutes } = require('./routes.cjs');
const { registerAntiPatternRoutes } = require('./anti-patterns.cjs');
const { createPool, ensureSchema } = require('./db.cjs');
const { startTemporaryPostgres } = require('./postgres.cjs');

const SHUTDOWN_DEADLINE_MS = 10_000;

/** The address the shop calls itself at: a wildcard listen address is reached through loopback. */
function loopbackFor(host) {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function urlHost(host) {
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    // Kept-alive connections would hold close() open until they time out.
    server.closeAllConnections();
  });
}

/** Upper bound of SHOP_EXTRA_LATENCY_MS: a knob for a slower release, not for a hung one. */
const MAX_EXTRA_LATENCY_MS = 10_000;

function extraLatencyFrom(name) {
  const text = process.env[name];
  if (text === undefined || text === '') return 0;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_EXTRA_LATENCY_MS) throw new Error(`${name} must be a number of milliseconds from 0 to ${MAX_EXTRA_LATENCY_MS}, got ${JSON.stringify(text)}`);
  return ms;
}

/**
 * Delays every request by `ms` before the routes see it. The wait is a timer,
 * not CPU, so a slower release stays slower by the same amount whatever the
 * load, and the spans of the server measure it (the HTTP server span opens
 * before this middleware runs).
 */
function delayEveryRequest(ms) {
  return (_req, _res, next) => {
    setTimeout(next, ms);
  };
}

function portFrom(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number (0 to 65535), got ${JSON.stringify(text)}`);
  return port;
}

async function main() {
  const port = portFrom('PORT', 3000);
  const partnerPort = portFrom('PARTNER_PORT', 0);
  const host = process.env.HOST ?? '127.0.0.1';
  const extraLatencyMs = extraLatencyFrom('SHOP_EXTRA_LATENCY_MS');
  const cleanups = [];
  let shuttingDown = false;

  const shutdown = async (exitCode) => {
    if (shuttingDown) return;
    shuttingDown = true;
    setTimeout(() => {
      console.error('shop: shutdown took too long, exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`shop: during shutdown: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    process.exitCode = exitCode;
  };
  /** Registers what shutdown undoes; when a signal came meanwhile, undoes it at once and says to stop starting. */
  const track = async (cleanup) => {
    if (!shuttingDown) {
      cleanups.push(cleanup);
      return true;
    }
    await cleanup();
    return false;
  };
  // Own handlers: the slowatch agent then only flushes and lets the shop drain.
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));

  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl === undefined || databaseUrl === '') {
      const postgres = await startTemporaryPostgres();
      if (!(await track(() => postgres.stop()))) return;
      databaseUrl = postgres.url;
      console.log(`shop: started a temporary PostgreSQL at ${postgres.url} (deleted on exit)`);
    }
    const pool = createPool(databaseUrl);
    if (!(await track(() => pool.end()))) return;
    await ensureSchema(pool);

    const app = express();
    const server = http.createServer(app);
    const partnerServer = http.createServer(app);
    if (!(await track(() => Promise.all([closeServer(server), closeServer(partnerServer)])))) return;
    let selfUrl = '';
    let partnerUrl = '';
    if (extraLatencyMs > 0) app.use(delayEveryRequest(extraLatencyMs));
    registerRoutes(app);
    const antiPatterns = registerAntiPatternRoutes(app, { pool, selfUrl: () => selfUrl, flakyPartnerUrl: () => partnerUrl });
    if (!(await track(() => antiPatterns.close()))) return;
    await antiPatterns.warmUp();
    if (shuttingDown) return;

    const callHost = urlHost(loopbackFor(host));
    const actualPartnerPort = await listen(partnerServer, partnerPort, host);
    partnerUrl = `http://${callHost}:${actualPartnerPort}`;
    const actualPort = await listen(server, port, host);
    selfUrl = `http://${callHost}:${actualPort}`;
    if (shuttingDown) {
      // A signal came while listening: shutdown found the servers not yet listening.
      await Promise.all([closeServer(server), closeServer(partnerServer)]);
      return;
    }
    console.log(`shop listening on http://${urlHost(host)}:${actualPort}`);
    if (extraLatencyMs > 0) console.log(`shop: every request waits an extra ${extraLatencyMs} ms (SHOP_EXTRA_LATENCY_MS)`);
    console.log(`shop: flaky payment partner at ${partnerUrl}`);
  } catch (error) {
    console.error(`shop: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

void main();
