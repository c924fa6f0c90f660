import type { Context } from 'hono'
import { IssuerError, OAuthError } from '../../errors.ts'
import { readBodyText } from '../read-json-body.ts'
import { type FormParams, parseFormParams } from './form-params.ts'

/**
 * The body of an /oauth request: `application/x-www-form-urlencoded` only (RFC 6749 §3.2, RFC
 * 7009 §2.1, RFC 7662 §2.1), bounded in size on the declared length and while reading.
 */
export async function readFormBody(c: Context, maxBytes: number): Promise<FormParams> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded.')
  }
  const declared = Number(c.req.header('content-length') ?? '0')
  if (declared > maxBytes) throw tooLargeForm(maxBytes)
  let text: string
  try {
    text = await readBodyText(c, maxBytes)
  } catch (err) {
    if (err instanceof IssuerError && err.code === 'payload_too_large') throw tooLargeForm(maxBytes)
    throw err
  }
  return parseFormParams(text)
}

const tooLargeForm = (maxBytes: number) =>
  new OAuthError('invalid_request', `The request body must be at most ${maxBytes} bytes.`, { status: 413 })
