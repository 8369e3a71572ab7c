/*
 * A light structural check of PromQL for the dashboard tests, where
 * promtool is absent: brackets and quotes balance, and every metric name is
 * one slowatch exports or Sloth's rules record. promtool (`check rules`)
 * parses the same exprs for real where it is installed.
 */

/** Function names, aggregation operators and keywords: identifiers that are not metric names. */
const PROMQL_WORDS = new Set([
  'sum', 'max', 'min', 'avg', 'count', 'topk', 'bottomk', 'quantile', 'stddev', 'stdvar', 'group', 'count_values',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'vector', 'scalar', 'label_replace', 'label_join', 'sort', 'sort_desc',
  'sum_over_time', 'count_over_time', 'avg_over_time', 'max_over_time', 'min_over_time', 'last_over_time', 'histogram_quantile',
  'abs', 'clamp_min', 'clamp_max', 'absent', 'time', 'timestamp',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
]);

const PAIRS: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/** What is structurally wrong with `expr`, or undefined. */
export function bracketProblem(expr: string): string | undefined {
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== PAIRS[c]) return `unbalanced ${c} at ${i}`;
    }
  }
  if (quote !== undefined) return `unterminated ${quote}`;
  if (stack.length > 0) return `unclosed ${stack.join('')}`;
  return undefined;
}

/** The metric names an expr selects: identifiers outside strings, matchers, ranges and label lists that are not PromQL words. */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    // A function call is a word followed by `(`; a number's exponent (1e-3) is not a name.
    const next = stripped.slice((match.index ?? 0) + word.length).trimStart();
    if (PROMQL_WORDS.has(word) || next.startsWith('(')) continue;
    if (/^[eE]\d*$/.test(word)) continue;
    names.add(word);
  }
  return [...names];
}
