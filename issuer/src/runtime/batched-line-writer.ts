export interface LineWriter {
  write(line: string): void
  /** Writes what is buffered now (also done on process exit). */
  flush(): void
}

/**
 * Buffers log lines and writes them once per event-loop turn: one write for many requests
 * instead of one each (docs/performance.md). The issuer process gives it to the logger as its
 * destination (main.ts). Flushed at exit (stdout to a file or pipe is synchronous on Linux), so an
 * orderly stop loses nothing; a SIGKILL loses at most the current turn's lines.
 */
export function createBatchedLineWriter(out: NodeJS.WritableStream = process.stdout): LineWriter {
  let buffer: string[] = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (buffer.length === 0) return
    const text = buffer.join('')
    buffer = []
    out.write(text)
  }
  process.on('exit', flush)
  return {
    write(line) {
      buffer.push(line)
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    flush,
  }
}
