import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ISSUER_NODE_FLAGS } from './node-flags.ts'

describe('ISSUER_NODE_FLAGS', () => {
  it('are the flags `pnpm start` runs the issuer with', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(pkg.scripts.start).toBe(
      `node scripts/bootstrap.mjs node ${ISSUER_NODE_FLAGS.join(' ')} --import tsx issuer/src/runtime/main.ts`,
    )
  })
})
