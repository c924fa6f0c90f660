// The import rules of docs/architecture.md, checked over the workspace's real import graph, and
// each rule proved able to fail on a small graph that breaks it.
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  checkImportRules,
  formatViolation,
  type ImportingFile,
  type WorkspacePackage,
} from './check-import-rules.ts'
import { importSpecifiers, readImportGraph, readWorkspacePackage } from './import-graph.ts'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const PACKAGE_DIRS = ['issuer', 'verifier-sdk', 'scripts', 'scripts/interop', 'scripts/bench']

/**
 * Violations known when the check was written, each with what would end it. The check fails on
 * any violation not listed here, and on any listed one that is gone (so the list cannot outlive
 * its reason): fix the import, or, while it cannot be fixed yet, list it here with the reason.
 */
// Violations accepted for now, each with what ends it. Empty: every rule holds.
const PENDING: readonly string[] = []

const PACKAGES: WorkspacePackage[] = [
  { name: '@tokensmith/issuer', dir: 'issuer', entryPoints: ['.', './admin', './testing'] },
  { name: '@tokensmith/verifier-sdk', dir: 'verifier-sdk', entryPoints: ['.', './hono'] },
  { name: '@tokensmith/scripts', dir: 'scripts', entryPoints: ['./format-table', './run-script'] },
  { name: '@tokensmith/interop', dir: 'scripts/interop', entryPoints: [] },
  { name: '@tokensmith/bench', dir: 'scripts/bench', entryPoints: [] },
]

/** The violation lines for a graph given as `file: [specifiers]`. */
function check(graph: Record<string, string[]>): string[] {
  const files: ImportingFile[] = Object.entries(graph).map(([file, specifiers]) => ({ file, specifiers }))
  return checkImportRules(files, PACKAGES).map(formatViolation)
}

describe('import rules: each can fail', () => {
  it('runtime-imports-testing: a runtime file importing vitest or testing/ (tests and testing/ may)', () => {
    expect(
      check({
        'issuer/src/http/create-app.ts': ['vitest', '../testing/test-issuer.ts', 'hono'],
        'verifier-sdk/src/keys/key-cache.ts': ['@tokensmith/verifier-sdk/testing', '../jws/verify.ts'],
        'issuer/src/runtime/main.mjs': ['vitest/config'],
        'issuer/src/http/create-app.test.ts': ['vitest', '../testing/test-issuer.ts'],
        'issuer/src/testing/http-probe.ts': ['vitest', './seed.ts'],
        'verifier-sdk/src/attacks/testing/rig.ts': ['vitest'],
      }),
    ).toEqual([
      'issuer/src/http/create-app.ts -> vitest (runtime-imports-testing)',
      'issuer/src/http/create-app.ts -> ../testing/test-issuer.ts (runtime-imports-testing)',
      'verifier-sdk/src/keys/key-cache.ts -> @tokensmith/verifier-sdk/testing (runtime-imports-testing)',
      'verifier-sdk/src/keys/key-cache.ts -> @tokensmith/verifier-sdk/testing (package-by-path)',
      'issuer/src/runtime/main.mjs -> vitest/config (runtime-imports-testing)',
    ])
  })

  it('core-imports-outer: core/ importing a driver, hono, or store/, http/, runtime/', () => {
    const outer = [
      'pg',
      'ioredis',
      'better-sqlite3',
      'hono',
      '@hono/node-server',
      '../../store/open-store.ts',
      '../../http/routes.ts',
      '../../runtime/logger.ts',
    ]
    const allowed = ['../store.ts', '../../errors.ts', '../../keys/key-ring.ts', 'jose', 'node:crypto']
    expect(
      check({
        'issuer/src/core/login/create-login.ts': [...outer, ...allowed],
        'issuer/src/core/rotation/refresh-race.test.ts': ['pg', '../../store/open-store.ts'],
      }),
    ).toEqual(outer.map((s) => `issuer/src/core/login/create-login.ts -> ${s} (core-imports-outer)`))
  })

  it('http-imports-driver: http/ importing a database driver', () => {
    expect(
      check({
        'issuer/src/http/auth-routes.ts': ['better-sqlite3', 'pg', 'ioredis', 'hono', '../core/store.ts'],
        'issuer/src/http/request-bodies.test.ts': ['better-sqlite3'],
      }),
    ).toEqual(
      ['better-sqlite3', 'pg', 'ioredis'].map(
        (s) => `issuer/src/http/auth-routes.ts -> ${s} (http-imports-driver)`,
      ),
    )
  })

  it('http-imports-runtime: http/ importing anything of runtime/ (its tests may)', () => {
    expect(
      check({
        'issuer/src/http/create-issuer-app.ts': [
          '../runtime/config.ts',
          '../core/logger.ts',
          './http-config.ts',
        ],
        'issuer/src/http/oauth/oauth-routes.ts': ['../../runtime/logger.ts'],
        'issuer/src/http/browser-flow.test.ts': ['../runtime/start-issuer.ts'],
      }),
    ).toEqual([
      'issuer/src/http/create-issuer-app.ts -> ../runtime/config.ts (http-imports-runtime)',
      'issuer/src/http/oauth/oauth-routes.ts -> ../../runtime/logger.ts (http-imports-runtime)',
    ])
  })

  it('http-folders: an http/ folder importing a sibling folder HTTP_FOLDERS does not list', () => {
    expect(
      check({
        'issuer/src/http/oauth/oauth-routes.ts': [
          '../authorize/browser-paths.ts',
          '../oidc/userinfo-routes.ts',
          '../oauth-shared/read-form-body.ts',
          '../endpoint-paths.ts',
          './client-credentials-of.ts',
        ],
        'issuer/src/http/authorize/hosted-pages.ts': [
          '../oauth/oauth-error-handler.ts',
          '../oauth-shared/x.ts',
        ],
        'issuer/src/http/oauth-shared/read-form-body.ts': ['../oauth/form-params.ts', '../read-json-body.ts'],
        'issuer/src/http/oidc/openid-provider-metadata.ts': ['../oauth/authorization-server-metadata.ts'],
        'issuer/src/http/device/device-routes.ts': ['../oauth-shared/read-form-body.ts'],
        'issuer/src/http/create-issuer-app.ts': [
          './oauth/oauth-routes.ts',
          './authorize/authorize-routes.ts',
        ],
        'issuer/src/http/oauth/oauth-routes.test.ts': ['../authorize/authorize-routes.ts'],
      }),
    ).toEqual([
      'issuer/src/http/oauth/oauth-routes.ts -> ../authorize/browser-paths.ts (http-folders)',
      'issuer/src/http/oauth/oauth-routes.ts -> ../oidc/userinfo-routes.ts (http-folders)',
      'issuer/src/http/authorize/hosted-pages.ts -> ../oauth/oauth-error-handler.ts (http-folders)',
      'issuer/src/http/oauth-shared/read-form-body.ts -> ../oauth/form-params.ts (http-folders)',
      'issuer/src/http/device/device-routes.ts -> ../oauth-shared/read-form-body.ts (http-folders)',
    ])
  })

  it('package-by-path: a relative path into another package, a path into src/, a subpath not exported', () => {
    expect(
      check({
        'scripts/src/genkeys.ts': [
          '../../issuer/src/keys/generate-key.ts',
          '../../issuer/package.json',
          '/work/x/verifier-sdk/src/index.ts',
          '@tokensmith/issuer/src/core/store.ts',
          '@tokensmith/verifier-sdk/express',
          '@tokensmith/issuer/admin',
          './shared/format-table.ts',
        ],
        'scripts/src/e2e.test.ts': ['../../verifier-sdk/src/index.ts', '@tokensmith/issuer/testing'],
        'verifier-sdk/src/index.test.ts': ['../../issuer/src/testing/index.ts'],
        // scripts/bench is a package inside scripts/: the folder above it is another package.
        'scripts/bench/src/bench-ab.ts': [
          '../../src/shared/format-table.ts',
          '@tokensmith/scripts/src/shared/usage-error.ts',
          '@tokensmith/scripts/format-table',
          './kit/load.ts',
        ],
      }),
    ).toEqual([
      'scripts/src/genkeys.ts -> ../../issuer/src/keys/generate-key.ts (package-by-path)',
      'scripts/src/genkeys.ts -> ../../issuer/package.json (package-by-path)',
      'scripts/src/genkeys.ts -> /work/x/verifier-sdk/src/index.ts (package-by-path)',
      'scripts/src/genkeys.ts -> @tokensmith/issuer/src/core/store.ts (package-by-path)',
      'scripts/src/genkeys.ts -> @tokensmith/verifier-sdk/express (package-by-path)',
      'scripts/src/e2e.test.ts -> ../../verifier-sdk/src/index.ts (package-by-path)',
      'verifier-sdk/src/index.test.ts -> ../../issuer/src/testing/index.ts (package-by-path)',
      'scripts/bench/src/bench-ab.ts -> ../../src/shared/format-table.ts (package-by-path)',
      'scripts/bench/src/bench-ab.ts -> @tokensmith/scripts/src/shared/usage-error.ts (package-by-path)',
    ])
  })

  it('issuer-sdk-coupling: the SDK importing the issuer or the issuer the SDK, outside tests', () => {
    expect(
      check({
        'verifier-sdk/src/create-verifier.ts': ['@tokensmith/issuer'],
        'issuer/src/http/create-app.ts': ['@tokensmith/verifier-sdk/hono'],
        'issuer/src/http/browser-flow.test.ts': ['@tokensmith/verifier-sdk'],
        'verifier-sdk/src/e2e.test.ts': ['@tokensmith/issuer/testing'],
        'scripts/src/demo.ts': ['@tokensmith/issuer', '@tokensmith/verifier-sdk'],
      }),
    ).toEqual([
      'verifier-sdk/src/create-verifier.ts -> @tokensmith/issuer (issuer-sdk-coupling)',
      'issuer/src/http/create-app.ts -> @tokensmith/verifier-sdk/hono (issuer-sdk-coupling)',
    ])
  })
})

describe('import graph reader', () => {
  it('finds static, type-only, re-exported, dynamic and required specifiers', () => {
    const text = [
      "import { a } from './a.ts'",
      "import type { B } from '../b.ts'",
      "export { c } from './c.ts'",
      "export * from 'vitest'",
      "import './side-effect.ts'",
      "const d = await import('pg')",
      "const e = require('ioredis')",
      'const notAnImport = \'import x from "hono"\'',
    ].join('\n')
    expect(importSpecifiers(text).sort()).toEqual(
      ['../b.ts', './a.ts', './c.ts', './side-effect.ts', 'ioredis', 'pg', 'vitest'].sort(),
    )
  })
})

describe('import rules over the workspace', () => {
  let files: ImportingFile[]
  let packages: WorkspacePackage[]
  beforeAll(async () => {
    packages = await Promise.all(PACKAGE_DIRS.map((dir) => readWorkspacePackage(ROOT, dir)))
    files = await readImportGraph(
      ROOT,
      PACKAGE_DIRS.map((dir) => `${dir}/src`),
    )
  })

  it('reads the whole graph (so an empty read cannot pass)', () => {
    for (const dir of PACKAGE_DIRS) {
      expect(files.filter((f) => f.file.startsWith(`${dir}/src/`)).length).toBeGreaterThan(10)
    }
    expect(files.find((f) => f.file === 'scripts/src/genkeys.ts')?.specifiers).toContain(
      '@tokensmith/issuer/admin',
    )
    expect(packages.find((p) => p.name === '@tokensmith/issuer')?.entryPoints).toEqual([
      '.',
      './admin',
      './testing',
    ])
  })

  it('holds: no violation beyond the pending ones, and none of those already gone', () => {
    const found = checkImportRules(files, packages).map(formatViolation)
    const unexpected = found.filter((v) => !PENDING.includes(v))
    const gone = PENDING.filter((v) => !found.includes(v))
    expect(unexpected, `import rules broken (docs/architecture.md):\n${unexpected.join('\n')}`).toEqual([])
    expect(gone, `no longer broken, remove from PENDING:\n${gone.join('\n')}`).toEqual([])
  })
})
