import type { ExtensionRuntime } from '../../src/service/runtime-factories';
import type { StorageExtensionSettings } from './config';
import { StorageExtension } from './storage-extension';

/** The running half of the `storage` extension type, for the service's runtime registry. */
export const storageExtensionRuntime: ExtensionRuntime = {
  kind: 'extension',
  type: 'storage',
  create: (settings, context) => new StorageExtension(settings as StorageExtensionSettings, context),
};
