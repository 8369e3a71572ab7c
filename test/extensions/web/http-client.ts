import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One request with node:http, the path sent exactly as given (fetch would
 * normalise `//x` and could not show what the server does with it).
 * No keep-alive, so a test's server closes without waiting.
 */
export function rawRequest(port: number, path: string, method = 'GET', headers: Readonly<Record<string, string>> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The body as JSON, typed for the test's expectations. */
export function json<T = unknown>(response: RawResponse): T {
  return JSON.parse(response.body) as T;
}
