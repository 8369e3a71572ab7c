'use strict';
/**
 * The example shop's planted performance anti-patterns, one route each, and a
 * clean twin of every one that does the same job the right way. slowatch's
 * recommendations should name each planted route once, with the right type,
 * and never a twin. The operation is `GET <route>` (the SLO engine's naming:
 * method and Express route template).
 *
 * | type                   | planted route             | clean twin             |
 * | ---------------------- | ------------------------- | ---------------------- |
 * | n_plus_one_db          | GET /orders/n-plus-one    | GET /orders/batched    |
 * | n_plus_one_http        | GET /stock/n-plus-one     | GET /stock/batched     |
 * | sequential_calls       | GET /dashboard/sequential | GET /dashboard/parallel|
 * | slow_db_statement      | GET /report/slow          | GET /report/fast       |
 * | dominant_dependency    | GET /quote/uncached       | GET /quote/cached      |
 * | error_prone_dependency | GET /pay/flaky            | GET /pay/stable        |
 * | event_loop_blocking    | GET /pricing/blocking     | GET /pricing/precomputed |
 * | gc_pressure            | GET /export/churn         | GET /export/streamed   |
 * | memory_leak_suspected  | GET /session/leaky        | GET /session/bounded   |
 *
 * Internal routes the planted ones call over HTTP (fast, never failing unless
 * said so): GET /inventory/:sku, GET /inventory?skus=…, POST
 * /partner/payments/flaky (503 on 3 calls in 10), POST /partner/payments/stable.
 *
 * Why `pg_sleep`: the seeded database is tiny and local, so every query takes
 * a fraction of a millisecond, far below what the analyzers' thresholds (and
 * production databases) are about. Each statement that stands for "a real
 * query over a network on real data" waits a fixed time inside PostgreSQL,
 * through a MATERIALIZED CTE (`WITH latency AS MATERIALIZED (SELECT
 * pg_sleep(s))`) so that the sleep runs exactly once per statement whatever
 * plan the planner picks (a sleep in the select list or a joined subquery
 * could run once per row). The client sees a statement that takes that long,
 * as it would a slow one. The clean twins run the same statements without it,
 * except where the twin's point is to overlap the waits (the parallel
 * dashboard).
 *
 * Trace shape decisions, so that each route shows its one pattern and no
 * other (the analyzers read the children of each span):
 * - the order routes run their queries on one client checked out for the
 *   request, so the per-order queries are back to back (with `pool.query`
 *   each would be preceded by a `pg-pool.connect` span, and the loop would
 *   also read as a run of different sequential calls);
 * - the stock routes take their SKUs from a constant, so the HTTP loop is
 *   all the route does;
 * - the flaky payment partner is called at its own address (`flakyPartnerUrl`,
 *   a second listener in shop-server.cjs): dependencies are told apart by
 *   host and port, so calls to the shop's other internal routes would dilute
 *   its failure ratio, and the stock routes (8 calls a request) would be
 *   named as its main caller.
 *
 * Memory: bounded everywhere except where the leak is the point. The quote
 * cache holds one entry per product (200 seeded, ~150 B each); the bounded
 * session map at most `SESSION_CAPACITY` (1 000) entries of ~150 B; the leaky
 * session list grows by 256 KiB per request up to a quarter of V8's heap
 * limit (a safety stop so that a long demo cannot crash the process; the
 * trend is long established by then).
 */
const crypto = require('node:crypto');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const v8 = require('node:v8');

/** Orders the order routes show (the N of N+1). */
const RECENT_ORDERS = 10;
/** SKUs the stock routes look up: 8 calls in the planted route. */
const FEATURED_SKUS = Object.freeze(['10001', '10002', '10003', '10004', '10005', '10006', '10007', '10008']);
/** How long the inventory service takes to answer, in milliseconds. */
const INVENTORY_LATENCY_MS = 10;
/** CPU time burnt by one `buildDiscountTable` call, in milliseconds. */
const DISCOUNT_TABLE_CPU_MS = 150;
/** Quantity tiers of the discount table. */
const DISCOUNT_TIERS = 50;
/**
 * Rows of one export. The churned export allocates about 800 B per row
 * (strings, split arrays, row objects, their copies as they survive
 * scavenges): some 10 MB per request, taking about 20 ms, a third of it in
 * GC. Sized so that the route stays well under 50 ms: a longer route whose
 * time is all its own code would also read as a dominant "self" dependency.
 */
const EXPORT_ROWS = 12_500;
/**
 * Rows built per slice of an export before yielding to the event loop: keeps
 * each slice to a few milliseconds, so the churn shows up as GC time and
 * not as one long event-loop block (which is another recommendation).
 */
const EXPORT_SLICE_ROWS = 1_000;
/** Bytes of the streamed export's one reused buffer. */
const EXPORT_BUFFER_BYTES = 16 * 1024;
/** Bytes retained by one leaky session: a 256 KiB string on the V8 heap. */
const LEAKED_SESSION_BYTES = 256 * 1024;
/** Entries of the bounded session map. */
const SESSION_CAPACITY = 1000;
/** Deadline of an internal HTTP call, in milliseconds. */
const INTERNAL_CALL_TIMEOUT_MS = 5000;

// --- SQL --------------------------------------------------------------------

const RECENT_ORDERS_SQL = 'SELECT id, customer_id, created_at, status FROM orders ORDER BY created_at DESC, id DESC LIMIT $1';

/** One order's items; 7 ms per execution (a network round trip and a bigger table), see the header. */
const ORDER_ITEMS_SQL = `WITH latency AS MATERIALIZED (SELECT pg_sleep(0.007))
SELECT oi.order_id, oi.product_id, oi.quantity, oi.unit_price::float8 AS unit_price
FROM latency, order_items oi WHERE oi.order_id = $1 ORDER BY oi.id`;

const ORDER_ITEMS_BATCH_SQL = `SELECT oi.order_id, oi.product_id, oi.quantity, oi.unit_price::float8 AS unit_price
FROM order_items oi WHERE oi.order_id = ANY($1::int[]) ORDER BY oi.order_id, oi.id`;

/**
 * The dashboard's three independent figures, 26 ms each. Run one after
 * another, any two of them take at least 52 ms: over the sequential-calls
 * analyzer's 50 ms saving (the sum minus the longest) whatever the machine,
 * while the parallel twin, about as long as one of them, stays well under
 * the 50 ms from which a database-bound operation reads as dominated by it.
 */
const DASHBOARD_SQL = Object.freeze({
  customers: `WITH latency AS MATERIALIZED (SELECT pg_sleep(0.026))
SELECT count(*)::int AS customers FROM latency, customers`,
  orders: `WITH latency AS MATERIALIZED (SELECT pg_sleep(0.026))
SELECT count(*)::int AS orders, max(created_at) AS last_order_at FROM latency, orders`,
  revenue: `WITH latency AS MATERIALIZED (SELECT pg_sleep(0.026))
SELECT coalesce(sum(oi.quantity * oi.unit_price), 0)::float8 AS revenue FROM latency, order_items oi`,
});

const TOP_PRODUCTS_SELECT = `SELECT p.sku, sum(oi.quantity)::int AS units, sum(oi.quantity * oi.unit_price)::float8 AS revenue`;
const TOP_PRODUCTS_TAIL = `JOIN products p ON p.id = oi.product_id
GROUP BY p.sku ORDER BY revenue DESC, p.sku LIMIT 10`;
/** The sales report as it would run on years of orders: 150 ms. */
const REPORT_SLOW_SQL = `WITH latency AS MATERIALIZED (SELECT pg_sleep(0.15))
${TOP_PRODUCTS_SELECT}
FROM latency CROSS JOIN order_items oi ${TOP_PRODUCTS_TAIL}`;
/** The same report on a summary table, or with the right index: milliseconds. */
const REPORT_FAST_SQL = `${TOP_PRODUCTS_SELECT}
FROM order_items oi ${TOP_PRODUCTS_TAIL}`;

/**
 * A price quote from the (slow) pricing database: the base price (50 ms),
 * then, after 10 ms of work on it, the customer's discount (50 ms). The
 * request takes at least 110 ms, over the 100 ms mean latency from which a
 * dependency can dominate an operation, and the database is about 90 % of
 * it; yet no finding more specific explains it: each statement leaves 50 ms
 * of headroom (event-loop delays and CPU contention only ever add time)
 * under the 100 ms p95 of a slow statement, the two are different
 * statements (no N+1), and the 10 ms of work between them is more than the
 * 5 ms gap that sequential calls allow (the second needs the first's result).
 */
const QUOTE_SQL = `WITH latency AS MATERIALIZED (SELECT pg_sleep(0.05))
SELECT p.id, p.sku, p.price::float8 AS price
FROM latency, products p WHERE p.id = $1`;
const QUOTE_DISCOUNT_SQL = `WITH latency AS MATERIALIZED (SELECT pg_sleep(0.05))
SELECT round($1::numeric * 0.9, 2)::float8 AS quoted FROM latency`;
const QUOTE_WORK_MS = 10;
const ALL_QUOTES_SQL = 'SELECT id, sku, price::float8 AS price, round(price * 0.9, 2)::float8 AS quoted FROM products';

// --- helpers ------------------------------------------------------------------

/** Wraps an async handler: any failure is answered as JSON 500 instead of Express' HTML page, and never crashes the process. */
function jsonRoute(handler) {
  return async (req, res, next) => {
    try {
      await handler(req, res, next);
    } catch (error) {
      sendError(res, error);
    }
  };
}

function sendError(res, error) {
  const message = error instanceof Error ? error.message : String(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(500).json({ error: message });
}

function yieldToEventLoop() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A positive integer from a query parameter, or `fallback` when absent; `undefined` when invalid. */
function positiveIntParam(value, fallback) {
  if (value === undefined) return fallback;
  return typeof value === 'string' && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : undefined;
}

/**
 * One internal HTTP call with node's `http` module (the OpenTelemetry http
 * instrumentation traces it; the global `fetch` is undici, which it does
 * not). Resolves with the status and the parsed JSON body (or `undefined`).
 */
function callJson(agent, method, url, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      url,
      {
        method,
        agent,
        timeout: INTERNAL_CALL_TIMEOUT_MS,
        headers: payload === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed;
          try {
            parsed = text.length > 0 ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${url} timed out after ${INTERNAL_CALL_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}

/** Reads and discards a request body (the partner does not need it). */
function drainBody(req) {
  return new Promise((resolve, reject) => {
    req.on('error', reject);
    req.on('end', resolve);
    req.resume();
  });
}

/**
 * The discount of every quantity tier, recomputed from scratch: the planted
 * event-loop block. The loop stands in for an expensive synchronous
 * computation (a pricing rule engine, a big JSON transform); it keeps
 * refining the table until `DISCOUNT_TABLE_CPU_MS` have passed on the clock
 * (all of it CPU time, unless the OS preempts the process), so the block
 * lasts that long on any machine, and the result never depends on how many
 * rounds ran. Synchronous on purpose: nothing else runs on the
 * event loop meanwhile.
 * @returns {number[]} discount in percent per tier (index 0 = quantity 1)
 */
function buildDiscountTable() {
  const deadline = performance.now() + DISCOUNT_TABLE_CPU_MS;
  const table = new Array(DISCOUNT_TIERS).fill(0);
  do {
    for (let tier = 0; tier < DISCOUNT_TIERS; tier++) {
      // 30 % × (1 − e^(−q/20)) for quantity q, with 1 − e^(−x) summed from its Taylor series.
      const x = (tier + 1) / 20;
      let term = 1;
      let series = 0;
      for (let k = 1; k <= 60; k++) {
        term *= -x / k;
        series -= term;
      }
      table[tier] = Math.round(30 * series * 100) / 100;
    }
  } while (performance.now() < deadline);
  return table;
}

/** One export row as text: `order,sku,quantity,price\n`, a pure function of the row number (the same rows in both export routes). */
function exportLine(i) {
  const orderId = 1 + (i % 1000);
  const sku = 10001 + ((i * 13) % 200);
  const quantity = 1 + (i % 4);
  const cents = 100 + ((i * 37) % 20000);
  return `${orderId},${sku},${quantity},${(cents / 100).toFixed(2)}\n`;
}

/** Writes the non-negative integer `n` in decimal at `offset`; returns the offset after it. */
function writeDecimal(buffer, offset, n) {
  let end = offset;
  for (let rest = n; ; rest = Math.floor(rest / 10)) {
    end++;
    if (rest < 10) break;
  }
  for (let i = end - 1, rest = n; i >= offset; i--, rest = Math.floor(rest / 10)) buffer[i] = 48 + (rest % 10);
  return end;
}

/** Longest row `writeExportLine` writes, in bytes: order ≤ 4 digits, SKU 5, quantity 1, price ≤ 3 + 2, three commas, a dot, a line feed. */
const EXPORT_LINE_MAX_BYTES = 20;

/** The bytes of `exportLine(i)` written at `offset` with no allocation at all; returns the offset after them. */
function writeExportLine(buffer, offset, i) {
  const cents = 100 + ((i * 37) % 20000);
  let at = writeDecimal(buffer, offset, 1 + (i % 1000));
  buffer[at++] = 44; // ','
  at = writeDecimal(buffer, at, 10001 + ((i * 13) % 200));
  buffer[at++] = 44;
  at = writeDecimal(buffer, at, 1 + (i % 4));
  buffer[at++] = 44;
  at = writeDecimal(buffer, at, Math.floor(cents / 100));
  buffer[at++] = 46; // '.'
  buffer[at++] = 48 + Math.floor((cents % 100) / 10);
  buffer[at++] = 48 + (cents % 10);
  buffer[at++] = 10; // '\n'
  return at;
}

/** FNV-1a over the bytes of `buffer[0, length)`, continuing from `hash`. */
function fnv1a(hash, buffer, length) {
  let h = hash;
  for (let i = 0; i < length; i++) {
    h ^= buffer[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
const FNV_OFFSET = 0x811c9dc5;

/**
 * Registers the anti-pattern routes, their twins and the internal routes.
 *
 * @param {import('express').Express} app
 * @param {{ pool: import('pg').Pool, selfUrl: string | (() => string), flakyPartnerUrl?: string | (() => string) }} options
 *   `selfUrl`: this server's base URL (`http://127.0.0.1:3000`), or a function
 *   returning it once the server listens; `flakyPartnerUrl`: where POST
 *   /partner/payments/flaky is called (default `selfUrl`; see the header).
 * @returns {{ warmUp(): Promise<void>, close(): void }} `warmUp` fills the
 *   quote cache and the precomputed discount table (call it before
 *   listening); `close` drops the kept-alive sockets of internal calls.
 */
function registerAntiPatternRoutes(app, options) {
  const { pool } = options;
  const urlOf = (value) => (typeof value === 'function' ? value() : value);
  const selfUrl = () => urlOf(options.selfUrl);
  const flakyPartnerUrl = () => urlOf(options.flakyPartnerUrl ?? options.selfUrl);
  // Keep-alive: the internal calls reuse connections, as a service's HTTP client would.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  // --- n_plus_one_db ---------------------------------------------------------

  const orderSummary = (order, items) => ({ id: order.id, customerId: order.customer_id, status: order.status, items });
  /**
   * Runs `work` with one client checked out for the whole request, so that
   * its queries follow each other on one connection (each `pool.query` would
   * add a `pg-pool.connect` span between them), and gives it back to the pool.
   */
  const withClient = async (work) => {
    const client = await pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  };

  app.get(
    '/orders/n-plus-one',
    jsonRoute(async (_req, res) => {
      const result = await withClient(async (db) => {
        const { rows: orders } = await db.query(RECENT_ORDERS_SQL, [RECENT_ORDERS]);
        const summaries = [];
        // The planted N+1: one round trip per order, one after another.
        for (const order of orders) {
          const { rows } = await db.query(ORDER_ITEMS_SQL, [order.id]);
          summaries.push(orderSummary(order, rows));
        }
        return { orders: summaries, queries: 1 + orders.length };
      });
      res.json(result);
    }),
  );
  app.get(
    '/orders/batched',
    jsonRoute(async (_req, res) => {
      const result = await withClient(async (db) => {
        const { rows: orders } = await db.query(RECENT_ORDERS_SQL, [RECENT_ORDERS]);
        const { rows } = await db.query(ORDER_ITEMS_BATCH_SQL, [orders.map((order) => order.id)]);
        const byOrder = new Map(orders.map((order) => [order.id, []]));
        for (const row of rows) byOrder.get(row.order_id)?.push(row);
        return { orders: orders.map((order) => orderSummary(order, byOrder.get(order.id) ?? [])), queries: 2 };
      });
      res.json(result);
    }),
  );

  // --- n_plus_one_http (and the inventory service it calls) ------------------

  const stockOf = (sku) => ({ sku, available: (Number(sku) * 7) % 50, warehouse: Number(sku) % 2 === 0 ? 'north' : 'south' });

  app.get('/inventory/:sku', (req, res) => {
    const { sku } = req.params;
    if (!/^\d{1,12}$/.test(sku)) {
      res.status(400).json({ error: 'sku must be digits' });
      return;
    }
    setTimeout(() => res.json(stockOf(sku)), INVENTORY_LATENCY_MS);
  });
  app.get('/inventory', (req, res) => {
    const skus = typeof req.query.skus === 'string' ? req.query.skus.split(',').filter((s) => s.length > 0) : [];
    if (skus.length === 0 || skus.length > 100 || !skus.every((sku) => /^\d{1,12}$/.test(sku))) {
      res.status(400).json({ error: 'skus must be 1 to 100 comma-separated digit strings' });
      return;
    }
    setTimeout(() => res.json({ items: skus.map(stockOf) }), INVENTORY_LATENCY_MS);
  });

  app.get(
    '/stock/n-plus-one',
    jsonRoute(async (_req, res) => {
      const items = [];
      // The planted N+1 over HTTP: one call per SKU, one after another.
      for (const sku of FEATURED_SKUS) {
        const { status, body } = await callJson(agent, 'GET', `${selfUrl()}/inventory/${sku}`);
        if (status !== 200) throw new Error(`inventory answered ${status} for ${sku}`);
        items.push(body);
      }
      res.json({ items, calls: FEATURED_SKUS.length });
    }),
  );
  app.get(
    '/stock/batched',
    jsonRoute(async (_req, res) => {
      const { status, body } = await callJson(agent, 'GET', `${selfUrl()}/inventory?skus=${FEATURED_SKUS.join(',')}`);
      if (status !== 200) throw new Error(`inventory answered ${status}`);
      res.json({ items: body.items, calls: 1 });
    }),
  );

  // --- sequential_calls --------------------------------------------------------

  const dashboardOf = (customers, orders, revenue) => ({
    customers: customers.rows[0].customers,
    orders: orders.rows[0].orders,
    lastOrderAt: orders.rows[0].last_order_at,
    revenue: revenue.rows[0].revenue,
  });
  app.get(
    '/dashboard/sequential',
    jsonRoute(async (_req, res) => {
      // The planted pattern: three independent queries, each awaited before the next starts.
      const customers = await pool.query(DASHBOARD_SQL.customers);
      const orders = await pool.query(DASHBOARD_SQL.orders);
      const revenue = await pool.query(DASHBOARD_SQL.revenue);
      res.json(dashboardOf(customers, orders, revenue));
    }),
  );
  app.get(
    '/dashboard/parallel',
    jsonRoute(async (_req, res) => {
      // Each pool.query takes its own connection, so the three waits overlap.
      const [customers, orders, revenue] = await Promise.all([
        pool.query(DASHBOARD_SQL.customers),
        pool.query(DASHBOARD_SQL.orders),
        pool.query(DASHBOARD_SQL.revenue),
      ]);
      res.json(dashboardOf(customers, orders, revenue));
    }),
  );

  // --- slow_db_statement -------------------------------------------------------

  app.get(
    '/report/slow',
    jsonRoute(async (_req, res) => {
      res.json({ top: (await pool.query(REPORT_SLOW_SQL)).rows });
    }),
  );
  app.get(
    '/report/fast',
    jsonRoute(async (_req, res) => {
      res.json({ top: (await pool.query(REPORT_FAST_SQL)).rows });
    }),
  );

  // --- dominant_dependency -----------------------------------------------------

  /** Quote per product id, filled by warmUp (or on a miss): one entry per product. */
  const quoteCache = new Map();
  const loadQuotes = async () => {
    const { rows } = await pool.query(ALL_QUOTES_SQL);
    for (const row of rows) quoteCache.set(row.id, row);
  };
  app.get(
    '/quote/uncached',
    jsonRoute(async (req, res) => {
      const productId = positiveIntParam(req.query.product, 1);
      if (productId === undefined) {
        res.status(400).json({ error: 'product must be a positive integer' });
        return;
      }
      // The planted pattern: every request waits for the pricing database, which is nearly all of its time.
      const { rows } = await pool.query(QUOTE_SQL, [productId]);
      if (rows.length === 0) {
        res.status(404).json({ error: `no product ${productId}` });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, QUOTE_WORK_MS));
      const discount = await pool.query(QUOTE_DISCOUNT_SQL, [rows[0].price]);
      res.json({ quote: { ...rows[0], quoted: discount.rows[0].quoted }, cached: false });
    }),
  );
  app.get(
    '/quote/cached',
    jsonRoute(async (req, res) => {
      const productId = positiveIntParam(req.query.product, 1);
      if (productId === undefined) {
        res.status(400).json({ error: 'product must be a positive integer' });
        return;
      }
      if (quoteCache.size === 0) await loadQuotes(); // only when warmUp was not called
      const quote = quoteCache.get(productId);
      if (quote === undefined) res.status(404).json({ error: `no product ${productId}` });
      else res.json({ quote, cached: true });
    }),
  );

  // --- error_prone_dependency (and the payment partner it calls) ---------------

  let flakyCalls = 0;
  app.post(
    '/partner/payments/flaky',
    jsonRoute(async (req, res) => {
      await drainBody(req);
      // Deterministic 30 %: calls 0, 1 and 2 of every 10 fail.
      const call = flakyCalls++;
      if (call % 10 < 3) res.status(503).json({ error: 'partner temporarily unavailable' });
      else res.json({ status: 'authorized', payment: call });
    }),
  );
  let stableCalls = 0;
  app.post(
    '/partner/payments/stable',
    jsonRoute(async (req, res) => {
      await drainBody(req);
      res.json({ status: 'authorized', payment: stableCalls++ });
    }),
  );
  const pay = (baseUrl, path) =>
    jsonRoute(async (_req, res) => {
      let outcome;
      try {
        outcome = await callJson(agent, 'POST', `${baseUrl()}${path}`, { amount: 42.5, currency: 'EUR' });
      } catch (error) {
        outcome = { status: 0, body: { error: error instanceof Error ? error.message : String(error) } };
      }
      // The shop itself never fails the customer: a refused payment is deferred.
      if (outcome.status === 200) res.json({ status: 'authorized', fallback: false, payment: outcome.body?.payment });
      else res.json({ status: 'deferred', fallback: true, partnerStatus: outcome.status });
    });
  app.get('/pay/flaky', pay(flakyPartnerUrl, '/partner/payments/flaky'));
  app.get('/pay/stable', pay(selfUrl, '/partner/payments/stable'));

  // --- event_loop_blocking -------------------------------------------------------

  let precomputedTable;
  const discountAnswer = (table, precomputed) => ({ tiers: table.length, discountFor10: table[9], discountFor50: table[49], precomputed });
  app.get('/pricing/blocking', (_req, res) => {
    // The planted pattern: ~150 ms of synchronous CPU per request.
    res.json(discountAnswer(buildDiscountTable(), false));
  });
  app.get('/pricing/precomputed', (_req, res) => {
    precomputedTable ??= buildDiscountTable(); // only when warmUp was not called
    res.json(discountAnswer(precomputedTable, true));
  });

  // --- gc_pressure -----------------------------------------------------------------

  app.get(
    '/export/churn',
    jsonRoute(async (_req, res) => {
      // The planted pattern: the whole export materialised as objects, then as
      // strings, then as one big text, all garbage once the answer is sent.
      // The objects stay reachable across slices, so they survive scavenges
      // and are copied and promoted: what makes short-lived garbage expensive.
      const rows = [];
      for (let start = 0; start < EXPORT_ROWS; start += EXPORT_SLICE_ROWS) {
        for (let i = start; i < Math.min(EXPORT_ROWS, start + EXPORT_SLICE_ROWS); i++) {
          const fields = exportLine(i).trimEnd().split(',');
          rows.push({ orderId: Number(fields[0]), sku: fields[1], quantity: Number(fields[2]), price: fields[3], line: exportLine(i) });
        }
        await yieldToEventLoop();
      }
      const text = rows.map((row) => row.line).join('');
      const bytes = Buffer.from(text, 'utf8');
      res.json({ rows: rows.length, bytes: bytes.length, checksum: fnv1a(FNV_OFFSET, bytes, bytes.length) });
    }),
  );
  app.get(
    '/export/streamed',
    jsonRoute((_req, res) => {
      // The twin: each row is written as bytes straight into one reused
      // buffer, folded into the checksum whenever the buffer fills; no
      // string or object is allocated per row. A few milliseconds in one go:
      // yielding would only stretch its latency behind other requests.
      const buffer = Buffer.allocUnsafe(EXPORT_BUFFER_BYTES);
      let used = 0;
      let total = 0;
      let hash = FNV_OFFSET;
      for (let i = 0; i < EXPORT_ROWS; i++) {
        if (used + EXPORT_LINE_MAX_BYTES > buffer.length) {
          hash = fnv1a(hash, buffer, used);
          total += used;
          used = 0;
        }
        used = writeExportLine(buffer, used, i);
      }
      hash = fnv1a(hash, buffer, used);
      total += used;
      res.json({ rows: EXPORT_ROWS, bytes: total, checksum: hash });
    }),
  );

  // --- memory_leak_suspected -------------------------------------------------------

  const leakedSessions = [];
  const leakLimit = Math.floor(v8.getHeapStatistics().heap_size_limit / 4 / LEAKED_SESSION_BYTES);
  app.get('/session/leaky', (_req, res) => {
    // The planted leak: every request's session is appended to a module-level list and never dropped.
    if (leakedSessions.length < leakLimit) {
      // Base64 of 192 KiB of random bytes: a flat 256 KiB string on the V8 heap (not an external buffer).
      leakedSessions.push(crypto.randomBytes((LEAKED_SESSION_BYTES / 4) * 3).toString('base64'));
    }
    res.json({ sessions: leakedSessions.length, retainedBytes: leakedSessions.length * LEAKED_SESSION_BYTES });
  });
  const sessions = new Map();
  let sessionCounter = 0;
  app.get('/session/bounded', (_req, res) => {
    const id = `session-${sessionCounter++}`;
    // Map iteration order is insertion order: the first key is the least recently set.
    sessions.set(id, { id, cart: [], startedAt: Date.now() });
    while (sessions.size > SESSION_CAPACITY) sessions.delete(sessions.keys().next().value);
    res.json({ sessions: sessions.size, capacity: SESSION_CAPACITY });
  });

  return {
    async warmUp() {
      await loadQuotes();
      precomputedTable ??= buildDiscountTable();
    },
    close() {
      agent.destroy();
    },
  };
}

module.exports = {
  registerAntiPatternRoutes,
  buildDiscountTable,
  FEATURED_SKUS,
  RECENT_ORDERS,
  EXPORT_ROWS,
  SESSION_CAPACITY,
  LEAKED_SESSION_BYTES,
};
