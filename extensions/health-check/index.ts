export { HealthCheckExtension, isReadinessReporter } from './health-check';
export type { ReadinessReporter } from './health-check';
export { healthCheckExtensionFactory, createDefaultConfig, resolveHealthCheckExtensionSettings, DEFAULT_HEALTH_CHECK_ENDPOINT } from './config';
export type { HealthCheckExtensionConfig, HealthCheckExtensionSettings } from './config';
export { healthCheckExtensionRuntime } from './runtime';
