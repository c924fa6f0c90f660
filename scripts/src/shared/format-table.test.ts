import { describe, expect, it } from 'vitest'
import { formatTable } from './format-table.ts'

describe('formatTable', () => {
  const rows = [
    ['name', 'n'],
    ['alpha', '1'],
    ['b', '1,234'],
  ]

  it('prints a markdown table, padded, with right-aligned columns marked ---:', () => {
    expect(formatTable(rows, { align: ['left', 'right'] })).toBe(
      ['| name  |     n |', '|-------|------:|', '| alpha |     1 |', '| b     | 1,234 |', ''].join('\n'),
    )
  })

  it('prints plain columns two spaces apart without trailing blanks', () => {
    expect(formatTable(rows, { style: 'plain' })).toBe(
      ['name   n', 'alpha  1', 'b      1,234', ''].join('\n'),
    )
  })

  it('prints nothing for no rows', () => {
    expect(formatTable([])).toBe('')
  })
})
