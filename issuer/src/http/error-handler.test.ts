import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { StoreConflictError, StoreError } from '../core/store-error.ts'
import { IssuerError } from '../errors.ts'
import { createLogger } from '../runtime/logger.ts'
import { createErrorHandler } from './error-handler.ts'

function appThrowing(err: Error) {
  const lines: string[] = []
  const app = new Hono()
  app.onError(createErrorHandler(createLogger({ level: 'debug', write: (l) => lines.push(l) })))
  app.get('/', () => {
    throw err
  })
  return { app, logged: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

const UNAVAILABLE = {
  code: 'unavailable',
  error: 'The service is temporarily unavailable. Try again shortly.',
}

describe('createErrorHandler', () => {
  it("answers StoreError('unavailable') with a 503 to retry, logging its name and code only", async () => {
    const { app, logged } = appThrowing(
      new StoreError('unavailable', 'connect ECONNREFUSED user:pw@db', {
        cause: Object.assign(new Error('connect ECONNREFUSED user:pw@db'), { code: 'ECONNREFUSED' }),
      }),
    )
    const res = await app.request('/')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    expect(await res.json()).toEqual(UNAVAILABLE)
    expect(logged()).toEqual([
      expect.objectContaining({
        level: 'error',
        event: 'store_unavailable',
        name: 'StoreError',
        code: 'unavailable',
        driverCode: 'ECONNREFUSED',
      }),
    ])
    expect(JSON.stringify(logged())).not.toContain('user:pw')
  })

  it('knows no driver code: a raw driver error (an adapter that forgot to translate) is a 500', async () => {
    const { app, logged } = appThrowing(
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
    )
    const res = await app.request('/')
    expect(res.status).toBe(500)
    expect(logged()[0]).toMatchObject({ event: 'unhandled_error' })
  })

  it('answers other store errors and unknown errors with a 500 that names no detail', async () => {
    for (const err of [new StoreConflictError('username'), new Error('boom')]) {
      const { app, logged } = appThrowing(err)
      const res = await app.request('/')
      expect(res.status).toBe(500)
      expect(await res.json()).toEqual({
        code: 'server_error',
        error: 'The server failed to handle the request.',
      })
      expect(logged()[0]).toMatchObject({ event: 'unhandled_error', name: err.name, path: '/' })
    }
  })

  it('answers an IssuerError with its status, code, message and Retry-After', async () => {
    const { app, logged } = appThrowing(new IssuerError('rate_limited', 'Too many.', { retryAfterSec: 7 }))
    const res = await app.request('/')
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(await res.json()).toEqual({ code: 'rate_limited', error: 'Too many.' })
    expect(logged()).toEqual([])
  })
})
