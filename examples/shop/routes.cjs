'use strict';
/**
 * The example shop's routes, shared by the CommonJS (server.cjs) and ESM
 * (server.mjs) entry points. Some succeed, some fail, some are slow, so every
 * SLO outcome can be produced on purpose:
 *
 *   GET  /health             200, fast
 *   GET  /products/:id       200, fast (route parameter: one http.route for all ids)
 *   GET  /cart               200, fast
 *   POST /checkout           200; 503 with ?fail=1
 *   GET  /slow               200 after ?ms= milliseconds (default 250)
 *   GET  /error              500 always
 *   GET  /boom               throws inside the handler (Express answers 500)
 */
function registerRoutes(app) {
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/products/:id', (req, res) => {
    res.json({ id: req.params.id, name: `product ${req.params.id}`, price: 9.99 });
  });
  app.get('/cart', (_req, res) => {
    res.json({ items: [] });
  });
  app.post('/checkout', (req, res) => {
    if (req.query.fail === '1') {
      res.status(503).json({ error: 'payment provider unavailable' });
      return;
    }
    res.json({ order: Math.floor(Math.random() * 1e9) });
  });
  app.get('/slow', (req, res) => {
    const ms = Math.min(Number(req.query.ms ?? 250) || 0, 10_000);
    setTimeout(() => res.json({ waited: ms }), ms);
  });
  app.get('/error', (_req, res) => {
    res.status(500).json({ error: 'something broke' });
  });
  app.get('/boom', () => {
    throw new Error('boom');
  });
}

/** Listens on PORT (default 3000) and HOST (default 127.0.0.1); closes on SIGTERM. */
function listen(app) {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  const server = app.listen(port, host, () => {
    const address = server.address();
    console.log(`shop listening on http://${host}:${typeof address === 'object' && address ? address.port : port}`);
  });
  process.on('SIGTERM', () => server.close());
  return server;
}

module.exports = { registerRoutes, listen };
