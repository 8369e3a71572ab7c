import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TraceSpan } from '../../src/recommend/trace-span';

/** A hand-written trace under test/fixtures/traces/: spans without the fields every span of it shares. */
interface TraceFixture {
  readonly description?: string;
  readonly traceId: string;
  readonly spans: ReadonlyArray<Omit<TraceSpan, 'traceId' | 'statusCode' | 'attributes'> & { statusCode?: number; attributes?: Record<string, unknown> }>;
}

const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures', 'traces');

/** The spans of test/fixtures/traces/`name`, with the trace id filled in, status UNSET and attributes {} unless given. */
export function loadTraceFixture(name: string): TraceSpan[] {
  const fixture = JSON.parse(readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as TraceFixture;
  return fixture.spans.map((span) => ({ ...span, traceId: fixture.traceId, statusCode: span.statusCode ?? 0, attributes: span.attributes ?? {} }));
}

/** The fixture's description (every N+1 fixture says what it shows). */
export function traceFixtureDescription(name: string): string {
  return (JSON.parse(readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as TraceFixture).description ?? '';
}
