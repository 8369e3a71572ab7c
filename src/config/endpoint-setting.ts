import { z } from 'zod';
import { parseEndpoint } from '../../exporters/prometheus/config';
import { describeValue } from './describe-value';
import { expects } from './schema-helpers';

/** A listening address, resolved. Without brackets: `::1`, not `[::1]`. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const description = (examplePort: number): string =>
  `host:port with a port from 0 to 65535, e.g. 127.0.0.1:${examplePort}, 0.0.0.0:${examplePort} or [::1]:${examplePort}`;

/**
 * The `endpoint: host:port` key of a component that listens (health_check,
 * web): a string that parseEndpoint accepts, the message naming an example
 * with the component's own default port.
 */
export function endpointSetting(examplePort: number) {
  const what = description(examplePort);
  return z.string({ error: expects(what) }).superRefine((text, ctx) => {
    const parsed = parseEndpoint(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', input: text, message: `must be ${what}, got ${describeValue(text)}: ${parsed.reason}` });
  });
}

/** An endpoint that passed endpointSetting, as host and port. */
export function resolveEndpointSetting(endpoint: string): ListenAddress {
  const parsed = parseEndpoint(endpoint);
  if (!parsed.ok) throw new Error(`endpoint ${describeValue(endpoint)}: ${parsed.reason}`);
  return { host: parsed.host, port: parsed.port };
}
