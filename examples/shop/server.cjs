'use strict';
// The example shop as a CommonJS app: `npm run example:agent` runs it with
// `node --require slowatch/register`. PORT (default 3000) and HOST (default 127.0.0.1).
const express = require('express');
const { registerRoutes } = require('./routes.cjs');

const app = express();
registerRoutes(app);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const server = app.listen(port, host, () => {
  const address = server.address();
  console.log(`shop listening on http://${host}:${typeof address === 'object' && address ? address.port : port}`);
});
process.on('SIGTERM', () => server.close());
