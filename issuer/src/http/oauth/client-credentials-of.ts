import type { ClientCredentials } from '../../core/clients/client-credentials.ts'
import { OAuthError } from '../../errors.ts'
import type { FormParams } from '../oauth-shared/form-params.ts'

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2})$/i

/**
 * Who the client says it is, from the request (RFC 6749 §2.3.1, RFC 7523 §2.2): HTTP Basic, the
 * secret in the body, a client assertion, or its id alone. Using more than one is refused (§2.3).
 * No client authentication at all means the issuer's default public client, as at /auth/login.
 */
export function clientCredentialsOf(
  authorization: string | undefined,
  form: FormParams,
  defaultClientId: string,
): ClientCredentials {
  const clientId = form.get('client_id')
  const secret = form.get('client_secret')
  const assertionType = form.get('client_assertion_type')
  const assertion = form.get('client_assertion')
  const methods = [
    authorization !== undefined,
    secret !== undefined,
    assertion !== undefined || assertionType !== undefined,
  ]
  if (methods.filter(Boolean).length > 1) {
    throw new OAuthError('invalid_request', 'Use exactly one client authentication method.')
  }
  if (authorization !== undefined) {
    const basic = parseBasic(authorization)
    if (clientId !== undefined && clientId !== basic.clientId) {
      throw new OAuthError(
        'invalid_request',
        'The client_id parameter does not match the Authorization header.',
      )
    }
    return { method: 'client_secret_basic', ...basic }
  }
  if (secret !== undefined) {
    if (clientId === undefined)
      throw new OAuthError('invalid_request', 'The parameter client_id is required.')
    return { method: 'client_secret_post', clientId, secret }
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION) {
      throw new OAuthError('invalid_request', `The client_assertion_type must be ${JWT_BEARER_ASSERTION}.`)
    }
    if (assertion === undefined)
      throw new OAuthError('invalid_request', 'The parameter client_assertion is required.')
    return { method: 'private_key_jwt', clientId: clientId ?? null, assertion }
  }
  return { method: 'none', clientId: clientId ?? defaultClientId }
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const malformed = () =>
    new OAuthError(
      'invalid_request',
      'The Authorization header is not valid HTTP Basic client authentication.',
    )
  const match = BASIC.exec(header)
  if (!match?.[1]) throw malformed()
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) throw malformed()
  // §2.3.1: both halves are form-urlencoded before the base64.
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '))
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '))
    if (secret === '') throw malformed()
    return { clientId, secret }
  } catch {
    throw malformed()
  }
}
