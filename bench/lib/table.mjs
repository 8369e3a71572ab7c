// Prints rows as an aligned plain-text table.
export function printTable(header, rows, write = (s) => process.stdout.write(s)) {
  const cells = [header, ...rows].map((row) => row.map((c) => (c === null || c === undefined || Number.isNaN(c) ? 'n/a' : String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  write(`${line(cells[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of cells.slice(1)) write(`${line(row)}\n`);
}
