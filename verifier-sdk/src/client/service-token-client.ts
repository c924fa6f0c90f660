import { TokenClientError } from '../errors.ts'
import { createAuthorizationServerLookup } from './authorization-server.ts'
import { type BearerSource, fetchWithBearer } from './bearer-fetch.ts'
import { createClientAssertion, JWT_BEARER_ASSERTION } from './client-assertion.ts'
import { invalidResponse } from './issuer-error.ts'
import { renewalTime } from './renewal-time.ts'
import type { ResolvedServiceOptions } from './resolve-token-client-options.ts'
import { type FormParams, requestToken } from './token-endpoint.ts'

/** A service's client: tokens from the `client_credentials` grant, cached and attached. */
export interface ServiceTokenClient {
  /**
   * fetch() with `Authorization: Bearer <access token>`, getting a token first when none is
   * cached or it expires within the skew. On a 401 `invalid_token` or `token_expired` it gets a
   * new token once and retries (a ReadableStream body is not replayed). Concurrent callers share
   * one token request. A 401 with the RFC 9470 challenge throws InsufficientUserAuthenticationError
   * (a service's token has no user to authenticate again). Attach it only to services that trust this issuer.
   */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>
  /** The cached access token, or a new one when it is due. */
  getAccessToken(): Promise<string>
}

interface CachedToken {
  readonly accessToken: string
  readonly renewAt: number
}

/** 401 body codes that ask a service's client for a new token: getting one costs no rotation. */
const RENEW_ON = ['invalid_token', 'token_expired']

/** HTTP Basic with both halves form-urlencoded first (RFC 6749 section 2.3.1). */
function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`
}

export function createServiceTokenClient(options: ResolvedServiceOptions): ServiceTokenClient {
  const { fetch, clock, skewMs, clientId, credential } = options
  const authorizationServer = createAuthorizationServerLookup(fetch, options.issuer)
  let cached: CachedToken | undefined
  let inflight: Promise<CachedToken> | undefined

  async function tokenEndpoint(): Promise<string> {
    const server = await authorizationServer()
    if (server.kind === 'oauth' && server.endpoints.grantTypes.has('client_credentials')) {
      return server.endpoints.tokenEndpoint
    }
    if (server.kind === 'failed') {
      const { answer } = server
      if (answer.error !== undefined) throw answer.error
      if (answer.status !== undefined && answer.status !== 200) {
        throw new TokenClientError(
          `http_${answer.status}`,
          answer.status,
          `The issuer answered HTTP ${answer.status}.`,
        )
      }
      throw invalidResponse(answer.status ?? 200)
    }
    throw new TokenClientError(
      'no_token_endpoint',
      server.kind === 'none' ? server.status : 200,
      "The issuer's metadata offers no token endpoint with the client_credentials grant.",
    )
  }

  async function requestOnce(): Promise<CachedToken> {
    const url = await tokenEndpoint()
    const startedAt = clock()
    const params: FormParams = {
      grant_type: 'client_credentials',
      scope: options.scope,
      audience: options.audience,
    }
    const tokens =
      credential.method === 'client_secret_basic'
        ? await requestToken(fetch, url, params, {
            authorization: basicAuthorization(clientId, credential.secret),
          })
        : await requestToken(fetch, url, {
            ...params,
            client_id: clientId,
            client_assertion_type: JWT_BEARER_ASSERTION,
            // A fresh assertion per request: each is good once (its jti) and for a minute.
            client_assertion: await createClientAssertion(credential.signer, clientId, url, startedAt),
          })
    cached = { accessToken: tokens.accessToken, renewAt: renewalTime(startedAt, tokens.expiresInSec, skewMs) }
    return cached
  }

  /** Single flight: every caller while a token is requested shares the request. */
  function requestTokenOnce(): Promise<CachedToken> {
    inflight ??= requestOnce().finally(() => {
      inflight = undefined
    })
    return inflight
  }

  async function token(): Promise<string> {
    if (inflight !== undefined) return (await inflight).accessToken
    if (cached !== undefined && clock() < cached.renewAt) return cached.accessToken
    return (await requestTokenOnce()).accessToken
  }

  const source: BearerSource = {
    token,
    async renew(failed) {
      if (inflight !== undefined) return (await inflight).accessToken
      // Someone may have renewed meanwhile: only ask again if the cached token is the one refused.
      if (cached === undefined || cached.accessToken === failed) {
        cached = undefined
        return (await requestTokenOnce()).accessToken
      }
      return cached.accessToken
    },
  }

  return {
    fetch: (input, init) => fetchWithBearer(fetch, source, RENEW_ON, input, init),
    getAccessToken: token,
  }
}
