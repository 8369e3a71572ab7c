/**
 * `node --import slowatch/register app.mjs`: installs the ESM loader hooks
 * that let OpenTelemetry instrument `import`ed modules, then starts the same
 * agent as the CommonJS entry.
 */
import { register, createRequire } from 'node:module';

try {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
} catch (error) {
  process.stderr.write(`slowatch error: ESM instrumentation hooks could not be installed; only require()d modules are instrumented: ${String(error)}\n`);
}
createRequire(import.meta.url)('./register.js');
