// Runs one autocannon load in its own process so that it can be pinned to a
// CPU apart from the server (`taskset -c N node bench/lib/load-worker.mjs '<json>'`).
// Input (argv[2], JSON): { url, connections, durationSec, requests: [{ method, path }] }.
// Output (stdout, one JSON line): the figures the agent benchmark keeps.
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.durationSec,
  requests: options.requests,
  // Rate is not limited: the server saturates, throughput is what it can serve.
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
};
process.stdout.write(`${JSON.stringify(out)}\n`);
