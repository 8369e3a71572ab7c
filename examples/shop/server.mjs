// The example shop as an ES module app: `node --import slowatch/register examples/shop/server.mjs`.
// Express is `import`ed, so it is instrumented through the ESM loader hooks.
import express from 'express';
import { createRequire } from 'node:module';

const { registerRoutes, listen } = createRequire(import.meta.url)('./routes.cjs');
const app = express();
registerRoutes(app);
listen(app);
