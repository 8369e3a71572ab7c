import type { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { endpointSetting, resolveEndpointSetting } from '../../src/config/endpoint-setting';
import { strictMapping } from '../../src/config/schema-helpers';

/*
 * The `health_check` extension's configuration:
 *
 *   extensions:
 *     health_check:
 *       endpoint: 127.0.0.1:13133    # GET /healthz (liveness), GET /readyz (readiness)
 *
 * Loopback by default, as every slowatch endpoint; set 0.0.0.0:13133 for
 * probes from outside the machine (a Kubernetes kubelet, a load balancer).
 */

export interface HealthCheckExtensionConfig {
  /** `host:port`; IPv6 hosts in brackets: `[::1]:13133`. Port 0 picks a free port. */
  endpoint?: string;
}

export interface HealthCheckExtensionSettings {
  /** Without brackets: `::1`, not `[::1]`. */
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_HEALTH_CHECK_ENDPOINT = '127.0.0.1:13133';

/** The extension's defaults; an empty `health_check:` means exactly this. */
export function createDefaultConfig(): Required<HealthCheckExtensionConfig> {
  return { endpoint: DEFAULT_HEALTH_CHECK_ENDPOINT };
}

export const healthCheckExtensionConfigSchema: z.ZodType<HealthCheckExtensionConfig> = strictMapping(
  {
    endpoint: endpointSetting(13133).optional(),
  },
  'a mapping with endpoint',
);

/** YAML shape → runtime settings. The input has passed the schema. */
export function resolveHealthCheckExtensionSettings(config: HealthCheckExtensionConfig): HealthCheckExtensionSettings {
  return resolveEndpointSetting(config.endpoint ?? createDefaultConfig().endpoint);
}

export const healthCheckExtensionFactory: ComponentFactory<HealthCheckExtensionConfig, HealthCheckExtensionSettings> = {
  kind: 'extension',
  type: 'health_check',
  // Extensions are not part of pipelines.
  signals: [],
  schema: healthCheckExtensionConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveHealthCheckExtensionSettings(config),
};
