'use strict';
/**
 * The example shop's database: schema, seed data and the connection pool.
 *
 * Tables: customers, products, orders, order_items (with the foreign-key
 * indexes a real shop would have). `ensureSchema` is idempotent: tables and
 * indexes are created if missing, and the seed is inserted only into an
 * empty database, under a transaction-scoped advisory lock so that two shops
 * starting against one database at once seed it once.
 *
 * Seed size (about 1 MiB on disk): 50 customers, 200 products, 1 000 orders,
 * 1 to 5 items each. Every value is a function of the row number, so two
 * seeded databases hold the same rows and answers are reproducible.
 */
const pg = require('pg');

/** Arbitrary key of the advisory lock taken while seeding ('shop' in ASCII). */
const SEED_LOCK_KEY = 0x73686f70;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS customers (
  id integer PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS products (
  id integer PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  price numeric(10, 2) NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  created_at timestamptz NOT NULL,
  status text NOT NULL
);
CREATE TABLE IF NOT EXISTS order_items (
  id serial PRIMARY KEY,
  order_id integer NOT NULL REFERENCES orders (id),
  product_id integer NOT NULL REFERENCES products (id),
  quantity integer NOT NULL,
  unit_price numeric(10, 2) NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
CREATE INDEX IF NOT EXISTS orders_created_at_idx ON orders (created_at);
CREATE INDEX IF NOT EXISTS order_items_order_id_idx ON order_items (order_id);
CREATE INDEX IF NOT EXISTS order_items_product_id_idx ON order_items (product_id);
`;

// Deterministic seed: generate_series and arithmetic on the row number only.
const SEED = [
  `INSERT INTO customers (id, name, email)
     SELECT n, 'customer ' || n, 'customer' || n || '@example.com' FROM generate_series(1, 50) AS n`,
  `INSERT INTO products (id, sku, name, price)
     SELECT n, (10000 + n)::text, 'product ' || n, round((1 + (n * 37) % 200 + (n % 100) / 100.0)::numeric, 2)
     FROM generate_series(1, 200) AS n`,
  `INSERT INTO orders (id, customer_id, created_at, status)
     SELECT n, 1 + (n * 7) % 50, timestamptz '2024-01-01 00:00:00+00' + n * interval '37 minutes',
            (ARRAY['paid', 'shipped', 'delivered'])[1 + n % 3]
     FROM generate_series(1, 1000) AS n`,
  `INSERT INTO order_items (order_id, product_id, quantity, unit_price)
     SELECT o.id, p.id, 1 + (o.id + k) % 4, p.price
     FROM generate_series(1, 1000) AS o (id)
     CROSS JOIN LATERAL generate_series(1, 1 + o.id % 5) AS k
     JOIN products p ON p.id = 1 + (o.id * 13 + k * 29) % 200`,
];

/**
 * Creates the tables and indexes if missing, then seeds an empty database.
 * @param {pg.Pool} pool
 * @returns {Promise<{ seeded: boolean }>} whether this call inserted the seed
 */
async function ensureSchema(pool) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    await client.query(SCHEMA);
    const { rows } = await client.query('SELECT count(*)::int AS n FROM products');
    const seeded = rows[0].n === 0;
    if (seeded) {
      for (const statement of SEED) await client.query(statement);
      await client.query('ANALYZE');
    }
    await client.query('COMMIT');
    return { seeded };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * A pool on `databaseUrl` (default `DATABASE_URL`). Idle clients that lose
 * their connection emit 'error' on the pool; that is logged, never thrown
 * (an unhandled 'error' event would crash the process).
 * @param {string} [databaseUrl]
 * @returns {pg.Pool}
 */
function createPool(databaseUrl = process.env.DATABASE_URL) {
  if (databaseUrl === undefined || databaseUrl.length === 0) {
    throw new Error('createPool: no database URL (set DATABASE_URL, e.g. postgres://user@127.0.0.1:5432/shop)');
  }
  // 20 connections (pg's default is 10): the parallel dashboard takes three
  // at once, so at a concurrency of 4 the default would make its queries wait
  // for a connection, which is time charged to the database and would make
  // the clean twin look database-bound. The temporary server allows 50.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) => {
    console.error(`shop: idle database connection failed: ${error.message}`);
  });
  return pool;
}

module.exports = { ensureSchema, createPool, SCHEMA };
