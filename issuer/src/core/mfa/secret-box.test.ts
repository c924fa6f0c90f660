import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadMfaEncryptionKey } from './mfa-encryption-key.ts'
import { createSecretBox } from './secret-box.ts'

describe('the secret box (AES-256-GCM)', () => {
  const box = createSecretBox(randomBytes(32))

  it('opens what it sealed, for the same context only, with a fresh IV each time', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1')
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/)
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP')
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP')
    expect(box.seal('JBSWY3DPEHPK3PXP', 'user-1')).not.toBe(sealed)
    // Moved to another user's record, it does not open.
    expect(() => box.open(sealed, 'user-2')).toThrow(/does not open/)
  })

  it('refuses a tampered ciphertext, IV or tag, and an unknown version', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'u')
    const parts = sealed.split('.')
    for (const i of [1, 2, 3]) {
      const bytes = Buffer.from(parts[i] as string, 'base64url')
      bytes[0] = (bytes[0] as number) ^ 1
      const tampered = [...parts]
      tampered[i] = bytes.toString('base64url')
      expect(() => box.open(tampered.join('.'), 'u')).toThrow()
    }
    expect(() => box.open(`v2${sealed.slice(2)}`, 'u')).toThrow(/known version/)
  })

  it('refuses another key', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'u')
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'u')).toThrow(/does not open/)
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/)
  })
})

describe('the MFA encryption key file', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokensmith-mfa-key-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('is created 0600 on first start and read back the same after', async () => {
    const file = join(dir, 'keys', 'mfa-encryption.key')
    const key = await loadMfaEncryptionKey(file)
    expect(key).toHaveLength(32)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await loadMfaEncryptionKey(file)).toEqual(key)
  })

  it('gives instances starting at once one key', async () => {
    const file = join(dir, 'mfa-encryption.key')
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadMfaEncryptionKey(file)))
    for (const key of keys) expect(key).toEqual(keys[0])
    expect((await readFile(file, 'utf8')).trim()).toBe(keys[0]?.toString('base64url'))
  })

  it('stops start-up on a short or malformed key, or one others may read', async () => {
    const file = join(dir, 'mfa-encryption.key')
    await writeFile(file, `${randomBytes(16).toString('base64url')}\n`, { mode: 0o600 })
    await expect(loadMfaEncryptionKey(file)).rejects.toMatchObject({ code: 'invalid_key', file })
    await writeFile(file, 'not a key\n', { mode: 0o600 })
    await expect(loadMfaEncryptionKey(file)).rejects.toMatchObject({ code: 'invalid_key' })
    await writeFile(file, `${randomBytes(32).toString('base64url')}\n`)
    await chmod(file, 0o644)
    await expect(loadMfaEncryptionKey(file)).rejects.toThrow(/readable by group or others/)
  })
})
