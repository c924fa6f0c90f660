import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** What the verifier persists: the last good JWKS and when it stops being fresh. Public keys only. */
export interface JwksCacheRecord {
  readonly version: 1
  readonly issuer: string
  readonly jwksUri: string
  readonly etag?: string
  readonly fetchedAt: number
  readonly expiresAt: number
  readonly jwks: unknown
}

export interface JwksCacheFile {
  /** The stored record; undefined when there is no file. Throws when the file is not a record. */
  read(): Promise<JwksCacheRecord | undefined>
  /** Replaces the file atomically (temporary file in the same directory, then rename). */
  write(record: JwksCacheRecord): Promise<void>
}

function isRecord(value: unknown): value is JwksCacheRecord {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Record<string, unknown>
  return (
    r.version === 1 &&
    typeof r.issuer === 'string' &&
    typeof r.jwksUri === 'string' &&
    (r.etag === undefined || typeof r.etag === 'string') &&
    typeof r.fetchedAt === 'number' &&
    typeof r.expiresAt === 'number' &&
    typeof r.jwks === 'object'
  )
}

export function createJwksCacheFile(path: string): JwksCacheFile {
  return {
    async read() {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
      const value: unknown = JSON.parse(text)
      if (!isRecord(value)) throw new Error('not a JWKS cache record')
      return value
    },
    async write(record) {
      await mkdir(dirname(path), { recursive: true })
      const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
      try {
        await writeFile(temporary, `${JSON.stringify(record)}\n`, { mode: 0o644 })
        await rename(temporary, path)
      } catch (error) {
        await rm(temporary, { force: true })
        throw error
      }
    },
  }
}
