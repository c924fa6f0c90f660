// The SQLite store's checkpointer thread (see sqlite-checkpointer.ts). Plain JavaScript so that
// it runs as a worker under every loader (tsx, vitest, a compiled build) without a transpiler.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

const { path, intervalMs } = workerData
const db = new Database(path, { fileMustExist: true })

// PASSIVE copies what it can without waiting for readers or taking the write lock, so the
// request thread's transactions never wait on it; a busy moment is simply retried next tick.
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch {
    // The database may be locked by another process's checkpoint: the next tick tries again.
  }
}
const timer = setInterval(checkpoint, intervalMs)

parentPort.on('message', (message) => {
  if (message !== 'stop') return
  clearInterval(timer)
  checkpoint()
  db.close()
  parentPort.close()
})
