// WAL checkpoints on a thread of their own. A checkpoint copies WAL pages back into the database
// file and fsyncs both; run inline (SQLite's default), it lands inside whichever request commits
// the thousandth page and blocks the event loop on the disk for the whole copy. The request
// connection keeps a far higher automatic threshold as a backstop, so the WAL stays bounded even
// if this thread falls behind or dies.
import { Worker } from 'node:worker_threads'

export interface SqliteCheckpointer {
  /** Runs a last checkpoint and ends the thread. */
  stop(): Promise<void>
}

export function startSqliteCheckpointer(opts: { path: string; intervalMs: number }): SqliteCheckpointer {
  const worker = new Worker(new URL('./sqlite-checkpoint-worker.mjs', import.meta.url), {
    workerData: { path: opts.path, intervalMs: opts.intervalMs },
    // The worker is plain JavaScript: no loader hooks (tsx) needed in it.
    execArgv: [],
  })
  // It must not keep the process alive, and its failure only means the backstop takes over.
  worker.unref()
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => resolve())
    worker.once('error', () => resolve())
  })
  return {
    async stop() {
      // Held while it finishes: an unref'd worker would let a closing process exit mid-stop.
      worker.ref()
      worker.postMessage('stop')
      await exited
    },
  }
}
