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

/** The same, on Node's request with plain events: its async iterator costs more than the read. */
function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const settle = () => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size <= maxBytes) return void chunks.push(chunk)
      settle()
      // Stop reading what may be an endless body. Node then answers the 413 and closes the
      // connection, since the body was not read to its end.
      incoming.pause()
      reject(tooLarge(maxBytes))
    }
    const onEnd = () => {
      settle()
      resolve(Buffer.concat(chunks, size).toString('utf8'))
    }
    const onError = (err: Error) => {
      settle()
      reject(err)
    }
    const onClose = () => {
      settle()
      reject(new Error('the request body ended before it was complete'))
    }
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose)
  })
}

/** Under @hono/node-server the Node request is read directly: building a web Request and its
 *  stream just to read a small JSON body costs more than the rest of a refresh. */
export function readBodyText(c: Context, maxBytes: number): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (incoming && typeof incoming.on === 'function') return readIncoming(incoming, maxBytes)
  return readLimited(c.req.raw.body as AsyncIterable<Uint8Array> | null, maxBytes)
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
  const text = await readBodyText(c, maxBytes)
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
