// Redis's INFO commandstats section, as calls per command.

/** `cmdstat_evalsha:calls=12,...` lines as {evalsha: 12, ...}. */
export function parseCommandStats(info: string): Record<string, number> {
  const calls: Record<string, number> = {}
  for (const line of info.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line)
    if (m?.[1] !== undefined) calls[m[1]] = Number(m[2])
  }
  return calls
}
