import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const script = fileURLToPath(new URL('./genkeys.ts', import.meta.url))
let dir: string

function genkeys(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, KEYS_DIR: dir },
  })
}

async function genkeysFails(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await genkeys(...args)
  } catch (err) {
    const e = err as { code: number; stderr: string }
    return { code: e.code, stderr: e.stderr }
  }
  throw new Error('genkeys succeeded but should have failed')
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-genkeys-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('pnpm genkeys', () => {
  it('creates a current key, then a next key, with 0600 files, a manifest and a readable list', async () => {
    const first = await genkeys()
    expect(first.stdout).toMatch(/No key was signing, so it signs from now/)
    const second = await genkeys()
    expect(second.stdout).toMatch(/It is published now and signs from .* \(after the 15m publish lead\)/)

    const manifest = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
    expect(manifest).toMatchObject({ version: 1, publishLeadSec: 900, retireAfterSec: 960 })
    expect(manifest.keys).toHaveLength(2)
    for (const k of manifest.keys) {
      expect(k.alg).toBe('RS256')
      expect(k.file).toBe(`${k.kid}.pem`)
      const mode = (await stat(join(dir, k.file))).mode & 0o777
      expect(mode).toBe(0o600)
      expect(await readFile(join(dir, k.file), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    }
    const [a, b] = manifest.keys
    expect(Date.parse(b.activateAt) - Date.parse(b.createdAt)).toBe(900_000)

    const { stdout } = await genkeys('--list')
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^KID\s+ALG\s+STATE\s+ACTIVATES\s+RETIRES$/)
    expect(lines[1]).toMatch(
      new RegExp(`^${a.kid}\\s+RS256\\s+current\\s+\\S+ \\(\\d+s ago\\)\\s+\\S+ \\(in 3[01]m`),
    )
    expect(lines[2]).toMatch(new RegExp(`^${b.kid}\\s+RS256\\s+next\\s+\\S+ \\(in 1[45]m.*\\)\\s+-$`))
    expect(lines[3]).toBe('publish lead 15m, retire after 16m')
  })

  it('supports --alg, --bits, --now, --publish-lead and --retire-after', async () => {
    await genkeys('--alg', 'ES256', '--publish-lead', '20m', '--retire-after', '1h')
    const out = await genkeys('--bits', '3072', '--now')
    expect(out.stdout).toMatch(
      /It signs from now\. Verifiers that cached the JWKS before now do not know it yet/,
    )
    const manifest = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
    expect(manifest).toMatchObject({ publishLeadSec: 1200, retireAfterSec: 3600 })
    expect(manifest.keys.map((k: { alg: string }) => k.alg)).toEqual(['ES256', 'RS256'])
    const list = (await genkeys('--list')).stdout
    expect(list).toMatch(/ES256\s+previous/)
    expect(list).toMatch(/RS256\s+current/)
  })

  it('prunes nothing while keys are published, and says so', async () => {
    await genkeys()
    expect((await genkeys('--prune')).stdout).toBe('No retired keys to prune.\n')
    expect((await readdir(dir)).filter((f) => f.endsWith('.pem'))).toHaveLength(1)
  })

  it('refuses bad flags with a message naming them', async () => {
    expect(await genkeysFails('--alg', 'HS256')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--alg must be one of/),
    })
    expect(await genkeysFails('--bits', '1024')).toMatchObject({
      stderr: expect.stringMatching(/--bits: must be one of/),
    })
    expect(await genkeysFails('--alg', 'ES256', '--bits', '3072')).toMatchObject({
      stderr: expect.stringMatching(/--bits applies to RS256 only/),
    })
    expect(await genkeysFails('--publish-lead', 'soon')).toMatchObject({
      stderr: expect.stringMatching(/--publish-lead must be seconds/),
    })
    expect(await genkeysFails('--bogus')).toMatchObject({
      stderr: expect.stringMatching(/Unknown option '--bogus'/),
    })
  })
})
