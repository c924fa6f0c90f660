import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type * as client from './client/index.ts'
import type * as express from './express/index.ts'
import type * as hono from './hono/index.ts'
import type * as root from './index.ts'

// The documented type names, checked by the compiler: a name that leaves an entry point breaks tsc.
export type DocumentedTypes = [
  root.AccessTokenClaims,
  root.UserAccessTokenClaims,
  root.ServiceAccessTokenClaims,
  root.Verifier,
  root.VerifierOptions,
  root.JwksDocument,
  root.VerifyErrorCode,
  root.JwsAlgorithm,
  hono.AccessTokenClaims,
  hono.UserAccessTokenClaims,
  hono.ServiceAccessTokenClaims,
  hono.AuthEnv,
  hono.AuthMiddlewareOptions,
  hono.RequireAuthTimeOptions,
  express.AccessTokenClaims,
  express.UserAccessTokenClaims,
  express.ServiceAccessTokenClaims,
  express.AuthMiddlewareOptions,
  express.RequireAuthTimeOptions,
  client.TokenClient,
  client.TokenClientOptions,
  client.AccountSession,
  client.ServiceTokenClient,
  client.ServiceTokenClientOptions,
  client.ClientSecretOptions,
  client.PrivateKeyJwtOptions,
  client.ClientAssertionAlgorithm,
]

describe('the package entry points', () => {
  it('give one base class to catch any error of the SDK with', async () => {
    const { TokensmithSdkError, VerifyError, TokenClientError, InsufficientUserAuthenticationError } =
      await import('./index.ts')
    const client = await import('./client/index.ts')
    expect(client.TokenClientError).toBe(TokenClientError)
    expect(client.InsufficientUserAuthenticationError).toBe(InsufficientUserAuthenticationError)
    expect(new InsufficientUserAuthenticationError([], undefined)).toBeInstanceOf(TokensmithSdkError)
    expect(new VerifyError('invalid_token', { reason: 'malformed', detail: '' })).toBeInstanceOf(
      TokensmithSdkError,
    )
    expect(new TokenClientError('not_logged_in', 401, 'no')).toBeInstanceOf(TokensmithSdkError)
  })

  it('map ".", "./hono", "./express" and "./client" to their index files', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    expect(pkg.exports).toEqual({
      '.': './src/index.ts',
      './hono': './src/hono/index.ts',
      './express': './src/express/index.ts',
      './client': './src/client/index.ts',
    })
  })

  it('export these values and no internals', async () => {
    const names = async (entry: Promise<object>) => Object.keys(await entry).sort()
    expect(await names(import('./index.ts'))).toEqual([
      'InsufficientUserAuthenticationError',
      'JWS_ALGORITHMS',
      'TOKENSMITH_ACR',
      'TokenClientError',
      'TokensmithSdkError',
      'VerifyError',
      'createVerifier',
      'isServiceToken',
      'isUserToken',
      'isVerifyError',
    ])
    expect(await names(import('./hono/index.ts'))).toEqual([
      'TOKENSMITH_ACR',
      'honoAuth',
      'isServiceToken',
      'isUserToken',
      'requireAcr',
      'requireAuthTime',
      'requireRole',
      'requireScope',
    ])
    expect(await names(import('./express/index.ts'))).toEqual([
      'TOKENSMITH_ACR',
      'expressAuth',
      'isServiceToken',
      'isUserToken',
      'requireAcr',
      'requireAuthTime',
      'requireRole',
      'requireScope',
    ])
    expect(await names(import('./client/index.ts'))).toEqual([
      'InsufficientUserAuthenticationError',
      'TokenClientError',
      'createTokenClient',
      'insufficientUserAuthenticationOf',
    ])
  })
})
