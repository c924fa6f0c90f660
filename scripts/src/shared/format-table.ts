export type ColumnAlign = 'left' | 'right'

export interface TableOptions {
  /**
   * `markdown` (default): `| a | b |` rows under a `|---|---|` rule, pasteable into docs/.
   * `plain`: columns two spaces apart, no rule, trailing blanks trimmed (the operator CLIs' lists).
   */
  style?: 'markdown' | 'plain'
  /** Per column, default left; markdown marks a right-aligned column `---:`. */
  align?: readonly ColumnAlign[]
}

/** The one table printer of scripts/: `rows[0]` is the header. Returns the lines, each ending in a newline. */
export function formatTable(rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const columns = Math.max(0, ...rows.map((r) => r.length))
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  const align = (i: number): ColumnAlign => opts.align?.[i] ?? 'left'
  const cell = (r: readonly string[], i: number) => {
    const text = r[i] ?? ''
    return align(i) === 'right' ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)
  }
  const cells = (r: readonly string[]) => widths.map((_, i) => cell(r, i))
  if (opts.style === 'plain') return rows.map((r) => `${cells(r).join('  ').trimEnd()}\n`).join('')
  const line = (r: readonly string[]) => `| ${cells(r).join(' | ')} |\n`
  const rule = `|${widths.map((w, i) => (align(i) === 'right' ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|\n`
  const [header, ...body] = rows
  return header === undefined ? '' : `${line(header)}${rule}${body.map(line).join('')}`
}
