import type { Command, CommanderError } from 'commander';
import type { Recommendation } from '../recommend/recommendation';
import type { TextOutput } from './validate-command';
import { processExitHooks } from './process-exit-hooks';

/*
 * `slowatch recommendations`: asks a running agent or gateway (its `web`
 * extension) for its recommendations and prints them ranked. The command
 * only reads the JSON API; it holds no state of its own.
 */

/** Exit codes of `slowatch recommendations`. */
export const RECOMMENDATIONS_EXIT = {
  /** Printed, even when the list is empty. */
  ok: 0,
  /** The API could not be reached, answered an HTTP error, or answered something else than its JSON. */
  failed: 1,
  /** Bad usage (an unknown option, a bad --status or --url): one line on stderr. */
  usage: 2,
} as const;

export const DEFAULT_RECOMMENDATIONS_URL = 'http://127.0.0.1:8888';

/** How long the whole exchange (connect, answer, body) may take. */
export const DEFAULT_RECOMMENDATIONS_TIMEOUT_MS = 5_000;

const STATUS_CHOICES = ['open', 'resolved', 'all'] as const;

export interface RecommendationsCommandOptions {
  /** `--url`: where the `web` extension (or the agent) serves the API; a path is kept as a prefix. @default 'http://127.0.0.1:8888' */
  readonly url?: string | undefined;
  /** `--json`: print the API's answer as it came. @default false */
  readonly json?: boolean | undefined;
  /** `--service`: only this service. @default every service */
  readonly service?: string | undefined;
  /** `--type`: only this type (`n_plus_one_db`, …). @default every type */
  readonly type?: string | undefined;
  /** `--status open|resolved|all`. @default 'open' */
  readonly status?: string | undefined;
  /** @default DEFAULT_RECOMMENDATIONS_TIMEOUT_MS */
  readonly timeoutMs?: number | undefined;
}

/** Where the command reads and writes; the process's own in the CLI, fakes in tests. */
export interface RecommendationsIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The request URL for the options, or what is wrong with them. */
export function recommendationsRequestUrl(options: RecommendationsCommandOptions): URL | string {
  const base = options.url ?? DEFAULT_RECOMMENDATIONS_URL;
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    return `--url ${JSON.stringify(base)}: expected an http:// or https:// URL, e.g. ${DEFAULT_RECOMMENDATIONS_URL}`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `--url ${JSON.stringify(base)}: expected an http:// or https:// URL, e.g. ${DEFAULT_RECOMMENDATIONS_URL}`;
  }
  const status = options.status ?? 'open';
  if (!(STATUS_CHOICES as readonly string[]).includes(status)) return `--status must be ${STATUS_CHOICES.join(', ')}, got ${JSON.stringify(status)}`;
  for (const [name, value] of [['service', options.service], ['type', options.type]] as const) {
    if (value === '') return `--${name} must not be empty (leave it out to match every ${name})`;
  }
  // Relative to the base's path, so a prefix (a reverse proxy's /slowatch/) is kept.
  const basePath = parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`;
  const url = new URL(`${basePath}api/v1/recommendations`, parsed);
  if (options.service !== undefined) url.searchParams.set('service', options.service);
  if (options.type !== undefined) url.searchParams.set('type', options.type);
  if (status !== 'all') url.searchParams.set('status', status);
  return url;
}

/**
 * Fetches the recommendations and prints them: a ranked table with an
 * evidence line under each row, or with `json` the API's answer as is.
 * Returns the exit code (`RECOMMENDATIONS_EXIT`); never throws.
 */
export async function runRecommendations(options: RecommendationsCommandOptions, io: RecommendationsIo): Promise<number> {
  const url = recommendationsRequestUrl(options);
  if (typeof url === 'string') {
    io.stderr.write(`slowatch recommendations: ${url}\n`);
    return RECOMMENDATIONS_EXIT.usage;
  }
  const fail = (message: string): number => {
    io.stderr.write(`slowatch recommendations: ${url.href}: ${message}\n`);
    return RECOMMENDATIONS_EXIT.failed;
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_RECOMMENDATIONS_TIMEOUT_MS;
  const doFetch = io.fetch ?? fetch;
  let status: number;
  let text: string;
  try {
    const response = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    status = response.status;
    text = await response.text();
  } catch (error) {
    return fail(describeFetchError(error, timeoutMs));
  }
  if (status < 200 || status > 299) return fail(`HTTP ${status}: ${errorMessageOf(text)}`);
  let recommendations: readonly Recommendation[];
  try {
    recommendations = recommendationsOf(JSON.parse(text));
  } catch {
    return fail(`the answer is not the recommendations API's JSON (${clip(oneLine(text), 80) || 'empty'}); does --url point at slowatch's web extension?`);
  }
  if (options.json === true) {
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return RECOMMENDATIONS_EXIT.ok;
  }
  io.stdout.write(formatRecommendationsTable(recommendations, { status: options.status ?? 'open', service: options.service, type: options.type }));
  return RECOMMENDATIONS_EXIT.ok;
}

/** The list in a parsed answer; throws when the shape is not the API's. */
function recommendationsOf(value: unknown): readonly Recommendation[] {
  const list = typeof value === 'object' && value !== null ? (value as { recommendations?: unknown }).recommendations : undefined;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string')) {
    throw new Error('not a recommendations answer');
  }
  return list as Recommendation[];
}

/** `ECONNREFUSED`, `no answer within 5 s`, …: fetch hides the cause of a network failure one level down. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error);
  return `cannot connect (${detail}); is an agent or gateway with the web extension listening there? (see --url)`;
}

/** The `error` of a JSON error body, else the body's first line. */
function errorMessageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: show the text
  }
  return clip(oneLine(text), 200) || '(empty body)';
}

export interface TableFilter {
  readonly status: string;
  readonly service?: string | undefined;
  readonly type?: string | undefined;
}

interface Column {
  readonly header: string;
  readonly right?: boolean;
  cell(recommendation: Recommendation, rank: number): string;
}

/**
 * The ranked table: rank, severity, type, service, operation, impact per
 * request, the share of the latency SLO's error budget (a column only when
 * some row has one), id; under each row an indented evidence line (first
 * example trace, then the statement, target or dependency when present;
 * the title for findings without any).
 * Rows stay in the API's order, which is the ranking.
 */
export function formatRecommendationsTable(recommendations: readonly Recommendation[], filter: TableFilter): string {
  const noun = `${filter.status === 'all' ? '' : `${filter.status} `}recommendation`;
  const scope = [filter.service !== undefined ? `service ${filter.service}` : '', filter.type !== undefined ? `type ${filter.type}` : ''].filter((s) => s !== '').join(', ');
  const scopeText = scope === '' ? '' : ` (${scope})`;
  if (recommendations.length === 0) return `no ${noun}s${scopeText}\n`;

  const withBudget = recommendations.some((r) => typeof r.impact?.errorBudgetShare === 'number');
  const columns: Column[] = [
    { header: 'rank', right: true, cell: (_r, rank) => String(rank) },
    { header: 'severity', cell: (r) => text(r.severity) },
    { header: 'type', cell: (r) => text(r.type) },
    { header: 'service', cell: (r) => text(r.service) },
    { header: 'operation', cell: (r) => text(r.operation) },
    { header: 'impact/req', right: true, cell: (r) => formatMs(r.impact?.perRequestMs) },
    ...(withBudget ? [{ header: 'budget', right: true, cell: (r: Recommendation) => formatShare(r.impact?.errorBudgetShare) }] : []),
    { header: 'id', cell: (r) => text(r.id) },
  ];
  const rows = recommendations.map((r, i) => columns.map((column) => clip(column.cell(r, i + 1), 60)));
  const widths = columns.map((column, c) => Math.max(column.header.length, ...rows.map((row) => row[c]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (columns[c]?.right === true ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const indent = ' '.repeat((widths[0] ?? 0) + 2);
  const out = [line(columns.map((column) => column.header))];
  recommendations.forEach((r, i) => {
    out.push(line(rows[i] ?? []));
    const evidence = evidenceLine(r);
    if (evidence !== '') out.push(`${indent}${evidence}`);
  });
  out.push(`${recommendations.length} ${noun}${recommendations.length === 1 ? '' : 's'}${scopeText}, highest priority first; --json for the evidence and advice`);
  return `${out.join('\n')}\n`;
}

/** `trace 4bf9…  statement: SELECT …`: what to open first to see the problem; the title when there is nothing of the kind. */
function evidenceLine(r: Recommendation): string {
  const parts: string[] = [];
  // The answer came over the network: fields are checked, not trusted.
  const traces: unknown = r.exampleTraceIds;
  const trace: unknown = Array.isArray(traces) ? (traces as unknown[])[0] : undefined;
  if (typeof trace === 'string' && trace !== '') parts.push(`trace ${trace}`);
  const evidence = r.evidence ?? {};
  for (const key of ['statement', 'target', 'dependency'] as const) {
    const value = evidence[key];
    if (typeof value === 'string' && value !== '') parts.push(`${key}: ${clip(oneLine(value), 100)}`);
  }
  const targets = evidence['targets'];
  if (Array.isArray(targets) && targets.length > 0) parts.push(`targets: ${clip(targets.map((t) => oneLine(String(t))).join(' | '), 100)}`);
  // Runtime findings have neither traces nor targets: their title says what was measured.
  if (parts.length === 0 && typeof r.title === 'string' && r.title !== '') parts.push(clip(oneLine(r.title), 120));
  return parts.join('  ');
}

function text(value: unknown): string {
  return typeof value === 'string' && value !== '' ? oneLine(value) : '-';
}

/** 3 significant figures (1.23 ms, 12.3 ms, 123 ms); '-' for 0 (runtime findings have no per-request figure). */
function formatMs(value: number | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return '-';
  return `${value >= 100 ? Math.round(value) : Number(value.toPrecision(3))} ms`;
}

function formatShare(value: number | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '-';
  const percent = value * 100;
  return `${percent >= 10 ? Math.round(percent) : Number(percent.toPrecision(2))}%`;
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** What the registered command runs against; the process's own unless replaced (tests). */
export interface RecommendationsProcess extends RecommendationsIo {
  /** Records a finished run's exit code (process.exitCode in the CLI, so output is flushed first). */
  readonly setExitCode: (code: number) => void;
  /**
   * Ends at once with `code`, for commander's own usage errors (exit 2) and
   * --help (exit 0). Must not return; tests pass one that throws.
   */
  readonly exit: (code: number) => never;
}

/** Registers `slowatch recommendations` on `program` (run it with `parseAsync`). */
export function addRecommendationsCommand(program: Command, overrides: Partial<RecommendationsProcess> = {}): void {
  const io: RecommendationsProcess = {
    stdout: overrides.stdout ?? process.stdout,
    stderr: overrides.stderr ?? process.stderr,
    ...(overrides.fetch !== undefined && { fetch: overrides.fetch }),
    ...processExitHooks(overrides),
  };
  program
    .command('recommendations')
    .description("print the recommendations of a running agent or gateway (its web extension's JSON API), highest priority first")
    .option('--url <url>', 'where the web extension serves the API', DEFAULT_RECOMMENDATIONS_URL)
    .option('--json', "print the API's JSON answer as is")
    .option('--service <name>', 'only this service')
    .option('--type <type>', 'only this recommendation type, e.g. n_plus_one_db')
    .option('--status <open|resolved|all>', 'which recommendations', 'open')
    .configureOutput({ writeOut: (output) => void io.stdout.write(output), writeErr: (output) => void io.stderr.write(output) })
    .exitOverride((error: CommanderError) => io.exit(error.exitCode === 0 ? RECOMMENDATIONS_EXIT.ok : RECOMMENDATIONS_EXIT.usage))
    .action(async (options: { url: string; json?: boolean; service?: string; type?: string; status: string }) => {
      io.setExitCode(await runRecommendations(options, io));
    });
}
