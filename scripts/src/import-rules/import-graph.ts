// Reads the workspace's import graph from source text with the TypeScript scanner
// (ts.preProcessFile): static imports, `export ... from`, `import type`, dynamic `import('...')`
// with a literal, and require() in JavaScript. No type checking, so it takes a second.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import ts from 'typescript'
import type { ImportingFile, WorkspacePackage } from './check-import-rules.ts'

const SOURCE = /\.(ts|mts|cts|mjs|cjs|js)$/
const SKIP = new Set(['node_modules', 'fixtures'])

async function sourceFiles(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await sourceFiles(path)))
    else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) found.push(path)
  }
  return found
}

/** The module specifiers of one file's text. */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)
}

/** Every source file under `<root>/<dir>` for each of `dirs` (for example `issuer/src`). */
export async function readImportGraph(root: string, dirs: readonly string[]): Promise<ImportingFile[]> {
  const graph: ImportingFile[] = []
  for (const dir of dirs) {
    for (const path of await sourceFiles(join(root, dir))) {
      const file = relative(root, path).split(sep).join('/')
      graph.push({ file, specifiers: importSpecifiers(await readFile(path, 'utf8')) })
    }
  }
  return graph
}

/** The workspace package in `<root>/<dir>`: its name and `exports` keys. */
export async function readWorkspacePackage(root: string, dir: string): Promise<WorkspacePackage> {
  const manifest = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8')) as {
    name: string
    exports?: Record<string, unknown> | string
  }
  const { exports } = manifest
  const entryPoints = exports === undefined ? [] : typeof exports === 'string' ? ['.'] : Object.keys(exports)
  return { name: manifest.name, dir, entryPoints }
}
