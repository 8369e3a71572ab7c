import type { ExtensionRuntime } from '../../src/service/runtime-factories';
import type { HealthCheckExtensionSettings } from './config';
import { HealthCheckExtension } from './health-check';

/** The running half of the `health_check` extension type, for the service's runtime registry. */
export const healthCheckExtensionRuntime: ExtensionRuntime = {
  kind: 'extension',
  type: 'health_check',
  create: (settings, context) => new HealthCheckExtension(settings as HealthCheckExtensionSettings, context),
};
