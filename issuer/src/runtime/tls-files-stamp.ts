import { stat } from 'node:fs/promises'
import type { TlsFiles } from './config.ts'

async function fileStamp(path: string): Promise<string> {
  try {
    // stat follows symbolic links: certbot's live/ links and Kubernetes' ..data switch both show.
    const s = await stat(path, { bigint: true })
    // Inode for a replacement by rename, size and mtime for one in place, ctime for a chmod that
    // makes an unreadable file readable.
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`
  } catch (err) {
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? 'error'}`
  }
}

/**
 * What the TLS files look like on disk, in one string: equal stamps mean neither file was
 * replaced or rewritten in between. Never throws; a missing file has a stamp of its own.
 */
export async function tlsFilesStamp(files: TlsFiles): Promise<string> {
  const [cert, key] = await Promise.all([fileStamp(files.certFile), fileStamp(files.keyFile)])
  return `${cert}|${key}`
}
