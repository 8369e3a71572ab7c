/**
 * `node --require slowatch/register app.js`: starts the agent before the
 * application's own modules load, so their require() calls are instrumented.
 */
import { startAgent } from './agent';

startAgent();
