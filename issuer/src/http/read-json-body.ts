import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import { IssuerError } from '../errors.ts'

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

const tooLarge = (maxBytes: number) =>
  new IssuerError('payload_too_large', `The request body must be at most ${maxBytes} bytes.`)

async function readLimited(body: AsyncIterable<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  // Leaving the loop early (throw) cancels the stream, so an endless body stops being read.
  for await (const chunk of body) {
    size += chunk.byteLength
    if (size > maxBytes) throw tooLarge(maxBytes)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Under @hono/node-server the Node request is read directly: building a web Request and its
 *  stream just to read a small JSON body costs more than the rest of a refresh. */
function bodySource(c: Context): AsyncIterable<Uint8Array> | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (incoming && typeof incoming[Symbol.asyncIterator] === 'function') return incoming
  return c.req.raw.body as AsyncIterable<Uint8Array> | null
}

/**
 * Reads a JSON object body: `application/json` only, bounded in size (checked on the declared
 * length and while streaming), a plain object whose keys cannot touch prototypes.
 */
export async function readJsonBody(c: Context, maxBytes: number): Promise<Record<string, unknown>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new IssuerError('unsupported_media_type', 'The request body must be application/json.')
  }
  const declared = Number(c.req.header('content-length') ?? '0')
  if (declared > maxBytes) throw tooLarge(maxBytes)
  const text = await readLimited(bodySource(c), maxBytes)
  let parsed: unknown
  try {
    parsed = JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError('forbidden key')
      return value
    })
  } catch {
    throw new IssuerError('invalid_request', 'The request body is not valid JSON.')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new IssuerError('invalid_request', 'The request body must be a JSON object.')
  }
  return parsed as Record<string, unknown>
}

/** A required string field, 1..maxLength characters. */
export function stringField(body: Record<string, unknown>, name: string, maxLength: number): string {
  const value = body[name]
  if (value === undefined || value === null) {
    throw new IssuerError('invalid_request', `The field "${name}" is required.`)
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new IssuerError('invalid_request', `The field "${name}" must be a non-empty string.`)
  }
  if (value.length > maxLength) {
    throw new IssuerError('invalid_request', `The field "${name}" must be at most ${maxLength} characters.`)
  }
  return value
}

export function optionalStringField(
  body: Record<string, unknown>,
  name: string,
  maxLength: number,
): string | undefined {
  return body[name] === undefined ? undefined : stringField(body, name, maxLength)
}
