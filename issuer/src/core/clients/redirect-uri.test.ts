import { describe, expect, it } from 'vitest'
import { matchesRedirectUri, redirectUriProblem } from './redirect-uri.ts'

describe('redirect URI registration (RFC 6749 §3.1.2, RFC 8252 §7)', () => {
  it.each([
    'https://app.example/callback',
    'https://app.example/cb?tenant=a',
    'http://127.0.0.1/callback',
    'http://127.0.0.1:8400/callback',
    'http://[::1]/cb',
    'com.example.app:/oauth2redirect',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeNull()
  })

  it.each([
    ['', /1 to/],
    ['/callback', /absolute/],
    ['https://app.example/cb#frag', /fragment/],
    ['https://user:pw@app.example/cb', /user information/],
    ['http://app.example/cb', /loopback/],
    ['http://localhost:3000/cb', /127\.0\.0\.1/],
    ['javascript:alert(1)', /https/],
    ['data:text/html,hi', /https/],
    ['file:///etc/passwd', /https/],
    [`https://app.example/${'a'.repeat(2001)}`, /1 to/],
  ])('refuses %s', (uri, reason) => {
    expect(redirectUriProblem(uri)).toMatch(reason)
  })
})

describe('redirect URI matching', () => {
  const registered = ['https://app.example/cb', 'http://127.0.0.1/callback']

  it('matches exactly, byte for byte', () => {
    expect(matchesRedirectUri(registered, 'https://app.example/cb')).toBe(true)
    expect(matchesRedirectUri(registered, 'https://app.example/cb/')).toBe(false)
    expect(matchesRedirectUri(registered, 'https://APP.example/cb')).toBe(false)
    expect(matchesRedirectUri(registered, 'https://app.example/cb?x=1')).toBe(false)
    expect(matchesRedirectUri(registered, 'https://app.example:443/cb')).toBe(false)
  })

  it('lets a loopback redirect name any port (RFC 8252 §7.3), nothing else', () => {
    expect(matchesRedirectUri(registered, 'http://127.0.0.1:51234/callback')).toBe(true)
    expect(matchesRedirectUri(registered, 'http://127.0.0.1:51234/other')).toBe(false)
    expect(matchesRedirectUri(registered, 'http://127.0.0.1:51234/callback?x=1')).toBe(false)
    expect(matchesRedirectUri(registered, 'http://[::1]:51234/callback')).toBe(false)
    expect(matchesRedirectUri(registered, 'https://127.0.0.1:51234/callback')).toBe(false)
    expect(matchesRedirectUri(registered, 'http://evil@127.0.0.1:51234/callback')).toBe(false)
    expect(matchesRedirectUri(['https://app.example/cb'], 'https://app.example:8443/cb')).toBe(false)
  })
})
