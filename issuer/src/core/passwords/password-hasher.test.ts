import { describe, expect, it } from 'vitest'
import { PasswordError } from '../../errors.ts'
import { createPasswordHasher, DEFAULT_MAX_PASSWORD_BYTES } from './password-hasher.ts'
import { parseScryptHash } from './scrypt-format.ts'

// Low cost keeps the suite fast; one test below runs the real default.
const fast = { logN: 10, r: 8, p: 1 }

describe('createPasswordHasher', () => {
  it('round-trips at the default cost in the documented format', async () => {
    const hasher = createPasswordHasher()
    expect(hasher.cost).toEqual({ logN: 15, r: 8, p: 1 })
    expect(hasher.maxPasswordBytes).toBe(DEFAULT_MAX_PASSWORD_BYTES)
    const encoded = await hasher.hash('correct horse battery staple')
    expect(encoded).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    const parsed = parseScryptHash(encoded)
    expect(parsed?.salt).toHaveLength(16)
    expect(parsed?.hash).toHaveLength(32)
    expect(await hasher.verify('correct horse battery staple', encoded)).toEqual({
      ok: true,
      needsRehash: false,
    })
  })

  it('salts every hash and refuses a wrong password', async () => {
    const hasher = createPasswordHasher({ cost: fast })
    const a = await hasher.hash('s3cret')
    const b = await hasher.hash('s3cret')
    expect(a).not.toBe(b)
    expect(await hasher.verify('s3cret', b)).toEqual({ ok: true, needsRehash: false })
    expect(await hasher.verify('s3creT', a)).toEqual({ ok: false, needsRehash: false })
    expect(await hasher.verify('', a)).toEqual({ ok: false, needsRehash: false })
  })

  it('hashes non-ASCII passwords by their UTF-8 bytes', async () => {
    const hasher = createPasswordHasher({ cost: fast })
    const encoded = await hasher.hash('pässwörd 🔑')
    expect((await hasher.verify('pässwörd 🔑', encoded)).ok).toBe(true)
    expect((await hasher.verify('passwörd 🔑', encoded)).ok).toBe(false)
  })

  it('flags a hash made at another cost for rehash, and still verifies it', async () => {
    const old = createPasswordHasher({ cost: fast })
    const encoded = await old.hash('pw')
    for (const cost of [
      { logN: 11, r: 8, p: 1 },
      { logN: 10, r: 4, p: 1 },
      { logN: 10, r: 8, p: 2 },
    ]) {
      const current = createPasswordHasher({ cost })
      expect(await current.verify('pw', encoded)).toEqual({ ok: true, needsRehash: true })
      // A wrong password never asks for a rehash: there is nothing to rehash it with.
      expect(await current.verify('nope', encoded)).toEqual({ ok: false, needsRehash: false })
    }
  })

  it('answers a null (unknown user) hash with ok false after doing the work', async () => {
    const hasher = createPasswordHasher({ cost: fast })
    expect(await hasher.verify('anything', null)).toEqual({ ok: false, needsRehash: false })
    // The dummy is made once per hasher and reused; the second call answers the same.
    expect(await hasher.verify('anything', null)).toEqual({ ok: false, needsRehash: false })
    expect(await hasher.verify('', null)).toEqual({ ok: false, needsRehash: false })
  })

  it('refuses passwords over the byte bound before hashing, for hash and verify', async () => {
    const hasher = createPasswordHasher({ cost: fast, maxPasswordBytes: 8 })
    const encoded = await hasher.hash('12345678')
    await expect(hasher.hash('123456789')).rejects.toBeInstanceOf(PasswordError)
    // 'é' is two bytes in UTF-8: five of them is 10 bytes, over 8, though only 5 characters.
    await expect(hasher.hash('ééééé')).rejects.toMatchObject({ code: 'password_too_long' })
    await expect(hasher.verify('123456789', encoded)).rejects.toMatchObject({
      name: 'PasswordError',
      code: 'password_too_long',
    })
    await expect(hasher.verify('123456789', null)).rejects.toMatchObject({ code: 'password_too_long' })
    const big = createPasswordHasher({ cost: fast })
    await expect(big.hash('x'.repeat(1025))).rejects.toMatchObject({ code: 'password_too_long' })
    expect((await big.verify('x'.repeat(1024), await big.hash('x'.repeat(1024)))).ok).toBe(true)
  })

  it('refuses to hash an empty password', async () => {
    const hasher = createPasswordHasher({ cost: fast })
    await expect(hasher.hash('')).rejects.toMatchObject({ name: 'PasswordError', code: 'password_empty' })
  })

  it('treats tampered or foreign stored strings as a failed login, never throwing', async () => {
    const hasher = createPasswordHasher({ cost: fast })
    const good = await hasher.hash('pw')
    const [, , params, salt, hash] = good.split('$') as [string, string, string, string, string]
    const tampered = [
      '',
      'pw',
      '$scrypt$',
      // Cut short. Not by one character: a 43-character key cut to 42 is, one time in 16 (when
      // the dropped bits were zero), the canonical spelling of the key's first 31 bytes, which
      // the format accepts like any key of 16..64 bytes. 41 characters never decode canonically.
      good.slice(0, -2),
      `${good}=`,
      `${good}$`,
      good.replace('$scrypt$', '$argon2id$'),
      good.replace('ln=10', 'ln=010'),
      good.replace('ln=10', 'ln=-10'),
      good.replace('ln=10', 'ln=99'), // would need gigabytes: refused, not attempted
      good.replace('ln=10', 'ln=1'),
      good.replace('r=8', 'r=0'),
      good.replace('r=8', 'r=999'),
      good.replace('p=1', 'p=99'),
      good.replace('ln=10,r=8,p=1', 'r=8,ln=10,p=1'),
      `$scrypt$${params}$${salt}`,
      `$scrypt$${params}$$${hash}`,
      `$scrypt$${params}$${salt.slice(0, 8)}$${hash}`, // salt too short
      `$scrypt$${params}$${salt}$${hash.slice(0, 10)}`, // key too short
      `$scrypt$${params}$${salt}+$${hash}`, // not base64url
      `$scrypt$${params}$${salt}$${hash}${'A'.repeat(600)}`,
      `$scrypt$${params}$${salt}$${Buffer.alloc(32).toString('base64url')}`, // wrong key
      '\u0000'.repeat(100),
    ]
    for (const encoded of tampered) {
      expect(await hasher.verify('pw', encoded), encoded).toEqual({ ok: false, needsRehash: false })
    }
    // Not a string at all (a corrupt row): still no throw.
    expect(await hasher.verify('pw', 42 as unknown as string)).toEqual({ ok: false, needsRehash: false })
  })

  it('accepts a longer salt and key it did not produce, and asks for a rehash', async () => {
    const { scrypt } = await import('node:crypto')
    const salt = Buffer.alloc(24, 7)
    const key = await new Promise<Buffer>((resolve, reject) =>
      scrypt('pw', salt, 48, { N: 1024, r: 8, p: 1 }, (err, k) => (err ? reject(err) : resolve(k))),
    )
    const encoded = `$scrypt$ln=10,r=8,p=1$${salt.toString('base64url')}$${key.toString('base64url')}`
    const hasher = createPasswordHasher({ cost: fast })
    expect(await hasher.verify('pw', encoded)).toEqual({ ok: true, needsRehash: true })
  })

  it('validates options at creation with a TypeError naming the option', () => {
    const bad: [Parameters<typeof createPasswordHasher>[0], RegExp][] = [
      [{ cost: { logN: 9, r: 8, p: 1 } }, /^cost: logN/],
      [{ cost: { logN: 15.5, r: 8, p: 1 } }, /^cost: logN/],
      [{ cost: { logN: 21, r: 8, p: 1 } }, /^cost: logN/],
      [{ cost: { logN: 15, r: 0, p: 1 } }, /^cost: r /],
      [{ cost: { logN: 15, r: 8, p: 0 } }, /^cost: p /],
      [{ cost: { logN: 20, r: 16, p: 1 } }, /^cost: logN and r need more than 1024 MiB/],
      [{ maxPasswordBytes: 0 }, /^maxPasswordBytes: /],
      [{ maxPasswordBytes: 1.5 }, /^maxPasswordBytes: /],
      [{ maxPasswordBytes: Number.NaN }, /^maxPasswordBytes: /],
    ]
    for (const [opts, message] of bad) {
      expect(() => createPasswordHasher(opts)).toThrow(TypeError)
      expect(() => createPasswordHasher(opts)).toThrow(message)
    }
    expect(() => createPasswordHasher({ cost: { logN: 20, r: 8, p: 1 } })).not.toThrow()
  })
})
