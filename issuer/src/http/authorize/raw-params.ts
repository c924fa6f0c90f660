import type { Context } from 'hono'
import type { AuthorizationParams } from '../../core/authorization/check-authorization-request.ts'
import { IssuerError } from '../../errors.ts'
import { readBodyText } from '../read-json-body.ts'

/** Parameters whose names or values go past this many are refused as a whole (not one by one). */
const MAX_PARAMS = 64

/**
 * `a=1&b=2` as every value of every name, repeats kept (the caller refuses them, RFC 6749 §3.1),
 * a value with a malformed escape kept as null so the check can name it.
 */
export function parseRawParams(text: string): Map<string, (string | null)[]> {
  const params = new Map<string, (string | null)[]>()
  let count = 0
  for (const pair of text.split('&')) {
    if (pair === '') continue
    if (++count > MAX_PARAMS) throw new IssuerError('invalid_request', 'The request has too many parameters.')
    const eq = pair.indexOf('=')
    const name = decode(eq < 0 ? pair : pair.slice(0, eq))
    if (name === null) continue
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1))
    const values = params.get(name)
    if (values === undefined) params.set(name, [value])
    else values.push(value)
  }
  return params
}

function decode(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return null
  }
}

/** The query of a GET. */
export function queryParamsOf(c: Context): Map<string, (string | null)[]> {
  const url = c.req.url
  const q = url.indexOf('?')
  return parseRawParams(q < 0 ? '' : url.slice(q + 1))
}

/** A form post's fields (`application/x-www-form-urlencoded` only), bounded in size. */
export async function formParamsOf(c: Context, maxBytes: number): Promise<Map<string, (string | null)[]>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') {
    throw new IssuerError(
      'unsupported_media_type',
      'The form must be sent as application/x-www-form-urlencoded.',
    )
  }
  if (Number(c.req.header('content-length') ?? '0') > maxBytes) {
    throw new IssuerError('payload_too_large', `The form must be at most ${maxBytes} bytes.`)
  }
  return parseRawParams(await readBodyText(c, maxBytes))
}

/** The single value of a form field, or undefined when absent, repeated or malformed. */
export function single(params: AuthorizationParams, name: string): string | undefined {
  const values = params.get(name) ?? []
  return values.length === 1 && values[0] !== null ? values[0] : undefined
}
