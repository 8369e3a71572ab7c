// A minimal downstream OTLP/HTTP server for the gateway benchmark, run in its
// own process (`node bench/lib/otlp-sink.mjs PORT`, pinned apart from the
// gateway). POST /v1/{traces,metrics,logs} is answered 200 with an empty
// `application/x-protobuf` body (an empty ExportTraceServiceResponse) once
// the body has been read. It counts requests, bytes on the wire, bytes after
// gzip, and the spans of protobuf trace requests, with a lean walk of the
// wire format (ExportTraceServiceRequest.resource_spans = 1,
// ResourceSpans.scope_spans = 2, ScopeSpans.spans = 2: only lengths are
// read, nothing is decoded). GET /stats answers the counts as JSON, with the
// sink's own CPU time, so the benchmark can show the sink was not the
// bottleneck. It writes `listening <port>` on stdout when ready.
import http from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);
const port = Number(process.argv[2] ?? 0);

const stats = {
  requests: 0,
  traceRequests: 0,
  wireBytes: 0,
  decodedBytes: 0,
  spans: 0,
  gzipRequests: 0,
  contentTypes: {},
  undecodable: 0,
  errors: 0,
};

function readVarint(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++];
    // Tags and lengths fit in 32 bits; larger varints (int64 values) are skipped, their value unused.
    if (shift < 28) result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result >>> 0, pos];
    shift += 7;
    if (shift > 63) throw new Error('varint too long');
  }
}

/** Calls onField(fieldNumber, start, end) for each length-delimited field of buf[start, end); skips the others. */
function eachLengthDelimited(buf, start, end, onField) {
  let pos = start;
  while (pos < end) {
    let tag;
    [tag, pos] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) [, pos] = readVarint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      if (pos + len > end) throw new Error('truncated field');
      onField(field, pos, pos + len);
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  if (pos !== end) throw new Error('field overruns message');
}

function countSpans(buf) {
  let spans = 0;
  eachLengthDelimited(buf, 0, buf.length, (f1, s1, e1) => {
    if (f1 !== 1) return; // resource_spans
    eachLengthDelimited(buf, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return; // scope_spans
      eachLengthDelimited(buf, s2, e2, (f3) => {
        if (f3 === 2) spans++; // spans
      });
    });
  });
  return spans;
}

const EMPTY = Buffer.alloc(0);

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    const usage = process.cpuUsage();
    const body = JSON.stringify({ ...stats, cpuSec: (usage.user + usage.system) / 1e6, rssBytes: process.memoryUsage().rss });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    return;
  }
  if (req.method !== 'POST' || !/^\/v1\/(traces|metrics|logs)$/.test(req.url ?? '')) {
    res.writeHead(404, { 'content-length': 0 }).end();
    return;
  }
  const chunks = [];
  let bytes = 0;
  req.on('data', (c) => {
    chunks.push(c);
    bytes += c.length;
  });
  req.on('error', () => stats.errors++);
  req.on('end', async () => {
    stats.requests++;
    stats.wireBytes += bytes;
    const type = String(req.headers['content-type'] ?? '');
    stats.contentTypes[type] = (stats.contentTypes[type] ?? 0) + 1;
    try {
      if (req.url === '/v1/traces') {
        stats.traceRequests++;
        let body = Buffer.concat(chunks, bytes);
        if (String(req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') {
          stats.gzipRequests++;
          body = await gunzipAsync(body);
        }
        stats.decodedBytes += body.length;
        if (type.startsWith('application/x-protobuf')) stats.spans += countSpans(body);
        else stats.undecodable++;
      }
    } catch {
      stats.undecodable++;
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end(EMPTY);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
