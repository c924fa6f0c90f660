// The key the TOTP secrets are sealed under (MFA_ENCRYPTION_KEY_FILE, default
// `<KEYS_DIR>/mfa-encryption.key`): outside the database, beside the signing keys, created on the
// first start. Losing it makes every enrolled authenticator unusable (users sign in with a
// recovery code and enrol again), so operators back it up with the keys directory.
import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { KeyError } from '../../errors.ts'
import { SECRET_BOX_KEY_BYTES } from './secret-box.ts'

/** The file holds the key as one line of base64url (43 characters). */
const KEY_TEXT = /^[A-Za-z0-9_-]{43}\s*$/

/**
 * The key in `file`, created when there is none: written to a private temporary file (0600) and
 * linked into place, which fails when another instance linked its own first; then every instance
 * reads the one that won. A file that is not exactly a 32-byte key, or that group or others may
 * read, stops start-up (KeyError naming the file).
 */
export async function loadMfaEncryptionKey(file: string): Promise<Buffer> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  if (!(await exists(file))) await createKeyFile(file)
  const info = await stat(file)
  if ((info.mode & 0o077) !== 0) {
    const octal = (info.mode & 0o777).toString(8).padStart(3, '0')
    throw new KeyError(
      file,
      `the MFA encryption key is readable by group or others (mode ${octal}): chmod 600 it`,
    )
  }
  const text = await readFile(file, 'utf8')
  const key = KEY_TEXT.test(text) ? Buffer.from(text.trim(), 'base64url') : null
  if (key === null || key.length !== SECRET_BOX_KEY_BYTES) {
    throw new KeyError(file, `not an MFA encryption key (one line: ${SECRET_BOX_KEY_BYTES} bytes, base64url)`)
  }
  return key
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

async function createKeyFile(file: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(`${randomBytes(SECRET_BOX_KEY_BYTES).toString('base64url')}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    // link() never replaces: of two instances starting at once, one key wins and both use it.
    await link(tmp, file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  } finally {
    await unlink(tmp)
  }
}
