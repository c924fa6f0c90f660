import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_ROOT } from './repo-root.ts'

/**
 * Replaces (or appends) one `## <name>` section of docs/performance.md with `section` (which starts
 * with that heading), leaving the rest of the file as it is. Returns the file's path.
 */
export async function writePerformanceSection(name: string, section: string): Promise<string> {
  const path = join(REPO_ROOT, 'docs', 'performance.md')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    text = '# Performance\n\nBenchmarks print ratios against peers measured in the same run.\n'
  }
  const start = text.search(new RegExp(`^## ${name}\\s*$`, 'm'))
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${section.trimEnd()}\n`
  } else {
    const rest = text.slice(start + 1)
    const next = rest.search(/^## /m)
    const end = next === -1 ? text.length : start + 1 + next
    text = `${text.slice(0, start)}${section.trimEnd()}\n${end < text.length ? `\n${text.slice(end)}` : ''}`
  }
  await writeFile(path, text)
  return path
}
