// Small helpers the security suites share: read an error answer strictly, compare two answers
// byte for byte, and scan captured logs for anything secret.
import { expect } from 'vitest'

export { leakedLines } from './leaked-lines.ts'

export interface ErrorBody {
  code: string
  error: string
}

/** The issuer's error contract: a JSON object with exactly `code` and `error`, both strings. */
export async function expectErrorBody(res: Response, status: number, code?: string): Promise<ErrorBody> {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/)
  const body = JSON.parse(text) as unknown
  expect(body).toBeTypeOf('object')
  const obj = body as Record<string, unknown>
  expect(Object.keys(obj).sort()).toEqual(['code', 'error'])
  expect(obj.code).toMatch(/^[a-z][a-z_]*$/)
  expect(obj.error).toBeTypeOf('string')
  if (code !== undefined) expect(obj.code).toBe(code)
  return obj as unknown as ErrorBody
}

export interface OAuthErrorBody {
  error: string
  error_description: string
}

/**
 * RFC 6749 §5.2's error contract: a JSON object with exactly `error` and `error_description`,
 * not cached (§5.1). `error` is checked when given.
 */
export async function expectOAuthErrorBody(
  res: Response,
  status: number,
  error?: string,
): Promise<OAuthErrorBody> {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/)
  expect(res.headers.get('cache-control')).toBe('no-store')
  const obj = JSON.parse(text) as Record<string, unknown>
  expect(Object.keys(obj).sort()).toEqual(['error', 'error_description'])
  expect(obj.error).toMatch(/^[a-z_]+$/)
  expect(obj.error_description).toBeTypeOf('string')
  if (error !== undefined) expect(obj.error, text).toBe(error)
  return obj as unknown as OAuthErrorBody
}

/** Everything an attacker can observe in an answer except its Date header. */
export async function observable(
  res: Response,
): Promise<{ status: number; headers: string[]; body: string }> {
  const headers = [...res.headers.entries()]
    .filter(([name]) => name !== 'date')
    .map(([name, value]) => `${name}: ${value}`)
    .sort()
  return { status: res.status, headers, body: await res.text() }
}

/** The median of a non-empty sample. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const hi = sorted[mid] ?? Number.NaN
  const lo = sorted[mid - 1] ?? hi
  return sorted.length % 2 === 0 ? (lo + hi) / 2 : hi
}
