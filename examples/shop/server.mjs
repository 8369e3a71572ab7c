// The example shop as an ES module app: `node --import slowatch/register examples/shop/server.mjs`.
// Express is `import`ed, so it is instrumented through the ESM loader hooks.
import express from 'express';
import { createRequire } from 'node:module';

const { registerRoutes } = createRequire(import.meta.url)('./routes.cjs');
const app = express();
registerRoutes(app);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const server = app.listen(port, host, () => {
  const address = server.address();
  console.log(`shop listening on http://${host}:${typeof address === 'object' && address ? address.port : port}`);
});
process.on('SIGTERM', () => server.close());
