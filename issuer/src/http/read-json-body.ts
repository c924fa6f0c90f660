import type { Context } from 'hono'
import { IssuerError } from '../errors.ts'

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new IssuerError('payload_too_large', `The request body must be at most ${maxBytes} bytes.`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
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
  if (declared > maxBytes) {
    throw new IssuerError('payload_too_large', `The request body must be at most ${maxBytes} bytes.`)
  }
  const text = await readLimited(c.req.raw.body, maxBytes)
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
