const UNIT_SEC: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/**
 * Parses a duration written as whole seconds (`900`) or with one unit (`30s`, `15m`, `12h`, `7d`).
 * Returns seconds, or null when the text is not a duration.
 */
export function parseDurationSec(text: string): number | null {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim())
  if (!m) return null
  return Number(m[1]) * (UNIT_SEC[m[2] || 's'] ?? 1)
}

/** `1h 5m`, `15m`, `40s`: for humans reading schedules and logs. */
export function formatDurationSec(totalSec: number): string {
  const sec = Math.round(Math.abs(totalSec))
  const d = Math.floor(sec / 86400)
  const h = Math.floor((sec % 86400) / 3600)
  const m = Math.floor((sec % 3600) / 60)
  const s = sec % 60
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean)
  return parts.length ? parts.slice(0, 2).join(' ') : '0s'
}
