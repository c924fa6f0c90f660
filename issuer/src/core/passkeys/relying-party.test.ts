import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../errors.ts'
import { loadConfig } from '../../runtime/config.ts'
import { relyingPartyOf, rpIdProblem } from './relying-party.ts'

// WebAuthn Level 3 §5.1.4: the RP ID is the origin's effective domain or a registrable suffix of
// it; a passkey made for one RP ID never signs in at another, so a wrong one is refused at start.
describe('the relying party', () => {
  it("defaults to ISSUER_URL's host and origin", () => {
    expect(relyingPartyOf('https://id.example.com')).toEqual({
      rpId: 'id.example.com',
      rpName: 'tokensmith',
      origin: 'https://id.example.com',
    })
    expect(relyingPartyOf('http://localhost:3000', undefined, 'Acme')).toEqual({
      rpId: 'localhost',
      rpName: 'Acme',
      origin: 'http://localhost:3000',
    })
  })

  it('takes a registrable suffix of the host as RP ID', () => {
    expect(rpIdProblem('id.example.com', 'https://id.example.com')).toBeNull()
    expect(rpIdProblem('example.com', 'https://id.example.com')).toBeNull()
    expect(rpIdProblem('example.com', 'https://a.b.example.com:8443')).toBeNull()
    expect(relyingPartyOf('https://id.example.com', 'example.com').rpId).toBe('example.com')
  })

  it('refuses another domain, a mere label suffix, a top-level domain, a non-domain', () => {
    for (const rpId of [
      'other.com',
      'ample.com',
      'com',
      'Example.com',
      'example.com.',
      '*.example.com',
      '',
    ]) {
      expect(rpIdProblem(rpId, 'https://id.example.com'), rpId).not.toBeNull()
    }
    expect(() => relyingPartyOf('https://id.example.com', 'other.com')).toThrow(/suffix/)
  })

  it('is checked with the configuration, naming the variable', () => {
    const base = { ISSUER_URL: 'https://id.example.com' }
    expect(loadConfig(base)).toMatchObject({ webauthnRpId: null, webauthnRpName: 'tokensmith' })
    expect(loadConfig({ ...base, WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_RP_NAME: 'Acme' })).toMatchObject({
      webauthnRpId: 'example.com',
      webauthnRpName: 'Acme',
    })
    expect(() => loadConfig({ ...base, WEBAUTHN_RP_ID: 'evil.example' })).toThrow(ConfigError)
    expect(() => loadConfig({ ...base, WEBAUTHN_RP_ID: 'evil.example' })).toThrow(/^WEBAUTHN_RP_ID: /)
    expect(() => loadConfig({ ...base, WEBAUTHN_RP_NAME: 'n'.repeat(65) })).toThrow(/^WEBAUTHN_RP_NAME: /)
  })
})
