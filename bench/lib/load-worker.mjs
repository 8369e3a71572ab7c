// Runs one autocannon load in its own process so that it can be pinned to a
// CPU apart from the server (`taskset -c N node bench/lib/load-worker.mjs '<json>'`).
// Input (argv[2], JSON): { url, connections, durationSec, requests: [{ method, path }] },
// and optionally:
//   headers: { name: value }       sent with every request;
//   timeoutSec: N                  autocannon's per-request timeout (its default: 10);
//   requests[i].headers            per request, over `headers`;
//   requests[i].body               a string body;
//   requests[i].bodyFile           a file read (before the load starts) as the raw body, e.g.
//                                  a protobuf request too large for the command line.
// Output (stdout, one JSON line): the figures the benchmarks keep.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);

const requests = options.requests.map((r) => {
  const request = { method: r.method, path: r.path };
  if (r.headers !== undefined) request.headers = r.headers;
  if (r.bodyFile !== undefined) request.body = readFileSync(r.bodyFile);
  else if (r.body !== undefined) request.body = r.body;
  return request;
});

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.durationSec,
  requests,
  ...(options.headers !== undefined ? { headers: options.headers } : {}),
  ...(options.timeoutSec !== undefined ? { timeout: options.timeoutSec } : {}),
  // Without overallRate the rate is not limited: the server saturates, throughput is what it can serve.
  ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
});

const out = {
  durationSec: result.duration,
  requestsTotal: result.requests.total,
  requestsSent: result.requests.sent,
  reqPerSecMean: result.requests.mean,
  reqPerSecStddev: result.requests.stddev,
  reqPerSecTotalOverDuration: result.duration > 0 ? result.requests.total / result.duration : 0,
  latencyMs: {
    mean: result.latency.mean,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  },
  errors: result.errors,
  timeouts: result.timeouts,
  resets: result.resets,
  non2xx: result.non2xx,
  statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
  responseBytesPerSecMean: result.throughput.mean,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
