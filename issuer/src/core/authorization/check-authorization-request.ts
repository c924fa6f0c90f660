// The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect Core §3.1.2.1),
// checked in the order that decides where an error may go: until the client and its
// redirect_uri are known good, an error is shown at the issuer and never redirected (RFC 6749
// §4.1.2.1, RFC 9700 §4.11: no open redirector); after that, it goes back to the client.
import type { OAuthErrorCode } from '../../errors.ts'
import { parseClaimsParameter } from '../claims/parse-claims-parameter.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import { grantScope, OPENID_STANDARD_SCOPES } from '../clients/grant-scope.ts'
import { matchesRedirectUri } from '../clients/redirect-uri.ts'
import { type AcrRequest, acrRequestOf } from './acr-request.ts'
import type { RequestedClaims } from './authorization-code-collection.ts'
import { isS256Challenge } from './pkce.ts'

/** Each parameter's values as received; null for a value whose encoding was malformed. */
export type AuthorizationParams = ReadonlyMap<string, readonly (string | null)[]>

/** OpenID Connect Core §3.1.2.1 `prompt` values this issuer honours. */
export type Prompt = 'none' | 'login' | 'consent'

export interface AuthorizationRequest {
  client: ClientRecord
  redirectUri: string
  state: string | null
  nonce: string | null
  scope: string[]
  /** Asked for with the `claims` parameter (OpenID Connect Core §5.5), within the client's scopes. */
  claims: RequestedClaims | null
  /** Null only where the client's PKCE policy lets an OpenID Connect request go without. */
  codeChallenge: string | null
  prompt: ReadonlySet<Prompt>
  /** Seconds (OpenID Connect Core §3.1.2.1 `max_age`); null when not asked. */
  maxAgeSec: number | null
  loginHint: string | null
  /** The login strength asked for (`acr_values`, a `claims` request for `acr`); null: none. */
  acr: AcrRequest | null
}

export type RequestCheck =
  /** Shown at the issuer: the client or redirect URI cannot be trusted with a redirect. */
  | { kind: 'refused'; reason: string }
  /**
   * Sent back to the client's redirect URI (RFC 6749 §4.1.2.1). `unlessSignedOut`: what to answer
   * instead when the browser has no login session (`prompt=none` answers `login_required` then,
   * whatever else the request lacks, OpenID Connect Core §3.1.2.6).
   */
  | {
      kind: 'error'
      redirectUri: string
      state: string | null
      error: OAuthErrorCode
      description: string
      unlessSignedOut?: { error: 'login_required'; description: string }
    }
  | { kind: 'valid'; request: AuthorizationRequest }

/** The parameters an authorization request carries, and so what the hosted pages carry forward. */
export const AUTHORIZATION_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'max_age',
  'login_hint',
  'claims',
  'acr_values',
] as const

/** Longest accepted value of a parameter; anything longer is invalid_request. */
const MAX_CHARS: Record<string, number> = {
  client_id: 128,
  redirect_uri: 2000,
  scope: 1024,
  state: 1024,
  nonce: 1024,
  login_hint: 256,
  claims: 4096,
  acr_values: 1024,
}
const DEFAULT_MAX_CHARS = 128
const MAX_AGE = /^\d{1,9}$/
const PROMPTS: readonly string[] = ['none', 'login', 'consent']

type One = { ok: true; value: string | null } | { ok: false; problem: string }

/** RFC 6749 §3.1: a parameter may appear once; empty counts as absent. */
function one(params: AuthorizationParams, name: string): One {
  const values = params.get(name) ?? []
  if (values.length > 1) return { ok: false, problem: `The parameter ${name} must not be repeated.` }
  const value = values[0]
  if (value === null) return { ok: false, problem: `The encoding of ${name} is malformed.` }
  if (value === undefined || value === '') return { ok: true, value: null }
  if (value.length > (MAX_CHARS[name] ?? DEFAULT_MAX_CHARS)) {
    return { ok: false, problem: `The parameter ${name} is too long.` }
  }
  return { ok: true, value }
}

export async function checkAuthorizationRequest(
  params: AuthorizationParams,
  getClient: (id: string) => Promise<ClientRecord | null>,
): Promise<RequestCheck> {
  const refused = (reason: string): RequestCheck => ({ kind: 'refused', reason })
  const clientId = one(params, 'client_id')
  if (!clientId.ok) return refused(clientId.problem)
  if (clientId.value === null) return refused('The request names no client (client_id is missing).')
  const client = await getClient(clientId.value)
  if (client === null || client.disabled)
    return refused('The application that sent you here is not registered.')
  const redirect = one(params, 'redirect_uri')
  if (!redirect.ok) return refused(redirect.problem)
  // Required even with one registered URI: OpenID Connect Core §3.1.2.1 asks for it always.
  if (redirect.value === null) return refused('The request has no redirect_uri.')
  if (!matchesRedirectUri(client.redirectUris, redirect.value)) {
    return refused('The redirect_uri is not registered for this application.')
  }
  const redirectUri = redirect.value

  const stateParam = one(params, 'state')
  const state = stateParam.ok ? stateParam.value : null
  const error = (code: OAuthErrorCode, description: string): Extract<RequestCheck, { kind: 'error' }> => ({
    kind: 'error',
    redirectUri,
    state,
    error: code,
    description,
  })
  if (!stateParam.ok) return error('invalid_request', stateParam.problem)

  const values = new Map<string, string | null>()
  for (const name of AUTHORIZATION_PARAMS) {
    const v = one(params, name)
    if (!v.ok) return error('invalid_request', v.problem)
    values.set(name, v.value)
  }
  // Request objects (OpenID Connect Core §6) are not supported: say so rather than ignore them.
  for (const [name, code] of [
    ['request', 'request_not_supported'],
    ['request_uri', 'request_uri_not_supported'],
  ] as const) {
    if ((params.get(name) ?? []).length > 0) return error(code, `The parameter ${name} is not supported.`)
  }
  const get = (name: (typeof AUTHORIZATION_PARAMS)[number]) => values.get(name) ?? null

  const responseType = get('response_type')
  if (responseType === null) return error('invalid_request', 'The parameter response_type is required.')
  if (responseType !== 'code') {
    return error('unsupported_response_type', 'Only response_type=code is supported.')
  }
  const responseMode = get('response_mode')
  if (responseMode !== null && responseMode !== 'query') {
    return error('invalid_request', 'Only response_mode=query is supported.')
  }
  if (!client.grants.includes('authorization_code')) {
    return error('unauthorized_client', 'This client may not use the authorization_code grant.')
  }
  const scope = grantScope(get('scope') ?? undefined, withOpenId(client), {
    dropUnregistered: OPENID_STANDARD_SCOPES,
  })
  if (!scope.ok) return error('invalid_scope', scope.reason)
  const claims = parseClaimsParameter(get('claims'), client.scopes)
  if (!claims.ok) return error('invalid_request', claims.reason)
  const acr = acrRequestOf(get('acr_values'), get('claims'))
  if (!acr.ok) return error('invalid_request', acr.reason)

  const prompt = new Set<Prompt>()
  for (const p of (get('prompt') ?? '').split(' ').filter(Boolean)) {
    if (!PROMPTS.includes(p)) return error('invalid_request', 'A prompt value is not supported.')
    prompt.add(p as Prompt)
  }
  if (prompt.has('none') && prompt.size > 1) {
    return error('invalid_request', 'The prompt none must be used alone (OpenID Connect Core 3.1.2.1).')
  }
  const maxAge = get('max_age')
  if (maxAge !== null && !MAX_AGE.test(maxAge)) {
    return error('invalid_request', 'The max_age must be a whole number of seconds.')
  }

  const challenge = get('code_challenge')
  const method = get('code_challenge_method')
  if (challenge === null) {
    if (method !== null) return error('invalid_request', 'A code_challenge_method needs a code_challenge.')
    if (pkceRequired(client, scope.scope)) {
      const description = 'PKCE is required: send code_challenge with code_challenge_method S256.'
      return {
        ...error('invalid_request', description),
        ...(prompt.has('none')
          ? { unlessSignedOut: { error: 'login_required', description: 'The user is not signed in.' } }
          : {}),
      }
    }
  } else {
    // RFC 7636 §4.3: no method means plain, which a stolen request would defeat (RFC 9700 §2.1.1).
    if (method !== 'S256') return error('invalid_request', 'The code_challenge_method must be S256.')
    if (!isS256Challenge(challenge)) {
      return error('invalid_request', 'The code_challenge must be 43 base64url characters (S256).')
    }
  }

  return {
    kind: 'valid',
    request: {
      client,
      redirectUri,
      state,
      nonce: get('nonce'),
      scope: scope.scope,
      claims: claims.claims,
      codeChallenge: challenge,
      prompt,
      maxAgeSec: maxAge === null ? null : Number(maxAge),
      loginHint: get('login_hint'),
      acr: acr.acr,
    },
  }
}

/**
 * RFC 9700 §2.1.1: PKCE always for a public client, which cannot authenticate at the token
 * endpoint; for a confidential one unless its policy lets an OpenID Connect request rely on client
 * authentication and `nonce` (OpenID Connect Core §3.1.2.1 defines no PKCE; OAuth 2.1 §7.5.1).
 */
function pkceRequired(client: ClientRecord, scope: readonly string[]): boolean {
  if (client.type === 'public' || client.pkce === 'required') return true
  return !scope.includes(OPENID_SCOPE)
}

/** `openid` marks an OpenID Connect request; any client with this grant may ask for it. */
export const OPENID_SCOPE = 'openid'

function withOpenId(client: ClientRecord): ClientRecord {
  return client.scopes.includes(OPENID_SCOPE)
    ? client
    : { ...client, scopes: [...client.scopes, OPENID_SCOPE] }
}
