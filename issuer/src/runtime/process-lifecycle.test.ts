import { readdirSync, readFileSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateKey } from '../keys/generate-key.ts'
import { spawnIssuer } from '../testing/spawn-issuer.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-proc-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const envFor = (extra: Record<string, string> = {}) => ({
  KEYS_DIR: join(dir, 'keys'),
  DATABASE_URL: `sqlite:${join(dir, 'data', 'issuer.db')}`,
  ...extra,
})

describe('the issuer process', () => {
  it('starts on embedded defaults with an empty keys dir, says so, and drains in-flight requests on SIGTERM', async () => {
    const issuer = await spawnIssuer(envFor())
    expect(issuer.output.join('')).toMatch(/"event":"keys_generated"/)
    expect((await fetch(`${issuer.url}/readyz`)).status).toBe(200)
    // A login at the default scrypt cost is in flight when SIGTERM arrives: it still completes.
    const inFlight = fetch(`${issuer.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'whatever-it-is' }),
    })
    await new Promise((r) => setTimeout(r, 20))
    const exit = issuer.stop()
    const res = await inFlight
    expect(res.status).toBe(401)
    expect(await exit).toBe(0)
    expect(issuer.output.join('')).toMatch(/"event":"stopped"/)
  })

  it.runIf(process.platform === 'linux')(
    'runs its helper threads (thread pool, V8, checkpointer) HELPER_THREAD_NICE below the event loop',
    async () => {
      const niceOf = (pid: number) =>
        Object.fromEntries(
          readdirSync(`/proc/${pid}/task`).map((tid) => {
            const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
            // Field 19 (nice) is the 17th after the parenthesised command name.
            return [tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])]
          }),
        )
      for (const [setting, expected] of [
        [undefined, 5],
        ['0', 0],
        ['12', 12],
      ] as const) {
        const issuer = await spawnIssuer(envFor(setting === undefined ? {} : { HELPER_THREAD_NICE: setting }))
        try {
          const pid = issuer.proc.pid!
          const threads = niceOf(pid)
          const main = threads[String(pid)]!
          const helpers = Object.entries(threads).filter(([tid]) => tid !== String(pid))
          // libuv's pool (4), V8's platform threads and the SQLite checkpointer at least.
          expect(helpers.length).toBeGreaterThanOrEqual(6)
          for (const [, nice] of helpers) expect(nice).toBe(Math.min(19, main + expected))
        } finally {
          await issuer.stop()
        }
      }
    },
  )

  it('refuses to start with a key readable by others, naming the file and the fix', async () => {
    const { entry } = await generateKey({ dir: join(dir, 'keys'), now: Date.now() })
    await chmod(join(dir, 'keys', entry.file), 0o644)
    const err = await spawnIssuer(envFor()).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(err?.message).toMatch(/exited with 2/)
    expect(err?.message).toMatch(
      new RegExp(`cannot start: .*${entry.file}: private key is readable by group or others.*chmod 600`),
    )
  })

  it('refuses to start on bad configuration, naming the variable', async () => {
    const err = await spawnIssuer(envFor({ ACCESS_TOKEN_TTL: 'forever' })).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(err?.message).toMatch(/exited with 2/)
    expect(err?.message).toMatch(/cannot start: ACCESS_TOKEN_TTL: must be seconds or a duration/)
  })

  it('refuses an access-token lifetime longer than the key manifest keeps replaced keys', async () => {
    await generateKey({ dir: join(dir, 'keys'), now: Date.now() })
    const err = await spawnIssuer(envFor({ ACCESS_TOKEN_TTL: '1h' })).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(err?.message).toMatch(
      /ACCESS_TOKEN_TTL: plus CLOCK_SKEW is 3660 s, longer than the key manifest's retireAfterSec/,
    )
  })
})
