export { StorageExtension, SNAPSHOT_FORMAT } from './storage-extension';
export type { StorageEngines, StorageExtensionOptions } from './storage-extension';
export { storageExtensionFactory, createDefaultConfig, resolveStorageExtensionSettings, DEFAULT_STORAGE_PATH } from './config';
export type { StorageExtensionConfig, StorageExtensionSettings } from './config';
export { storageExtensionRuntime } from './runtime';
export { isEngineStateHost } from './engine-state-host';
export type { AttachedEngines, EngineStateHost } from './engine-state-host';
export { isStatefulEngine } from './stateful-engine';
export type { StatefulEngine, StateRestoreSummary } from './stateful-engine';
