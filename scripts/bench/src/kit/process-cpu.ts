import { readdirSync, readFileSync } from 'node:fs'

// Linux reports process CPU time in clock ticks; 100 per second on every mainstream kernel config.
const TICKS_PER_SEC = 100

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc. Lets the bench
 * say how much of the two cores the server got and how much the load generator took.
 * Returns NaN where /proc is not available.
 */
export function processCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`)
}

/** The same for one thread; a process's main (event loop) thread has the process's id. */
export function threadCpuSeconds(pid: number, tid = pid): number {
  return statCpuSeconds(`/proc/${pid}/task/${tid}/stat`)
}

/**
 * CPU seconds used so far by every process whose command name is one of `names` (for example the
 * store's server processes, `postgres` or `redis-server`), from /proc; NaN where it is not there.
 */
export function commandCpuSeconds(names: readonly string[]): number {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((entry) => /^[0-9]+$/.test(entry))
  } catch {
    return Number.NaN
  }
  let total = 0
  for (const pid of pids) {
    let comm: string
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
    } catch {
      continue // exited meanwhile
    }
    if (!names.includes(comm)) continue
    const seconds = statCpuSeconds(`/proc/${pid}/stat`)
    if (!Number.isNaN(seconds)) total += seconds
  }
  return total
}

function statCpuSeconds(path: string): number {
  try {
    const stat = readFileSync(path, 'utf8')
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC
  } catch {
    return Number.NaN
  }
}
