import type { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { endpointSetting, resolveEndpointSetting } from '../../src/config/endpoint-setting';
import { strictMapping } from '../../src/config/schema-helpers';

/*
 * The `web` extension's configuration:
 *
 *   extensions:
 *     web:
 *       endpoint: 127.0.0.1:8888    # GET /api/v1/recommendations, GET / (the index)
 *
 * Loopback by default, as every slowatch endpoint: the API shows operation
 * names, SQL statements and trace ids, which are not for every network. Set
 * 0.0.0.0:8888 to reach it from other machines.
 */

export interface WebExtensionConfig {
  /** `host:port`; IPv6 hosts in brackets: `[::1]:8888`. Port 0 picks a free port. */
  endpoint?: string;
}

export interface WebExtensionSettings {
  /** Without brackets: `::1`, not `[::1]`. */
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_WEB_ENDPOINT = '127.0.0.1:8888';

/** The extension's defaults; an empty `web:` means exactly this. */
export function createDefaultConfig(): Required<WebExtensionConfig> {
  return { endpoint: DEFAULT_WEB_ENDPOINT };
}

export const webExtensionConfigSchema: z.ZodType<WebExtensionConfig> = strictMapping(
  {
    endpoint: endpointSetting(8888).optional(),
  },
  'a mapping with endpoint',
);

/** YAML shape → runtime settings. The input has passed the schema. */
export function resolveWebExtensionSettings(config: WebExtensionConfig): WebExtensionSettings {
  return resolveEndpointSetting(config.endpoint ?? createDefaultConfig().endpoint);
}

export const webExtensionFactory: ComponentFactory<WebExtensionConfig, WebExtensionSettings> = {
  kind: 'extension',
  type: 'web',
  // Extensions are not part of pipelines.
  signals: [],
  schema: webExtensionConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveWebExtensionSettings(config),
};
