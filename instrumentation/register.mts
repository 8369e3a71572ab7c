/**
 * `node --import slowatch/register app.mjs`: installs the ESM loader hooks
 * that let OpenTelemetry instrument `import`ed modules, then starts the same
 * agent as the CommonJS entry.
 *
 * The hook is registered with import-in-the-middle's message channel, so only
 * modules an instrumentation asks for are wrapped, not every module the
 * application imports.
 */
import { register, createRequire } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';

let acknowledged: () => Promise<void> = () => Promise.resolve();
try {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  acknowledged = waitForAllMessagesAcknowledged;
} catch (error) {
  process.stderr.write(`slowatch error: ESM instrumentation hooks could not be installed; only require()d modules are instrumented: ${String(error)}\n`);
}
createRequire(import.meta.url)('./register.js');
// The instrumentations have told the hook which modules to wrap; wait until it
// has taken note before the application's own imports are resolved.
await acknowledged();
