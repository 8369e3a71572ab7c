import { settingsOf } from '../../src/config/component-factory';
import type { ConfigIssue } from '../../src/config/config-issue';
import type { SlowatchConfig } from '../../src/config/slowatch-config';
import { otlpExporterFactory } from './config';

/** `file` of issues that concern how components are put together (they have no single line). */
const SOURCE = '<config>';
const STORAGE_TYPE = 'storage';

/**
 * The rule tying an `otlp` exporter's `sending_queue.storage` to a `storage`
 * extension, which the exporter's own schema cannot check: the id must name
 * a defined extension of type `storage` that service.extensions lists (so it
 * starts before the exporter and shuts down after it). Run by the gateway
 * (checkGatewayConfig) and `slowatch validate`. Only exporters used by a
 * pipeline are checked.
 */
export function queueStorageLinkIssues(config: SlowatchConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const used = [...new Set(config.service.pipelines.flatMap((p) => p.exporters))];
  const storageIds = Object.values(config.extensions)
    .filter((c) => c.type === STORAGE_TYPE)
    .map((c) => c.id);
  const defined = storageIds.length > 0 ? storageIds.join(', ') : 'none';
  for (const id of used) {
    const storage = settingsOf(config.exporters[id], otlpExporterFactory)?.sendingQueue.storage;
    if (storage === undefined) continue;
    const path = `exporters.${id}.sending_queue.storage`;
    const extension = config.extensions[storage];
    if (extension === undefined) {
      issues.push({ path, message: `extension "${storage}" is not defined under extensions (defined storage extensions: ${defined})`, file: SOURCE });
    } else if (extension.type !== STORAGE_TYPE) {
      issues.push({ path, message: `must name a storage extension; "${storage}" is a ${extension.type} extension (defined storage extensions: ${defined})`, file: SOURCE });
    } else if (!config.service.extensions.includes(storage)) {
      issues.push({ path, message: `extension "${storage}" is not listed in service.extensions; add it there, e.g. service: { extensions: [${storage}] }`, file: SOURCE });
    }
  }
  return issues;
}
