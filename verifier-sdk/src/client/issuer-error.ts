import { TokenClientError } from '../errors.ts'

/**
 * How the issuer words a refusal: its JSON API answers `{ code, error }` (a code and a sentence),
 * the OAuth endpoints `{ error, error_description }` (RFC 6749 section 5.2).
 */
export type ErrorForm = 'json' | 'oauth'

/** The TokenClientError of an issuer's refusal: its code and message, else `http_<status>`. */
export async function issuerError(response: Response, form: ErrorForm): Promise<TokenClientError> {
  let code = `http_${response.status}`
  let message = `The issuer answered HTTP ${response.status}.`
  try {
    const body = (await response.json()) as Record<string, unknown>
    const [codeField, messageField] = form === 'json' ? ['code', 'error'] : ['error', 'error_description']
    if (typeof body[codeField] === 'string') code = body[codeField]
    if (typeof body[messageField] === 'string') message = body[messageField]
  } catch {
    // not JSON: keep the generic code
  }
  return new TokenClientError(code, response.status, message)
}

/** A success answer without what it should hold. */
export function invalidResponse(status: number): TokenClientError {
  return new TokenClientError('invalid_response', status, 'The issuer answered an unexpected body.')
}
