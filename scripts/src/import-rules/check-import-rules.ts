// The workspace's import rules (docs/architecture.md, "Import rules") over an import graph: pure,
// so the rules' own tests can feed it a graph with a violation in it.
import { posix } from 'node:path'

/** One source file and the module specifiers it imports, exports from or imports dynamically. */
export interface ImportingFile {
  /** Relative to the workspace root, `/`-separated: `issuer/src/core/store.ts`. */
  file: string
  specifiers: readonly string[]
}

/** A workspace package: its folder and the subpaths its package.json `exports` allows. */
export interface WorkspacePackage {
  name: string
  dir: string
  /** `exports` keys: `.`, `./testing`, ... */
  entryPoints: readonly string[]
}

export const IMPORT_RULES = {
  'runtime-imports-testing': 'nothing at runtime imports vitest or a testing/ folder',
  'core-imports-outer': 'issuer core/ imports no driver, no framework, nothing of store/, http/ or runtime/',
  'http-imports-driver': 'issuer http/ imports no database driver',
  'http-imports-runtime':
    'issuer http/ imports nothing of runtime/: the runtime passes its config and logger in',
  'http-folders':
    'an issuer http/ folder imports only the http/ folders HTTP_FOLDERS lets it: no two of them both ways',
  'package-by-path': 'packages reach each other by name and public entry point, never by path',
  'issuer-sdk-coupling': 'the SDK never imports the issuer, nor the issuer the SDK (outside tests)',
} as const

export type ImportRule = keyof typeof IMPORT_RULES

export interface ImportViolation {
  file: string
  specifier: string
  rule: ImportRule
}

const DRIVERS = new Set(['better-sqlite3', 'pg', 'ioredis'])

/**
 * The folders of issuer/src/http/ and the sibling folders each may import (its own files, and the
 * files of http/ itself, are always allowed). The pieces every standard endpoint shares sit at the
 * bottom; the token endpoints (`oauth/`) and the browser side (`authorize/`) stand beside each other
 * and never meet; OpenID Connect (`oidc/`) builds on OAuth's metadata; the account pages
 * (`account/`) on the browser side's sign-in. A folder not listed may
 * import none of them: a new folder takes its place here.
 */
export const HTTP_FOLDERS: Readonly<Record<string, readonly string[]>> = {
  'oauth-shared': [],
  oauth: ['oauth-shared'],
  authorize: ['oauth-shared'],
  oidc: ['oauth-shared', 'oauth'],
  // The account pages sign people in with the hosted pages of the browser side.
  account: ['authorize'],
}
const HTTP = 'issuer/src/http'

/** The folder right under http/ that holds `path`, or null for a file of http/ itself (or outside). */
function httpFolderOf(path: string): string | null {
  if (!under(path, HTTP)) return null
  const rest = path.slice(HTTP.length + 1).split('/')
  return rest.length > 1 ? (rest[0] ?? null) : null
}
const ISSUER = '@tokensmith/issuer'
const SDK = '@tokensmith/verifier-sdk'

/** `file -> specifier (rule)`: one line a violation. */
export function formatViolation(v: ImportViolation): string {
  return `${v.file} -> ${v.specifier} (${v.rule})`
}

const isTestFile = (file: string) => /\.test\.[cm]?[jt]s$/.test(file)
/** Under a `testing/` folder anywhere below a package's src/. */
const inTestingFolder = (path: string) => /\/src\/(.+\/)?testing\//.test(path)

/** `@scope/name/sub/path` -> { name: '@scope/name', subpath: './sub/path' }; `.` for none. */
function bareParts(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/')
  const take = specifier.startsWith('@') ? 2 : 1
  const rest = parts.slice(take).join('/')
  return { name: parts.slice(0, take).join('/'), subpath: rest === '' ? '.' : `./${rest}` }
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`)
}

export function checkImportRules(
  files: readonly ImportingFile[],
  packages: readonly WorkspacePackage[],
): ImportViolation[] {
  const violations: ImportViolation[] = []
  // The deepest package holding the path: scripts/interop is a package inside scripts/.
  const packageOf = (path: string) =>
    packages.filter((p) => under(path, p.dir)).sort((a, b) => b.dir.length - a.dir.length)[0]
  for (const { file, specifiers } of files) {
    const own = packageOf(file)
    const test = isTestFile(file)
    const support = inTestingFolder(file)
    const runtime = !test && !support && (own?.name === ISSUER || own?.name === SDK)
    for (const specifier of specifiers) {
      const report = (rule: ImportRule) => violations.push({ file, specifier, rule })
      const relative = specifier.startsWith('./') || specifier.startsWith('../')
      const target = relative ? posix.normalize(posix.join(posix.dirname(file), specifier)) : null
      const path = relative || specifier.startsWith('/') || specifier.startsWith('file:')
      const bare = path || specifier.startsWith('node:') ? null : bareParts(specifier)

      // (a) tests and test support may use vitest and testing/; nothing else may.
      if (runtime) {
        const toTesting =
          bare?.name === 'vitest' ||
          (target !== null && inTestingFolder(target)) ||
          ((bare?.name === ISSUER || bare?.name === SDK) && bare.subpath.startsWith('./testing'))
        if (toTesting) report('runtime-imports-testing')
      }

      // (b) the domain: no driver, no framework, no outer layer.
      if (runtime && under(file, 'issuer/src/core')) {
        const outer =
          (bare !== null &&
            (DRIVERS.has(bare.name) || bare.name === 'hono' || bare.name.startsWith('@hono/'))) ||
          (target !== null && ['store', 'http', 'runtime'].some((dir) => under(target, `issuer/src/${dir}`)))
        if (outer) report('core-imports-outer')
      }

      // (c) http composes the core; the store adapters speak to the drivers.
      if (runtime && under(file, 'issuer/src/http') && bare !== null && DRIVERS.has(bare.name)) {
        report('http-imports-driver')
      }
      if (
        runtime &&
        under(file, 'issuer/src/http') &&
        target !== null &&
        under(target, 'issuer/src/runtime')
      ) {
        report('http-imports-runtime')
      }
      const from = runtime ? httpFolderOf(file) : null
      const to = target === null ? null : httpFolderOf(target)
      if (from !== null && to !== null && from !== to && !(HTTP_FOLDERS[from] ?? []).includes(to)) {
        report('http-folders')
      }

      // (d) every file, tests too: another package only by its name and a public entry point.
      const intoSource = /(^|\/)(issuer|verifier-sdk)\/src\//.test(specifier)
      const leavesPackage = target !== null && own !== undefined && packageOf(target) !== own
      const targetPackage = bare === null ? undefined : packages.find((p) => p.name === bare.name)
      const notAnEntry =
        targetPackage !== undefined && !targetPackage.entryPoints.includes(bare?.subpath ?? '')
      if (intoSource || leavesPackage || notAnEntry) report('package-by-path')

      // (e) the SDK and the issuer stay apart at runtime.
      if (runtime && bare !== null) {
        if ((own?.name === SDK && bare.name === ISSUER) || (own?.name === ISSUER && bare.name === SDK)) {
          report('issuer-sdk-coupling')
        }
      }
    }
  }
  return violations
}
