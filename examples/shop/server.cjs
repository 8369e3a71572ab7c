'use strict';
// The example shop as a CommonJS app: `npm run example:agent` runs it with
// `node --require slowatch/register`. PORT (default 3000) and HOST (default 127.0.0.1).
const express = require('express');
const { registerRoutes, listen } = require('./routes.cjs');

const app = express();
registerRoutes(app);
listen(app);
