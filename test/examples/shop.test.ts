/**
 * The example shop (examples/shop/shop-server.cjs) on a real PostgreSQL,
 * without the agent: every planted anti-pattern route and its clean twin
 * answer the same data, the planted costs are really paid (lower bounds only:
 * a sleep or a CPU deadline cannot finish early, so these cannot flake), and
 * the shop and the temporary database shut down cleanly.
 *
 * Needs the PostgreSQL server binaries (Debian: apt-get install postgresql).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { drive } from '../../examples/shop/drive.cjs';
import { findPostgresBinDir, startTemporaryPostgres, TemporaryPostgresError } from '../../examples/shop/postgres.cjs';
import type { TemporaryPostgres } from '../../examples/shop/postgres.cjs';
import { freePort, startNode } from '../helpers/processes';
import type { RunningProcess } from '../helpers/processes';

const SHOP = 'examples/shop/shop-server.cjs';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly elapsedMs: number;
}

/** One request with node's http (no keep-alive), the JSON body parsed. */
function call(baseUrl: string, method: string, pathname: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${baseUrl}${pathname}`, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, elapsedMs: performance.now() - started });
        } catch {
          reject(new Error(`${method} ${pathname}: not JSON (${res.statusCode}): ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the example shop on a temporary PostgreSQL', () => {
  let postgres: TemporaryPostgres | undefined;
  let shop: RunningProcess | undefined;
  let baseUrl = '';
  const get = (pathname: string): Promise<Answer> => call(baseUrl, 'GET', pathname);

  beforeAll(async () => {
    postgres = await startTemporaryPostgres();
    const port = await freePort();
    shop = startNode([SHOP], { DATABASE_URL: postgres.url, PORT: String(port) });
    await shop.waitFor(/shop listening on http:\/\/127\.0\.0\.1:\d+/, 20_000);
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await shop?.stop();
    await postgres?.stop();
  });

  it('keeps the original routes', async () => {
    expect(await get('/health')).toMatchObject({ status: 200, body: { ok: true } });
    expect(await get('/products/7')).toMatchObject({ status: 200, body: { id: '7' } });
    expect((await call(baseUrl, 'POST', '/checkout?fail=1')).status).toBe(503);
  });

  it('n_plus_one_db: one query per order against one batched query, same orders', async () => {
    const planted = await get('/orders/n-plus-one');
    const twin = await get('/orders/batched');
    expect(planted.status).toBe(200);
    expect(twin.status).toBe(200);
    expect(planted.body['queries']).toBe(11);
    expect(twin.body['queries']).toBe(2);
    const orders = planted.body['orders'] as { id: number; items: unknown[] }[];
    expect(orders).toHaveLength(10);
    expect(orders.every((order) => order.items.length >= 1)).toBe(true);
    expect(twin.body['orders']).toEqual(orders);
    // Ten statements that each sleep 7 ms inside PostgreSQL.
    expect(planted.elapsedMs).toBeGreaterThanOrEqual(70);
  });

  it('n_plus_one_http: eight inventory calls against one, same stock', async () => {
    const planted = await get('/stock/n-plus-one');
    const twin = await get('/stock/batched');
    expect(planted).toMatchObject({ status: 200, body: { calls: 8 } });
    expect(twin).toMatchObject({ status: 200, body: { calls: 1 } });
    const items = planted.body['items'] as { sku: string }[];
    expect(items.map((item) => item.sku)).toEqual(['10001', '10002', '10003', '10004', '10005', '10006', '10007', '10008']);
    expect(twin.body['items']).toEqual(items);
    // Each inventory answer waits 10 ms.
    expect(planted.elapsedMs).toBeGreaterThanOrEqual(80);
  });

  it('sequential_calls: the same three figures, sequential and parallel', async () => {
    const planted = await get('/dashboard/sequential');
    const twin = await get('/dashboard/parallel');
    expect(planted.status).toBe(200);
    expect(planted.body).toMatchObject({ customers: 50, orders: 1000 });
    expect(twin.body).toEqual(planted.body);
    // Three statements that each sleep 26 ms inside PostgreSQL: one after another, or at once.
    expect(planted.elapsedMs).toBeGreaterThanOrEqual(78);
    expect(twin.elapsedMs).toBeGreaterThanOrEqual(26);
  });

  it('slow_db_statement: the same report, slow and fast', async () => {
    const planted = await get('/report/slow');
    const twin = await get('/report/fast');
    expect(planted.status).toBe(200);
    const top = planted.body['top'] as { sku: string; units: number; revenue: number }[];
    expect(top).toHaveLength(10);
    expect(twin.body['top']).toEqual(top);
    expect(planted.elapsedMs).toBeGreaterThanOrEqual(150);
  });

  it('dominant_dependency: the same quote, from the database and from the cache', async () => {
    const planted = await get('/quote/uncached?product=3');
    const twin = await get('/quote/cached?product=3');
    expect(planted).toMatchObject({ status: 200, body: { cached: false } });
    expect(twin).toMatchObject({ status: 200, body: { cached: true } });
    expect(twin.body['quote']).toEqual(planted.body['quote']);
    expect(planted.body['quote']).toMatchObject({ id: 3, sku: '10003' });
    expect(planted.elapsedMs).toBeGreaterThanOrEqual(55);
    expect((await get('/quote/uncached?product=abc')).status).toBe(400);
    expect((await get('/quote/cached?product=9999')).status).toBe(404);
  });

  it('error_prone_dependency: the flaky partner fails 3 calls in 10, the shop still answers 200', async () => {
    const flaky: Answer[] = [];
    for (let i = 0; i < 10; i++) flaky.push(await get('/pay/flaky'));
    expect(flaky.every((answer) => answer.status === 200)).toBe(true);
    const deferred = flaky.filter((answer) => answer.body['fallback'] === true);
    expect(deferred).toHaveLength(3);
    expect(deferred.every((answer) => answer.body['partnerStatus'] === 503)).toBe(true);
    const stable: Answer[] = [];
    for (let i = 0; i < 5; i++) stable.push(await get('/pay/stable'));
    expect(stable.map((answer) => answer.body['status'])).toEqual(Array(5).fill('authorized'));
  });

  it('event_loop_blocking: the same discount table, recomputed or precomputed', async () => {
    const planted = await get('/pricing/blocking');
    const twin = await get('/pricing/precomputed');
    expect(planted).toMatchObject({ status: 200, body: { tiers: 50, precomputed: false } });
    expect(twin).toMatchObject({ status: 200, body: { tiers: 50, precomputed: true } });
    expect(twin.body['discountFor10']).toBe(planted.body['discountFor10']);
    expect(twin.body['discountFor50']).toBe(planted.body['discountFor50']);
    // 30 % × (1 − e^(−10/20)) = 11.80 %.
    expect(planted.body['discountFor10']).toBeCloseTo(11.8, 2);
    // buildDiscountTable spins until 150 ms of CPU time have passed.
    expect(planted.elapsedMs).toBeGreaterThanOrEqual(100);
  });

  it('gc_pressure: the same export bytes, churned or streamed', async () => {
    const planted = await get('/export/churn');
    const twin = await get('/export/streamed');
    expect(planted.status).toBe(200);
    expect(twin.status).toBe(200);
    expect(planted.body['rows']).toBe(12_500);
    expect(twin.body).toEqual(planted.body);
  });

  it('memory_leak_suspected: the leaky sessions grow by 256 KiB a request, the bounded ones stay capped', async () => {
    const first = await get('/session/leaky');
    const second = await get('/session/leaky');
    expect(second.body['sessions']).toBe((first.body['sessions'] as number) + 1);
    expect(second.body['retainedBytes']).toBe((second.body['sessions'] as number) * 256 * 1024);
    const bounded = await get('/session/bounded');
    expect(bounded).toMatchObject({ status: 200, body: { capacity: 1000 } });
    expect(bounded.body['sessions']).toBeLessThanOrEqual(1000);
  });

  it('validates the internal routes and answers JSON', async () => {
    expect(await get('/inventory/10005')).toMatchObject({ status: 200, body: { sku: '10005' } });
    expect((await get('/inventory/abc')).status).toBe(400);
    expect((await get('/inventory?skus=')).status).toBe(400);
    expect((await get('/inventory?skus=10001,10002')).body['items']).toHaveLength(2);
    expect(await call(baseUrl, 'POST', '/partner/payments/stable')).toMatchObject({ status: 200, body: { status: 'authorized' } });
  });

  it('drive() spreads requests over the paths and counts the statuses', async () => {
    const result = await drive(baseUrl, ['/health', '/error', '/session/bounded'], { requests: 30, concurrency: 4 });
    expect(result).toMatchObject({ requests: 30, errors: 0, statuses: { '200': 20, '500': 10 } });
    await expect(drive(baseUrl, ['health'])).rejects.toThrow(/must start with/);
    // A port nobody listens on: every request is an error, none throws.
    const closed = await drive(`http://127.0.0.1:${await freePort()}`, ['/health'], { requests: 3 });
    expect(closed).toMatchObject({ requests: 3, errors: 3, statuses: {} });
  });

  it('exits with code 0 on SIGTERM, and stop() removes the temporary cluster', async () => {
    expect(await shop!.stop()).toBe(0);
    const { dataDir, port } = postgres!;
    expect(existsSync(dataDir)).toBe(true);
    await postgres!.stop();
    expect(existsSync(path.dirname(dataDir))).toBe(false);
    expect(await portAccepts(port)).toBe(false);
  });
});

describe('shop-server.cjs without DATABASE_URL', () => {
  it('starts its own temporary PostgreSQL and deletes it on SIGINT', async () => {
    const port = await freePort();
    const shop = startNode([SHOP], { PORT: String(port) });
    try {
      await shop.waitFor(/shop listening on/, 20_000);
      const match = /temporary PostgreSQL at postgres:\/\/\w+@127\.0\.0\.1:(\d+)\//.exec(shop.stdout());
      expect(match).not.toBeNull();
      const postgresPort = Number(match![1]);
      expect(await call(`http://127.0.0.1:${port}`, 'GET', '/report/fast')).toMatchObject({ status: 200 });
      expect(await portAccepts(postgresPort)).toBe(true);
      const exited = new Promise<number | null>((resolve) => shop.child.once('exit', (code) => resolve(code)));
      shop.child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await portAccepts(postgresPort)).toBe(false);
    } finally {
      await shop.stop();
    }
  });
});

describe('startTemporaryPostgres', () => {
  it('says what to install when the binaries are missing', async () => {
    const missing = path.join(os.tmpdir(), 'slowatch-no-postgres-here');
    await expect(startTemporaryPostgres({ binDir: missing })).rejects.toThrow(TemporaryPostgresError);
    await expect(startTemporaryPostgres({ binDir: missing })).rejects.toThrow(/initdb, postgres\) not found in .*slowatch-no-postgres-here.*apt-get install postgresql/);
  });

  it('finds the installed binaries', () => {
    const binDir = findPostgresBinDir();
    expect(existsSync(path.join(binDir, 'initdb'))).toBe(true);
    expect(existsSync(path.join(binDir, 'postgres'))).toBe(true);
  });
});
