import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { REPO_ROOT } from './repo-root.ts'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
}

export interface HotFunction {
  name: string
  where: string
  selfMs: number
  selfPct: number
}

// `node --cpu-prof` names files CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is
// the main thread (the others are tsx's loader thread and the like, idle while serving).
const MAIN_THREAD_PROFILE = /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/

/**
 * Self time per function in the main-thread `.cpuprofile` files `node --cpu-prof` wrote into
 * `dir`, biggest first. The main thread is what bounds the issuer: RSA signing runs on the
 * thread pool, everything else (HTTP, JSON, SQLite, logging) runs here, one request at a time.
 */
export async function summarizeCpuProfiles(
  dir: string,
  top = 25,
): Promise<{ totalMs: number; hot: HotFunction[] }> {
  const files = (await readdir(dir)).filter((f) => MAIN_THREAD_PROFILE.test(f))
  const selfUs = new Map<string, { name: string; where: string; us: number }>()
  let totalUs = 0
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile
    const samples = profile.samples?.length ?? 0
    if (samples === 0) continue
    const usPerSample = (profile.endTime - profile.startTime) / samples
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0
      if (hits === 0) continue
      const { functionName, url, lineNumber } = node.callFrame
      const name = functionName || '(anonymous)'
      const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : ''
      const key = `${name}@${where}`
      const entry = selfUs.get(key) ?? { name, where, us: 0 }
      entry.us += hits * usPerSample
      selfUs.set(key, entry)
      totalUs += hits * usPerSample
    }
  }
  const hot = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, selfPct: (100 * e.us) / totalUs }))
  return { totalMs: totalUs / 1000, hot }
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '')
  const nm = path.lastIndexOf('node_modules/')
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length).replace(/^\.pnpm\/[^/]+\/node_modules\//, '')
  return path.startsWith('/') ? relative(REPO_ROOT, path) : path
}
