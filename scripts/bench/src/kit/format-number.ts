/** A figure for the bench tables: grouped thousands, fixed decimals, `n/a` when not measured. */
export function formatNumber(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a'
}
