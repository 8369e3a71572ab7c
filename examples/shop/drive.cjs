'use strict';
/**
 * A tiny load driver for the example shop: sends GET requests to a list of
 * paths, round-robin, at a fixed concurrency, over kept-alive connections
 * (node's `http`, one agent per drive), and counts the answers by status.
 *
 *   const { drive } = require('./drive.cjs');
 *   const result = await drive('http://127.0.0.1:3000', ['/orders/n-plus-one'], { requests: 100, concurrency: 4 });
 *   // { requests: 100, statuses: { '200': 100 }, errors: 0, elapsedMs: 2012.4 }
 *
 * Also runnable: `node examples/shop/drive.cjs http://127.0.0.1:3000 /orders/n-plus-one /stock/n-plus-one`
 * (REQUESTS and CONCURRENCY from the environment, default 100 and 4).
 *
 * Memory: O(concurrency) sockets and one counter per distinct status;
 * response bodies are read and discarded.
 */
const http = require('node:http');

/** Deadline of one request, in milliseconds. */
const REQUEST_TIMEOUT_MS = 30_000;

function getOnce(agent, url) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      response.resume(); // discard the body, but read it so the connection can be reused
      response.on('error', reject);
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    request.on('error', reject);
  });
}

/**
 * Sends `requests` GETs spread round-robin over `paths`, `concurrency` at a time.
 *
 * @param {string} baseUrl e.g. `http://127.0.0.1:3000` (a trailing slash is ignored)
 * @param {readonly string[]} paths e.g. `['/orders/n-plus-one']`; each starts with `/`
 * @param {{ requests?: number, concurrency?: number }} [options]
 *   `requests`: total requests (default: one per path); `concurrency`: requests in flight at most (default 1)
 * @returns {Promise<{ requests: number, statuses: Record<string, number>, errors: number, elapsedMs: number }>}
 *   `statuses` counts answers by HTTP status; `errors` counts requests that got no answer (refused, reset, timed out).
 */
async function drive(baseUrl, paths, options = {}) {
  if (paths.length === 0) throw new Error('drive: no paths');
  for (const path of paths) {
    if (!path.startsWith('/')) throw new Error(`drive: paths must start with '/', got ${JSON.stringify(path)}`);
  }
  const requests = options.requests ?? paths.length;
  const concurrency = Math.min(options.concurrency ?? 1, Math.max(1, requests));
  if (!Number.isInteger(requests) || requests < 0) throw new Error(`drive: requests must be a non-negative integer, got ${requests}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`drive: concurrency must be a positive integer, got ${options.concurrency}`);

  const base = baseUrl.replace(/\/+$/, '');
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = {};
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < requests; i = next++) {
      try {
        const status = String(await getOnce(agent, base + paths[i % paths.length]));
        statuses[status] = (statuses[status] ?? 0) + 1;
      } catch {
        errors++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { requests, statuses, errors, elapsedMs: performance.now() - started };
}

module.exports = { drive };

if (require.main === module) {
  const [baseUrl, ...paths] = process.argv.slice(2);
  if (baseUrl === undefined || paths.length === 0) {
    console.error('usage: node examples/shop/drive.cjs BASE_URL PATH... (REQUESTS, CONCURRENCY in the environment)');
    process.exitCode = 2;
  } else {
    drive(baseUrl, paths, { requests: Number(process.env.REQUESTS ?? 100), concurrency: Number(process.env.CONCURRENCY ?? 4) }).then(
      (result) => console.log(JSON.stringify(result)),
      (error) => {
        console.error(`drive: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      },
    );
  }
}
