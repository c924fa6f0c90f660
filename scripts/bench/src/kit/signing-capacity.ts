import { generateKeyPairSync } from 'node:crypto'
import { Worker } from 'node:worker_threads'

export interface SigningCapacity {
  /** RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second, all threads together. */
  perSecond: number
  threads: number
}

// Plain JavaScript so the worker needs no TypeScript loader. Each thread signs a JWT-sized
// message with node:crypto (the same OpenSSL the issuer's WebCrypto signing uses) in a tight loop
// until the shared deadline, then reports how many it made.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createPrivateKey, sign } = require('node:crypto')
const key = createPrivateKey(workerData.pem)
const message = Buffer.alloc(workerData.messageBytes, 97)
for (let i = 0; i < 20; i++) sign('sha256', message, key)
parentPort.postMessage({ ready: true })
parentPort.once('message', ({ startAt, endAt }) => {
  while (Date.now() < startAt) {}
  let n = 0
  while (Date.now() < endAt) {
    sign('sha256', message, key)
    n++
  }
  parentPort.postMessage({ count: n, tookMs: Date.now() - startAt })
})
`

/**
 * The machine's RSA-2048 signing capacity: one thread per core signing for `durationMs`, measured
 * while nothing else of the bench runs. The ceiling for any RS256 issuer on this machine.
 */
export async function measureSigningCapacity(opts: {
  threads: number
  durationMs: number
}): Promise<SigningCapacity> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  // An RS256 access token's signing input is about 400 bytes; the hash is negligible next to RSA.
  const workers = Array.from(
    { length: opts.threads },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { pem, messageBytes: 400 } }),
  )
  try {
    await Promise.all(workers.map((w) => once<{ ready: true }>(w)))
    const startAt = Date.now() + 50
    const results = workers.map((w) => once<{ count: number; tookMs: number }>(w))
    for (const w of workers) w.postMessage({ startAt, endAt: startAt + opts.durationMs })
    const done = await Promise.all(results)
    const perSecond = done.reduce((sum, r) => sum + r.count / (r.tookMs / 1000), 0)
    return { perSecond, threads: opts.threads }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

function once<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', (m: T) => resolve(m))
    worker.once('error', reject)
  })
}
