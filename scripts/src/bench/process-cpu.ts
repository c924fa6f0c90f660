import { readFileSync } from 'node:fs'

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
