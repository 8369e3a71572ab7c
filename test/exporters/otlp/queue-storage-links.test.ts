import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { queueStorageLinkIssues } from '../../../exporters/otlp/queue-storage-links';
import { ManualClock } from '../../../src/clock';
import { ConfigError } from '../../../src/config/config-error';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { parseConfigText } from '../../../src/config/parse-config';
import type { Logger } from '../../../src/logging/logger';
import { builtInRuntimes } from '../../../src/service/builtin-runtimes';
import { checkGatewayConfig, Service } from '../../../src/service/service';
import { SlowatchStore } from '../../../src/storage/slowatch-store';
import { useTempDir } from '../../storage/store-test-files';

// Bound: about a second (config parsing, one in-process service start on a temporary store).

function config(extensions: string, listed: string, storage = 'storage', storePath = '/tmp/never-opened.db') {
  return parseConfigText(
    `
exporters:
  otlp/downstream:
    endpoint: http://127.0.0.1:9
    sending_queue: { storage: ${storage} }
extensions:
${extensions.replace('STORE', JSON.stringify(storePath))}
service:
  extensions: [${listed}]
  pipelines:
    traces: { exporters: [otlp/downstream] }
`,
    { file: 'test.yaml', env: {} },
  );
}

const messages = (text: ReturnType<typeof config>): string[] => queueStorageLinkIssues(text).map(formatConfigIssue);

describe('sending_queue.storage must name a storage extension of service.extensions', () => {
  it('accepts a storage extension listed in service.extensions', () => {
    expect(messages(config('  storage: { path: STORE }', 'storage'))).toEqual([]);
  });

  it('names the YAML path and what is wrong', () => {
    expect(messages(config('  storage: { path: STORE }', 'storage', 'storage/queue'))).toEqual([
      'exporters.otlp/downstream.sending_queue.storage: extension "storage/queue" is not defined under extensions (defined storage extensions: storage) (<config>)',
    ]);
    expect(messages(config('  health_check: {}', 'health_check', 'health_check'))).toEqual([
      'exporters.otlp/downstream.sending_queue.storage: must name a storage extension; "health_check" is a health_check extension (defined storage extensions: none) (<config>)',
    ]);
    expect(messages(config('  storage: { path: STORE }', ''))).toEqual([
      'exporters.otlp/downstream.sending_queue.storage: extension "storage" is not listed in service.extensions; add it there, e.g. service: { extensions: [storage] } (<config>)',
    ]);
  });

  it('is part of the gateway rules (slowatch validate, serve)', () => {
    let error: unknown;
    try {
      checkGatewayConfig(config('  storage: { path: STORE }', ''));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual(['exporters.otlp/downstream.sending_queue.storage']);
  });
});

describe('service wiring', () => {
  const tempDir = useTempDir('slowatch-queue-wiring-');

  it('gives the exporter its queue in the storage extension, which starts first', async () => {
    const storePath = path.join(tempDir(), 'slowatch.db');
    const lines: string[] = [];
    const logger: Logger = { error: (m) => lines.push(`error: ${m}`), warn: (m) => lines.push(`warn: ${m}`), info: (m) => lines.push(`info: ${m}`), debug: () => undefined };
    const service = new Service(config('  storage: { path: STORE }', 'storage', 'storage', storePath), { logger, clock: new ManualClock(Date.now()), runtimes: builtInRuntimes });
    await service.start();
    expect(lines.some((line) => line.startsWith('info: exporter otlp/downstream: persistent sending queue in extension storage'))).toBe(true);
    await service.shutdown(5_000);
    expect(lines.filter((line) => line.startsWith('error'))).toEqual([]);
    const store = SlowatchStore.open({ path: storePath });
    expect(store.queueTable('otlp/downstream').totals().entries).toBe(0);
    store.close();
  });
});
