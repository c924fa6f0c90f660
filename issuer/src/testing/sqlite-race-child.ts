// Child process for the two-process race in sqlite-store.test.ts (not a test itself).
// argv: <db path> <token hash> <now> <attempts>. Fires every rotate() at once on its own
// connection and prints the results as one JSON line.
import { randomBytes } from 'node:crypto'
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts'

const [path, tokenHash, nowArg, attemptsArg] = process.argv.slice(2)
if (path === undefined || tokenHash === undefined || nowArg === undefined || attemptsArg === undefined) {
  throw new Error('usage: sqlite-race-child <db> <token hash> <now> <attempts>')
}
const now = Number(nowArg)
const store = createSqliteStore({ path })
// Wait for the parent's go signal so both processes start firing together.
process.stdin.once('data', async () => {
  const results = await Promise.all(
    Array.from({ length: Number(attemptsArg) }, async () => {
      const hash = randomBytes(32).toString('hex')
      const result = await store.rotate({
        tokenHash,
        now,
        clientId: null,
        graceMs: 10_000,
        successor: { hash, idleExpiresAt: now + 86_400_000, sealed: `sealed.${hash}` },
      })
      return {
        kind: result.kind,
        successorHash: hash,
        sealed: result.kind === 'replayed' ? result.sealedSuccessor : null,
      }
    }),
  )
  await store.close()
  process.stdout.write(`${JSON.stringify(results)}\n`)
  process.exit(0)
})
process.stdout.write('ready\n')
