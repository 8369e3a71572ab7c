import type { ReceiverRuntime } from '../../src/service/runtime-factories';
import type { OtlpReceiverSettings } from './config';
import { OtlpReceiver } from './otlp-receiver';

/** The running half of the `otlp` receiver type, for the service's runtime registry. */
export const otlpReceiverRuntime: ReceiverRuntime = {
  kind: 'receiver',
  type: 'otlp',
  create: (settings, consumers, context) => new OtlpReceiver(settings as OtlpReceiverSettings, consumers, context),
};
