import { z } from 'zod';
import { parseEndpoint } from '../../exporters/prometheus/config';
import type { ComponentFactory } from '../../src/config/component-factory';
import { describeValue } from '../../src/config/describe-value';
import { expects, strictMapping } from '../../src/config/schema-helpers';

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

const ENDPOINT_DESCRIPTION = 'host:port with a port from 0 to 65535, e.g. 127.0.0.1:8888, 0.0.0.0:8888 or [::1]:8888';

export const webExtensionConfigSchema: z.ZodType<WebExtensionConfig> = strictMapping(
  {
    endpoint: z
      .string({ error: expects(ENDPOINT_DESCRIPTION) })
      .superRefine((text, ctx) => {
        const parsed = parseEndpoint(text);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', input: text, message: `must be ${ENDPOINT_DESCRIPTION}, got ${describeValue(text)}: ${parsed.reason}` });
      })
      .optional(),
  },
  'a mapping with endpoint',
);

/** YAML shape → runtime settings. The input has passed the schema. */
export function resolveWebExtensionSettings(config: WebExtensionConfig): WebExtensionSettings {
  const endpoint = config.endpoint ?? createDefaultConfig().endpoint;
  const parsed = parseEndpoint(endpoint);
  if (!parsed.ok) throw new Error(`endpoint ${describeValue(endpoint)}: ${parsed.reason}`);
  return { host: parsed.host, port: parsed.port };
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
