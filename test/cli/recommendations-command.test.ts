import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { WebExtension } from '../../extensions/web/web-extension';
import {
  RECOMMENDATIONS_EXIT,
  addRecommendationsCommand,
  formatRecommendationsTable,
  recommendationsRequestUrl,
  runRecommendations,
} from '../../src/cli/recommendations-command';
import type { RecommendationsCommandOptions } from '../../src/cli/recommendations-command';
import type { RecommendationSource } from '../../src/recommend/recommendation';
import { BrokenSource, FakeSource, recommendation } from '../extensions/web/recommendation-fixtures';
import { freePort } from '../helpers/processes';
import { testContext } from '../receivers/otlp/helpers/harness';

/** What a gateway's recommend processor could hold: a DB N+1 with an SLO share, sequential calls, a runtime finding, a resolved one. */
const SHOP = [
  recommendation({
    id: '9f3a1c2b4d5e6f70',
    priority: 42.5,
    severity: 'critical',
    impact: { perRequestMs: 183.25, latencyShare: 0.61, affectedShare: 0.35, errorBudgetShare: 1.25, slo: 'checkout-latency' },
  }),
  recommendation({
    id: '1b2c3d4e5f607182',
    type: 'sequential_calls',
    service: 'inventory',
    operation: 'GET /stock/:sku',
    severity: 'medium',
    priority: 7.25,
    evidence: { calls: 2, targets: ['GET pricing/prices/:sku', 'GET warehouse/\nlevels/:sku'] },
    exampleTraceIds: ['0af7651916cd43dd8448eb211c80319c'],
    impact: { perRequestMs: 4.567, latencyShare: 0.3, affectedShare: 1 },
  }),
  recommendation({
    id: 'aa00bb11cc22dd33',
    type: 'event_loop_blocking',
    title: 'Event loop blocked: p99 delay 310 ms',
    service: 'inventory',
    operation: '',
    severity: 'high',
    priority: 3,
    evidence: { medianP99DelayMs: 310 },
    exampleTraceIds: [],
    impact: { perRequestMs: 0, latencyShare: 0, affectedShare: 0 },
  }),
  recommendation({ id: 'deadbeefdeadbeef', status: 'resolved', priority: 50, resolvedAtMs: 1_700_000_500_000 }),
];

type Output = { exitCode: number | undefined; stdout: string; stderr: string };

function buffers() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
  };
}

async function run(options: RecommendationsCommandOptions): Promise<Output> {
  const io = buffers();
  const exitCode = await runRecommendations(options, io);
  return { exitCode, ...io.out };
}

describe('slowatch recommendations (runRecommendations)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** A real web extension on a free port, serving `sources`. */
  async function serveExtension(sources: Record<string, RecommendationSource>): Promise<string> {
    const extension = new WebExtension({ host: '127.0.0.1', port: 0 }, testContext('web'));
    for (const [id, source] of Object.entries(sources)) extension.addRecommendationSource(id, source);
    await extension.start();
    cleanups.push(() => extension.shutdown());
    return extension.url;
  }

  /** A plain server answering every request with `status` and `body` (or never, with status 0); records the request targets. */
  async function servePlain(status: number, body: string, contentType = 'text/plain'): Promise<{ url: string; targets: string[] }> {
    const targets: string[] = [];
    const server: Server = createServer((request, response) => {
      targets.push(request.url ?? '');
      if (status !== 0) response.writeHead(status, { 'content-type': contentType }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const address = server.address();
    return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, targets };
  }

  it('prints the open ones as a ranked table with an evidence line each', async () => {
    const url = await serveExtension({ recommend: new FakeSource(SHOP) });
    const result = await run({ url });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(RECOMMENDATIONS_EXIT.ok);
    expect(result.stdout).toBe(
      [
        'rank  severity  type                 service    operation        impact/req  budget  id',
        '   1  critical  n_plus_one_db        checkout   GET /orders          183 ms    125%  9f3a1c2b4d5e6f70',
        '      trace 4bf92f3577b34da6a3ce929d0e0e4736  statement: SELECT * FROM items WHERE order_id = ?',
        '   2  medium    sequential_calls     inventory  GET /stock/:sku     4.57 ms       -  1b2c3d4e5f607182',
        '      trace 0af7651916cd43dd8448eb211c80319c  targets: GET pricing/prices/:sku | GET warehouse/ levels/:sku',
        '   3  high      event_loop_blocking  inventory  -                         -       -  aa00bb11cc22dd33',
        '      Event loop blocked: p99 delay 310 ms',
        '3 open recommendations, highest priority first; --json for the evidence and advice',
        '',
      ].join('\n'),
    );
  });

  it('passes the filters, merges the sources, and leaves the budget column out when no row has a share', async () => {
    const url = await serveExtension({
      a: new FakeSource(SHOP),
      b: new FakeSource([recommendation({ id: 'c0ffee00c0ffee00', service: 'inventory', type: 'n_plus_one_http', priority: 5, evidence: { target: 'GET stock/items/:id' } })]),
    });
    const result = await run({ url: `${url}/`, service: 'inventory', status: 'all' });
    expect(result.exitCode).toBe(RECOMMENDATIONS_EXIT.ok);
    expect(result.stdout).toBe(
      [
        'rank  severity  type                 service    operation        impact/req  id',
        '   1  medium    sequential_calls     inventory  GET /stock/:sku     4.57 ms  1b2c3d4e5f607182',
        '      trace 0af7651916cd43dd8448eb211c80319c  targets: GET pricing/prices/:sku | GET warehouse/ levels/:sku',
        '   2  high      n_plus_one_http      inventory  GET /orders          121 ms  c0ffee00c0ffee00',
        '      trace 4bf92f3577b34da6a3ce929d0e0e4736  target: GET stock/items/:id',
        '   3  high      event_loop_blocking  inventory  -                         -  aa00bb11cc22dd33',
        '      Event loop blocked: p99 delay 310 ms',
        '3 recommendations (service inventory), highest priority first; --json for the evidence and advice',
        '',
      ].join('\n'),
    );
    const resolved = await run({ url, status: 'resolved', type: 'n_plus_one_db' });
    expect(resolved.stdout.split('\n').slice(1, 2)).toEqual(['   1  high      n_plus_one_db  checkout  GET /orders      121 ms  deadbeefdeadbeef']);
    expect(resolved.stdout).toContain('1 resolved recommendation (type n_plus_one_db), highest priority first');
  });

  it('with --json prints the API answer as is', async () => {
    const url = await serveExtension({ recommend: new FakeSource(SHOP) });
    const result = await run({ url, json: true, status: 'all' });
    expect(result.exitCode).toBe(RECOMMENDATIONS_EXIT.ok);
    expect(result.stdout).toBe(`${JSON.stringify({ recommendations: [SHOP[3], SHOP[0], SHOP[1], SHOP[2]] })}\n`);
  });

  it('says so and exits 0 when there is nothing', async () => {
    const url = await serveExtension({ recommend: new FakeSource([]) });
    expect(await run({ url })).toEqual({ exitCode: 0, stdout: 'no open recommendations\n', stderr: '' });
    expect((await run({ url, status: 'all', service: 'checkout', type: 'n_plus_one_db' })).stdout).toBe(
      'no recommendations (service checkout, type n_plus_one_db)\n',
    );
    expect(await run({ url, json: true })).toEqual({ exitCode: 0, stdout: '{"recommendations":[]}\n', stderr: '' });
  });

  it('exits 1 naming the URL when nothing listens there', async () => {
    const port = await freePort();
    const result = await run({ url: `http://127.0.0.1:${port}` });
    expect(result).toEqual({
      exitCode: RECOMMENDATIONS_EXIT.failed,
      stdout: '',
      stderr: `slowatch recommendations: http://127.0.0.1:${port}/api/v1/recommendations?status=open: cannot connect (ECONNREFUSED); is an agent or gateway with the web extension listening there? (see --url)\n`,
    });
  });

  it("exits 1 with the server's error on an HTTP error", async () => {
    const url = await serveExtension({ broken: new BrokenSource() });
    const result = await run({ url, status: 'all' });
    expect(result.exitCode).toBe(RECOMMENDATIONS_EXIT.failed);
    expect(result.stderr).toBe(
      `slowatch recommendations: ${url}/api/v1/recommendations: HTTP 500: /api/v1/recommendations failed; the server's log says why\n`,
    );
    const plain = await servePlain(404, 'Not Found\n');
    expect((await run({ url: plain.url })).stderr).toBe(`slowatch recommendations: ${plain.url}/api/v1/recommendations?status=open: HTTP 404: Not Found\n`);
  });

  it('exits 1 when the answer is not the API JSON (a /metrics port, another service)', async () => {
    const metrics = await servePlain(200, '# HELP up\nup 1\n');
    const result = await run({ url: metrics.url, json: true });
    expect(result.exitCode).toBe(RECOMMENDATIONS_EXIT.failed);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `slowatch recommendations: ${metrics.url}/api/v1/recommendations?status=open: the answer is not the recommendations API's JSON (# HELP up up 1); does --url point at slowatch's web extension?\n`,
    );
    const other = await servePlain(200, '{"items":[]}', 'application/json');
    expect((await run({ url: other.url })).exitCode).toBe(RECOMMENDATIONS_EXIT.failed);
  });

  it('exits 1 when no answer comes within the timeout', async () => {
    const silent = await servePlain(0, '');
    const result = await run({ url: silent.url, timeoutMs: 200 });
    expect(result.exitCode).toBe(RECOMMENDATIONS_EXIT.failed);
    expect(result.stderr).toBe(`slowatch recommendations: ${silent.url}/api/v1/recommendations?status=open: no answer within 0.2 s\n`);
  });

  it('keeps a path prefix of --url and encodes the filters', async () => {
    const plain = await servePlain(200, '{"recommendations":[]}', 'application/json');
    await run({ url: `${plain.url}/slowatch`, service: 'a b&c', type: 'n_plus_one_db', status: 'resolved' });
    expect(plain.targets).toEqual(['/slowatch/api/v1/recommendations?service=a+b%26c&type=n_plus_one_db&status=resolved']);
  });

  it.each([
    [{ status: 'closed' }, '--status must be open, resolved, all, got "closed"'],
    [{ url: 'localhost:8888' }, '--url "localhost:8888": expected an http:// or https:// URL, e.g. http://127.0.0.1:8888'],
    [{ url: 'not a url' }, '--url "not a url": expected an http:// or https:// URL, e.g. http://127.0.0.1:8888'],
    [{ service: '' }, '--service must not be empty (leave it out to match every service)'],
  ])('exits 2 on %j', async (options, message) => {
    expect(await run(options)).toEqual({ exitCode: RECOMMENDATIONS_EXIT.usage, stdout: '', stderr: `slowatch recommendations: ${message}\n` });
  });
});

describe('recommendationsRequestUrl', () => {
  it('defaults to http://127.0.0.1:8888 and the open ones', () => {
    expect(String(recommendationsRequestUrl({}))).toBe('http://127.0.0.1:8888/api/v1/recommendations?status=open');
    expect(String(recommendationsRequestUrl({ url: 'https://ops.example/slowatch/', status: 'all' }))).toBe('https://ops.example/slowatch/api/v1/recommendations');
  });
});

describe('formatRecommendationsTable', () => {
  it('clips long cells, puts multi-line values on one line, formats small impacts and shares', () => {
    const table = formatRecommendationsTable(
      [
        recommendation({
          id: 'x',
          operation: `GET /${'a'.repeat(80)}`,
          evidence: { statement: `SELECT\n  ${'c, '.repeat(60)}d FROM t`, dependency: 'postgresql orders-db' },
          impact: { perRequestMs: 0.0456, latencyShare: 0, affectedShare: 0, errorBudgetShare: 0.0123 },
        }),
      ],
      { status: 'open' },
    );
    const lines = table.split('\n');
    expect(lines[1]).toContain(`GET /${'a'.repeat(54)}…`);
    expect(lines[1]).toMatch(/ 0\.0456 ms {4}1\.2% {2}x$/);
    expect(lines[2]).toBe(`      trace 4bf92f3577b34da6a3ce929d0e0e4736  statement: SELECT ${'c, '.repeat(30)}c,…  dependency: postgresql orders-db`);
  });
});

describe('addRecommendationsCommand', () => {
  async function parse(args: readonly string[]): Promise<Output> {
    const io = buffers();
    let exitCode: number | undefined;
    const program = new Command('slowatch');
    addRecommendationsCommand(program, {
      stdout: io.stdout,
      stderr: io.stderr,
      setExitCode: (code) => {
        exitCode = code;
      },
      exit: (code): never => {
        throw Object.assign(new Error('exit'), { exitCode: code });
      },
    });
    try {
      await program.parseAsync(['recommendations', ...args], { from: 'user' });
    } catch (error) {
      exitCode = (error as { exitCode?: number }).exitCode;
    }
    return { exitCode, ...io.out };
  }

  it('passes --url, --json and the filters through', async () => {
    const extension = new WebExtension({ host: '127.0.0.1', port: 0 }, testContext('web'));
    extension.addRecommendationSource('recommend', new FakeSource(SHOP));
    await extension.start();
    try {
      const result = await parse(['--url', extension.url, '--json', '--service', 'checkout', '--status', 'resolved']);
      expect(result.exitCode).toBe(RECOMMENDATIONS_EXIT.ok);
      expect(JSON.parse(result.stdout)).toEqual({ recommendations: [SHOP[3]] });
      const table = await parse(['--url', extension.url, '--type', 'sequential_calls']);
      expect(table.stdout).toContain('1 open recommendation (type sequential_calls), highest priority first');
    } finally {
      await extension.shutdown();
    }
  });

  it('exits 2 on usage errors commander finds, 0 with --help', async () => {
    const unknown = await parse(['--bogus']);
    expect(unknown.exitCode).toBe(RECOMMENDATIONS_EXIT.usage);
    expect(unknown.stderr).toBe("error: unknown option '--bogus'\n");
    expect((await parse(['--url'])).exitCode).toBe(RECOMMENDATIONS_EXIT.usage);
    const help = await parse(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Usage: slowatch recommendations [options]');
    expect(help.stdout).toContain('--status <open|resolved|all>');
  });
});
