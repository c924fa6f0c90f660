import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type CollectedOutput, collectOutput } from '@tokensmith/issuer/testing'
import { describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('./demo.ts', import.meta.url))

function runDemo(): Promise<CollectedOutput> {
  return collectOutput(
    spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] }),
  )
}

describe('pnpm demo', () => {
  it('walks login, refresh, reuse detection and logout against a real issuer, then cleans up', async () => {
    const { code, stdout, stderr } = await runDemo()
    expect(stderr).not.toMatch(/demo failed/)
    expect(stdout).not.toContain('✗')
    const expected = [
      /^✓ \d+\. generate a signing key/,
      /^✓ \d+\. create user "demo"/,
      /^✓ \d+\. start the issuer — http:\/\/127\.0\.0\.1:\d+/,
      /^✓ \d+\. start the protected service/,
      /^✓ \d+\. log in as "demo" .* RS256 at\+jwt/,
      /^✓ \d+\. call the protected service with the access token — 200/,
      /^✓ \d+\. call the protected service without a token — 401 missing_token/,
      /^✓ \d+\. refresh .* new refresh token rt_/,
      /^✓ \d+\. call the service with the new access token — 200/,
      /^✓ \d+\. retry the old refresh token within the \d+ s grace window — same successor/,
      /^✓ \d+\. replay the old refresh token after the grace window — 401 reuse_detected/,
      /^✓ \d+\. the issuer logged it as a security event — .*"security":true/,
      /^✓ \d+\. the newest refresh token of that family is dead too — 401 invalid_token/,
      /^✓ \d+\. the access token issued before the revocation is refused by the service too — 401 token_revoked/,
      /^✓ \d+\. log in again/,
      /^✓ \d+\. log out .* — 200/,
      /^✓ \d+\. refresh after logout — 401 invalid_token/,
    ]
    const lines = stdout.split('\n').filter((l) => l.startsWith('✓'))
    expect(lines).toHaveLength(expected.length)
    expected.forEach((pattern, i) => {
      expect(lines[i]).toMatch(pattern)
    })
    expect(stdout).toContain('Every step behaved.')
    expect(code).toBe(0)

    // The temporary keys and database are gone.
    const dir = /temporary directory (\S+)\)/.exec(stdout)?.[1]
    expect(dir).toBeDefined()
    expect(existsSync(dir as string)).toBe(false)
  }, 90_000)
})
