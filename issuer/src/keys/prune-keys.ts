import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { readManifest, writeManifest } from './key-manifest.ts'
import { keyScheduleAt } from './key-schedule.ts'

/** Deletes retired keys (file and manifest entry). Returns the kids removed. */
export async function pruneKeys(dir: string, now: number): Promise<string[]> {
  const manifest = await readManifest(dir)
  const retired = new Set(
    keyScheduleAt(manifest, now)
      .filter((s) => s.state === 'retired')
      .map((s) => s.key.kid),
  )
  const removed = manifest.keys.filter((k) => retired.has(k.kid))
  // Manifest first: a crash between the two steps leaves an orphan file, never a dangling entry.
  manifest.keys = manifest.keys.filter((k) => !retired.has(k.kid))
  await writeManifest(dir, manifest)
  for (const k of removed) await rm(join(dir, k.file), { force: true })
  return removed.map((k) => k.kid)
}
