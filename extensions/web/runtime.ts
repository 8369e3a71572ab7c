import type { ExtensionRuntime } from '../../src/service/runtime-factories';
import type { WebExtensionSettings } from './config';
import { WebExtension } from './web-extension';

/** The running half of the `web` extension type, for the service's runtime registry. */
export const webExtensionRuntime: ExtensionRuntime = {
  kind: 'extension',
  type: 'web',
  create: (settings, context) => new WebExtension(settings as WebExtensionSettings, context),
};
