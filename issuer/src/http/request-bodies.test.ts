// Hostile request bodies at every endpoint that reads one: too large (declared or streamed
// without a length), malformed, absurdly deep, prototype-polluting, or of the wrong type.
// Each answer is a `{ code, error }` with a 4xx status, and the issuer keeps working after.
import { type ClientRequest, request as httpRequest } from 'node:http'
import { type ServerType, serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectErrorBody, leakedLines } from '../testing/http-probe.ts'
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'

const PASSWORD = 'correct horse battery staple'
const ENDPOINTS = ['/auth/login', '/auth/refresh', '/auth/logout'] as const
let t: TestIssuer

beforeAll(async () => {
  // Limits high enough that hostile bodies which reach login never lock the account the
  // follow-up checks log in with: each failure here is then about bodies alone.
  t = await createTestIssuer({
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
  })
  await t.addUser('alice', PASSWORD)
})
afterAll(async () => {
  expect(leakedLines(t.logs, [PASSWORD])).toEqual([])
  await t.cleanup()
})

function post(
  path: string,
  body: NonNullable<RequestInit['body']>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return t.request(path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** A body that streams without Content-Length and never ends unless the reader stops. */
function endlessBody(chunkBytes: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0
  const chunk = new TextEncoder().encode(`{"pad":"${'x'.repeat(chunkBytes)}`)
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk.byteLength
      controller.enqueue(chunk)
    },
  })
  return { stream, pulled: () => pulled }
}

async function expectStillWorks(): Promise<void> {
  const res = await t.request('/auth/login', {
    method: 'POST',
    json: { username: 'alice', password: PASSWORD },
  })
  expect(res.status).toBe(200)
}

describe('oversized bodies', () => {
  it.each(ENDPOINTS)('%s refuses a body over MAX_BODY_BYTES by its declared length', async (path) => {
    const big = JSON.stringify({ username: 'alice', password: 'x', pad: 'y'.repeat(9000) })
    await expectErrorBody(await post(path, big), 413, 'payload_too_large')
  })

  it.each(ENDPOINTS)('%s refuses a length that lies (declared huge, sent small)', async (path) => {
    await expectErrorBody(
      await post(path, '{}', { 'content-length': '1000000000' }),
      413,
      'payload_too_large',
    )
  })

  it.each(ENDPOINTS)('%s stops reading an endless chunked body without Content-Length', async (path) => {
    const { stream, pulled } = endlessBody(1000)
    const res = await t.request(path, {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit)
    await expectErrorBody(res, 413, 'payload_too_large')
    // It stopped near the limit instead of buffering whatever the client sends (the stream
    // may read ahead a few chunks).
    expect(pulled()).toBeLessThan(8192 + 10 * 1010)
  })
})

describe('bodies over a real socket (the Node request path of @hono/node-server)', () => {
  let server: ServerType
  let port: number
  beforeAll(async () => {
    port = await new Promise<number>((resolve) => {
      server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(info.port))
    })
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  type Outcome = { status: number; body: string } | { error: string }
  /** POSTs without Content-Length (chunked), writing each piece as its own chunk. */
  function postChunked(path: string, write: (req: ClientRequest) => void): Promise<Outcome> {
    return new Promise((resolve) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (d: string) => {
            body += d
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        },
      )
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }))
      write(req)
    })
  }

  it('reads a JSON body that arrives in many small chunks', async () => {
    const body = JSON.stringify({ username: 'alice', password: PASSWORD })
    const outcome = await postChunked('/auth/login', (req) => {
      const pieces = body.match(/.{1,7}/gs) ?? []
      const next = () => {
        const piece = pieces.shift()
        if (piece === undefined) return void req.end()
        req.write(piece, () => setTimeout(next, 1))
      }
      next()
    })
    expect(outcome).toMatchObject({ status: 200 })
    expect(JSON.parse((outcome as { body: string }).body)).toMatchObject({ tokenType: 'Bearer' })
  })

  it('stops reading an endless body, answers 413, and keeps working', async () => {
    let sent = 0
    const outcome = await postChunked('/auth/refresh', (req) => {
      const piece = `{"pad":"${'x'.repeat(1000)}`
      const next = () => {
        if (req.destroyed) return
        sent += piece.length
        req.write(piece, (err) => (err ? undefined : setImmediate(next)))
      }
      next()
    })
    expect(outcome).toMatchObject({ status: 413 })
    expect(JSON.parse((outcome as { body: string }).body)).toMatchObject({ code: 'payload_too_large' })
    // What the kernel's socket buffers absorb after the issuer stopped reading, not unbounded.
    expect(sent).toBeLessThan(8 * 1024 * 1024)
    await expectStillWorks()
  })

  it('survives a client that goes away in the middle of its body', async () => {
    const outcome = await postChunked('/auth/login', (req) => {
      req.write('{"username":"alice","pass', () => setTimeout(() => req.destroy(), 20))
    })
    expect(outcome).toMatchObject({ error: expect.any(String) })
    await expectStillWorks()
  })
})

describe('malformed and hostile JSON', () => {
  const malformed = [
    '',
    ' ',
    '{',
    '{"username":',
    "{'username':'alice'}",
    '{"username":"alice",}',
    '{"username":"alice" "password":"x"}',
    'undefined',
    'NaN',
    '\uFEFF{"username":"alice","password":"x"}',
    '{"username":"alice","password":"x"}garbage',
    '{"a":"\\uD800"',
    '\u0000',
    '"just a string"',
    '42',
    'true',
    'null',
    '[]',
    '[{"username":"alice","password":"x"}]',
  ]
  it.each(ENDPOINTS)('%s answers 400 invalid_request to malformed or non-object JSON', async (path) => {
    for (const body of malformed) await expectErrorBody(await post(path, body), 400, 'invalid_request')
  })

  it.each(ENDPOINTS)('%s answers invalid bytes (not UTF-8) with a 4xx', async (path) => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])
    const res = await post(path, bytes)
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    await expectErrorBody(res, res.status)
  })

  it('survives 100k levels of nesting, within and beyond the size limit', async () => {
    const roomy = await createTestIssuer({ MAX_BODY_BYTES: '1048576' })
    try {
      const bodies = [
        '['.repeat(100_000),
        `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
        `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
        `{"username":"alice","password":"x","deep":${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
      ]
      for (const body of bodies) {
        for (const path of ENDPOINTS) {
          const res = await roomy.request(path, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json' },
          })
          const { code } = await expectErrorBody(res, res.status)
          expect(res.status, code).toBeLessThan(500)
          expect(res.status).toBeGreaterThanOrEqual(400)
        }
        // The default limit answers before any parsing.
        await expectErrorBody(await post('/auth/login', body), 413, 'payload_too_large')
      }
    } finally {
      await roomy.cleanup()
    }
  })
})

describe('prototype pollution', () => {
  const polluting = [
    '{"__proto__":{"polluted":"yes"},"username":"alice","password":"x"}',
    '{"constructor":{"prototype":{"polluted":"yes"}},"username":"alice","password":"x"}',
    '{"prototype":{"polluted":"yes"},"username":"alice","password":"x"}',
    '{"username":"alice","password":"x","nested":{"__proto__":{"polluted":"yes"}}}',
    '{"username":"alice","password":"x","list":[{"constructor":{"prototype":{"polluted":"yes"}}}]}',
    '{"username":"alice","password":"x","a":{"b":{"c":{"prototype":{"polluted":"yes"}}}}}',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":"yes"},"username":"alice","password":"x"}',
    '{"refreshToken":"rt_x","__proto__":{"refreshToken":"rt_y","polluted":"yes"}}',
  ]

  it.each(ENDPOINTS)('%s refuses __proto__, constructor and prototype keys at any depth', async (path) => {
    for (const body of polluting) await expectErrorBody(await post(path, body), 400, 'invalid_request')
  })

  it('leaves Object.prototype untouched and the issuer working', async () => {
    for (const path of ENDPOINTS) for (const body of polluting) await post(path, body)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted')
    await expectStillWorks()
  })

  it('does not read fields through the prototype chain', async () => {
    // `toString`, `valueOf` and friends exist on every object: they must not count as fields.
    const res = await post('/auth/login', '{"password":"x"}')
    await expectErrorBody(res, 400, 'invalid_request')
    const refresh = await post('/auth/refresh', '{"hasOwnProperty":"rt_x"}')
    await expectErrorBody(refresh, 400, 'invalid_request')
  })
})

describe('wrong content types', () => {
  const body = JSON.stringify({ username: 'alice', password: PASSWORD })
  const refused = [
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    'application/json-patch+json',
    'application/xml',
    'json',
    '*/*',
  ]

  it.each(ENDPOINTS)('%s answers 415 to anything but application/json', async (path) => {
    for (const type of refused) {
      await expectErrorBody(await post(path, body, { 'content-type': type }), 415, 'unsupported_media_type')
    }
  })

  it('answers 415 to a body with no content type at login (a form post cannot log in)', async () => {
    const res = await t.request('/auth/login', { method: 'POST', body: new Blob([body]) })
    await expectErrorBody(res, 415, 'unsupported_media_type')
  })

  it('accepts application/json with parameters and in any case', async () => {
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', ' application/json ']) {
      expect((await post('/auth/login', body, { 'content-type': type })).status).toBe(200)
    }
  })

  it('answers unknown methods and paths with a JSON 404', async () => {
    for (const [method, path] of [
      ['GET', '/auth/login'],
      ['PUT', '/auth/refresh'],
      ['DELETE', '/auth/logout'],
      ['POST', '/auth/../../etc/passwd'],
      ['POST', '/%2e%2e/auth/login'],
    ] as const) {
      const res = await t.request(path, { method })
      const { code } = await expectErrorBody(res, res.status)
      expect(res.status, `${method} ${path} ${code}`).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
    }
    await expectStillWorks()
  })
})
