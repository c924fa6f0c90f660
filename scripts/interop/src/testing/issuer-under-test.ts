// One real issuer process per test file, on 127.0.0.1 with real time (the libraries check `iat`
// and `exp` against their own clocks), a scratch SQLite store and keys directory, and every log
// line kept so the file can end by checking that none of them leaks a password or a secret.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKey } from '@tokensmith/issuer/admin'
import { freePort, leakedLines, type SpawnedIssuer, spawnIssuer } from '@tokensmith/issuer/testing'

/** Cheap scrypt for the CLI and the issuer alike, so a login does not rehash (and stays fast). */
export const SCRYPT_ENV = { SCRYPT_LOG_N: '10' }

export interface IssuerUnderTest {
  /** `http://127.0.0.1:<port>`: ISSUER_URL, known before the issuer starts. */
  readonly url: string
  /** Where the CLIs register users and clients before `start`. */
  readonly databaseUrl: string
  /** Every stdout line of the issuer since it started. */
  readonly logLines: readonly string[]
  start(): Promise<void>
  /** Stops the issuer, removes its files; answers the log lines leaking any of `secrets`. */
  stop(secrets: readonly string[]): Promise<string[]>
}

export async function prepareIssuer(): Promise<IssuerUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-interop-'))
  const keysDir = join(dir, 'keys')
  await generateKey({ dir: keysDir, now: Date.now() })
  const port = await freePort()
  const databaseUrl = `sqlite:${join(dir, 'issuer.db')}`
  const logLines: string[] = []
  let issuer: SpawnedIssuer | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl,
    logLines,
    async start() {
      issuer = await spawnIssuer(
        { KEYS_DIR: keysDir, DATABASE_URL: databaseUrl, ...SCRYPT_ENV },
        { port, onLogLine: (line) => logLines.push(line) },
      )
    },
    async stop(secrets) {
      await issuer?.stop()
      await rm(dir, { recursive: true, force: true })
      return leakedLines([...logLines, ...(issuer?.output ?? [])], secrets)
    },
  }
}
