export { HealthCheckExtension } from './health-check';
export { healthCheckExtensionFactory, createDefaultConfig, resolveHealthCheckExtensionSettings, DEFAULT_HEALTH_CHECK_ENDPOINT } from './config';
export type { HealthCheckExtensionConfig, HealthCheckExtensionSettings } from './config';
export { healthCheckExtensionRuntime } from './runtime';
