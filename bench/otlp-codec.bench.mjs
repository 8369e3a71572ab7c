#!/usr/bin/env node
// `node bench/otlp-codec.bench.mjs` — spans per second through the OTLP codec
// (src/otlp/codec), on one thread, against the compiled code in dist/
// (build first: npx tsc -p tsconfig.json).
//
// The batch: one ExportTraceServiceRequest of --spans spans (512) under one
// resource (5 attributes) and one scope; every span has trace/span/parent
// ids, name, kind, start/end times, flags, a status and 10 attributes
// (6 strings, 2 ints, 1 double, 1 bool) — the shape the gateway goal is
// stated for. Measured operations, each on that batch:
//   protobuf decode    bytes → model
//   protobuf encode    model → bytes
//   protobuf round trip decode + encode (what a forwarding gateway does)
//   JSON decode        text → model
//   JSON encode        model → text
// Per operation: warm-up, then --rounds timed rounds of at least --min-ms ms
// each; the median spans per CPU-second (this process's user + system time,
// i.e. per core) is the figure, the wall-clock rate is shown next to it. Prints a table; --out FILE also
// writes the figures as JSON. Exits 0 whatever the figures are.
//
// Options: --spans N (512) --rounds N (7) --min-ms N (300) --out FILE
import { createRequire } from 'node:module';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo } from './lib/machine.mjs';
import { median, round } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const codecPath = path.join(repoRoot, 'dist', 'src', 'otlp', 'codec', 'index.js');

const { values: args } = parseArgs({
  options: {
    spans: { type: 'string', default: '512' },
    rounds: { type: 'string', default: '7' },
    'min-ms': { type: 'string', default: '300' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write('usage: node bench/otlp-codec.bench.mjs [--spans N] [--rounds N] [--min-ms N] [--out FILE]\n');
  process.exit(0);
}
if (!existsSync(codecPath)) {
  process.stderr.write(`${codecPath} not found: build first (npx tsc -p tsconfig.json)\n`);
  process.exit(2);
}

const require = createRequire(import.meta.url);
const codec = require(codecPath);

const SPANS = Number(args.spans);
const ROUNDS = Number(args.rounds);
const MIN_MS = Number(args['min-ms']);

// Deterministic pseudo-random bytes and choices.
let seed = 0x2545f491;
function rnd() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
function randomBytes(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}
const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: BigInt(value) } });

const ROUTES = ['/api/cart', '/api/checkout', '/api/products/:id', '/api/users/:id', '/health', '/api/search'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

function makeRequest(n) {
  const spans = [];
  const t0 = 1_760_000_000_000_000_000n;
  for (let i = 0; i < n; i++) {
    const route = ROUTES[i % ROUTES.length];
    const start = t0 + BigInt(i) * 1_000_000n;
    spans.push({
      traceId: randomBytes(16),
      spanId: randomBytes(8),
      parentSpanId: i % 4 === 0 ? undefined : randomBytes(8),
      flags: 0x101,
      name: `${METHODS[i % METHODS.length]} ${route}`,
      kind: 2,
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(Math.floor(rnd() * 200_000_000)),
      attributes: [
        str('http.request.method', METHODS[i % METHODS.length]),
        str('http.route', route),
        int('http.response.status_code', i % 50 === 0 ? 500 : 200),
        str('url.path', route.replace(':id', String(i))),
        str('url.scheme', 'https'),
        str('server.address', 'shop.example.com'),
        int('server.port', 443),
        str('user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'),
        { key: 'app.cart.total', value: { doubleValue: Math.round(rnd() * 100000) / 100 } },
        { key: 'app.cache.hit', value: { boolValue: i % 3 === 0 } },
      ],
      status: i % 50 === 0 ? { code: 2, message: 'Internal Server Error' } : { code: 1 },
    });
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'shop'),
            str('service.version', '1.4.2'),
            str('deployment.environment.name', 'production'),
            str('telemetry.sdk.language', 'nodejs'),
            str('host.name', 'shop-7d9f8b6c5-x2x7q'),
          ],
        },
        scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' }, spans }],
      },
    ],
  };
}

const request = makeRequest(SPANS);
const protobuf = codec.encodeProtobufRequest('traces', request);
const json = codec.encodeJsonRequest('traces', request);
const decodedPb = codec.decodeProtobufRequest('traces', protobuf);
const decodedJson = codec.decodeJsonRequest('traces', json);
if (codec.countItems('traces', decodedPb) !== SPANS || codec.countItems('traces', decodedJson) !== SPANS) {
  process.stderr.write('decoded span count does not match\n');
  process.exit(1);
}

let sink = 0;
const operations = {
  'protobuf decode': () => {
    sink += codec.decodeProtobufRequest('traces', protobuf).resourceSpans.length;
  },
  'protobuf encode': () => {
    sink += codec.encodeProtobufRequest('traces', decodedPb).length;
  },
  'protobuf decode+encode': () => {
    sink += codec.encodeProtobufRequest('traces', codec.decodeProtobufRequest('traces', protobuf)).length;
  },
  'JSON decode': () => {
    sink += codec.decodeJsonRequest('traces', json).resourceSpans.length;
  },
  'JSON encode': () => {
    sink += codec.encodeJsonRequest('traces', decodedJson).length;
  },
};

// Spans per second of CPU time of this process (user + system): on a shared
// machine, time the thread spends descheduled does not count against the codec.
// The wall-clock rate is kept too.
function timeRound(fn) {
  let batches = 0;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let elapsed = 0;
  do {
    fn();
    batches++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < MIN_MS);
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  return { cpu: (batches * SPANS) / cpuSec, wall: (batches * SPANS) / (elapsed / 1000) };
}

const results = {};
for (const [name, fn] of Object.entries(operations)) {
  timeRound(fn); // warm-up
  timeRound(fn);
  const rates = [];
  for (let r = 0; r < ROUNDS; r++) rates.push(timeRound(fn));
  const cpuRate = median(rates.map((r) => r.cpu));
  const wallRate = median(rates.map((r) => r.wall));
  results[name] = { spansPerCpuSec: round(cpuRate, 0), spansPerWallSec: round(wallRate, 0), cpuUsPerBatch: round((SPANS / cpuRate) * 1e6, 1) };
}

process.stdout.write(
  `OTLP codec, ${SPANS} spans × 10 attributes per batch; protobuf ${protobuf.length} bytes, JSON ${Buffer.byteLength(json)} bytes; Node ${process.version}\n\n`,
);
printTable(
  ['operation', 'spans per CPU-second', 'CPU µs per batch', 'spans per wall-second'],
  Object.entries(results).map(([name, r]) => [name, r.spansPerCpuSec.toLocaleString('en-US'), r.cpuUsPerBatch, r.spansPerWallSec.toLocaleString('en-US')]),
);
if (sink === -1) process.stdout.write('\n');

if (args.out) {
  const report = {
    benchmark: 'otlp-codec',
    date: new Date().toISOString(),
    machine: machineInfo(),
    batch: { spans: SPANS, attributesPerSpan: 10, protobufBytes: protobuf.length, jsonBytes: Buffer.byteLength(json) },
    rounds: ROUNDS,
    minMsPerRound: MIN_MS,
    results,
  };
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwrote ${args.out}\n`);
}
