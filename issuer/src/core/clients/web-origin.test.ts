import { describe, expect, it } from 'vitest'
import { firstPartyPublicClient } from './client-record.ts'
import { webOriginProblem, webOriginsOf } from './web-origin.ts'

describe('web origins', () => {
  it('registers https origins and loopback http ones, exactly as browsers send Origin', () => {
    for (const ok of [
      'https://app.example.com',
      'https://app.example.com:8443',
      'http://127.0.0.1:5173',
      'http://localhost:3000',
    ]) {
      expect(webOriginProblem(ok), ok).toBeNull()
    }
    for (const bad of [
      'http://app.example.com',
      'https://app.example.com/',
      'https://app.example.com/path',
      'app.example.com',
      '*',
      'null',
    ]) {
      expect(webOriginProblem(bad), bad).not.toBeNull()
    }
  })

  it('a public client adds the origins of its https and loopback redirect URIs; a confidential one only what it registered', () => {
    const spa = {
      ...firstPartyPublicClient('spa', 0),
      redirectUris: ['https://app.example.com/callback', 'http://127.0.0.1:8765/cb', 'com.example.app:/cb'],
      webOrigins: ['https://admin.example.com'],
    }
    expect(webOriginsOf(spa).sort()).toEqual([
      'http://127.0.0.1:8765',
      'https://admin.example.com',
      'https://app.example.com',
    ])
    expect(webOriginsOf({ ...spa, type: 'confidential' })).toEqual(['https://admin.example.com'])
  })
})
