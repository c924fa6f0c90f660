// The event loop thread parses every request, runs the store and writes every answer; the
// helper threads (libuv's pool signing RS256 and hashing scrypt, V8's garbage-collector and
// compiler threads, the SQLite checkpointer) do work a request waits for. Linux shares CPU time
// per thread, so on a host with fewer cores than busy threads, four pool threads signing take
// four fifths of a core from the one thread that feeds them, and throughput falls. A higher nice
// value on the helpers lets the event loop run first; they still get every cycle it leaves idle.
import { readdirSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

/**
 * Raises the nice value of every thread of this process except the event loop's by `by`
 * (capped at 19). Linux only (nice is per thread there); elsewhere, or with `by` 0, it does
 * nothing. Threads started later inherit the priority of the thread that starts them.
 * Returns how many threads were changed.
 */
export function lowerHelperThreadPriority(by: number): number {
  if (by === 0 || process.platform !== 'linux') return 0
  let lowered = 0
  for (const entry of readdirSync('/proc/self/task')) {
    const tid = Number(entry)
    if (tid === process.pid) continue
    try {
      setPriority(tid, Math.min(19, getPriority(tid) + by))
      lowered++
    } catch {
      // The thread ended meanwhile, or a sandbox refuses: it keeps its priority.
    }
  }
  return lowered
}
