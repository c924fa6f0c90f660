// `pnpm demo`: a scripted tour of tokensmith against a freshly started issuer (a real child
// process on a temporary SQLite file and keys directory) and a tiny Hono service that checks
// tokens with the verifier SDK. Each step prints ✓ or ✗; the exit code is 0 only when every
// step behaved. Children are stopped and the temporary directory removed however it ends.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { serve } from '@hono/node-server'
import {
  type IssuerProcess,
  type JsonResponse,
  requestJson,
  startIssuerProcess,
} from '@tokensmith/issuer/testing'
import { createVerifier } from '@tokensmith/verifier-sdk'
import { type AuthEnv, honoAuth } from '@tokensmith/verifier-sdk/hono'
import { Hono } from 'hono'
import { addUser, generateKeys } from './shared/run-script.ts'

/** Short enough that the demo waits it out; long enough that the in-window retry lands inside it. */
const GRACE_SEC = 2
const AUDIENCE = 'demo-api'
const USERNAME = 'demo'

type Server = ReturnType<typeof serve>

interface Tour {
  issuer: string
  service: string
  password: string
}

/** The issuer's JSON log lines, to show the security event a reuse raises. */
const issuerLog: string[] = []

function findLogEvent(event: string): Record<string, unknown> | undefined {
  for (const line of issuerLog) {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>
      if (parsed.event === event) return parsed
    } catch {
      // not a JSON line
    }
  }
  return undefined
}

/** Thrown by a step whose outcome was not the expected one; the message says what was seen. */
class StepFailed extends Error {}

/** A failure already printed as a ✗ line. */
class Reported extends Error {}

let stepNo = 0
async function step(title: string, run: () => Promise<string>): Promise<void> {
  stepNo += 1
  try {
    const detail = await run()
    process.stdout.write(`✓ ${stepNo}. ${title}${detail ? ` — ${detail}` : ''}\n`)
  } catch (err) {
    const why = err instanceof StepFailed ? err.message : ((err as Error).stack ?? String(err))
    process.stdout.write(`✗ ${stepNo}. ${title} — ${why}\n`)
    throw new Reported(title)
  }
}

function expectStatus(res: JsonResponse, status: number, code?: string): void {
  const gotCode = typeof res.body.code === 'string' ? res.body.code : undefined
  if (res.status !== status || (code !== undefined && gotCode !== code)) {
    const want = code === undefined ? `${status}` : `${status} ${code}`
    throw new StepFailed(`expected ${want}, got ${res.status}${gotCode ? ` ${gotCode}` : ''}`)
  }
}

function stringField(res: JsonResponse, name: string): string {
  const v = res.body[name]
  if (typeof v !== 'string' || v === '') throw new StepFailed(`response has no ${name}`)
  return v
}

/** Enough of a token to tell tokens apart on screen, never the whole secret. */
function short(token: string): string {
  // A JWT's start is the same header every time; its signature's end differs.
  return token.startsWith('rt_') ? `${token.slice(0, 10)}…` : `…${token.slice(-8)}`
}

function decodeJwtPart(token: string, index: 0 | 1): Record<string, unknown> {
  const part = token.split('.')[index]
  if (part === undefined) throw new StepFailed('access token is not a compact JWS')
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
}

/** The protected service: one route behind the SDK's middleware, verifying from the JWKS alone. */
async function startService(issuerUrl: string): Promise<{ url: string; server: Server }> {
  const verifier = createVerifier({ issuer: issuerUrl, audience: AUDIENCE })
  const app = new Hono<AuthEnv>()
  app.use('/api/*', honoAuth(verifier))
  app.get('/api/orders', (c) => c.json({ user: c.var.auth.sub, roles: c.var.auth.roles, orders: [] }))
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, server }),
    )
  })
}

async function tour({ issuer, service, password }: Tour): Promise<void> {
  let access = ''
  let refresh = ''
  let oldRefresh = ''

  const login = async (): Promise<string> => {
    const res = await requestJson(`${issuer}/auth/login`, { body: { username: USERNAME, password } })
    expectStatus(res, 200)
    access = stringField(res, 'accessToken')
    refresh = stringField(res, 'refreshToken')
    return `access token ${short(access)}, refresh token ${short(refresh)}`
  }
  const callService = async (token: string): Promise<JsonResponse> =>
    requestJson(`${service}/api/orders`, { bearer: token })
  const refreshWith = (token: string) =>
    requestJson(`${issuer}/auth/refresh`, { body: { refreshToken: token } })

  await step(`log in as "${USERNAME}" (POST /auth/login)`, async () => {
    const detail = await login()
    const header = decodeJwtPart(access, 0)
    const claims = decodeJwtPart(access, 1)
    if (header.typ !== 'at+jwt' || header.alg !== 'RS256') {
      throw new StepFailed(`unexpected header ${JSON.stringify(header)}`)
    }
    return `${detail}; ${header.alg} ${header.typ}, roles ${JSON.stringify(claims.roles)}, sid ${String(claims.sid).slice(0, 8)}…`
  })

  await step('call the protected service with the access token', async () => {
    const res = await callService(access)
    expectStatus(res, 200)
    return `200, the service sees user ${String(res.body.user).slice(0, 8)}… with roles ${JSON.stringify(res.body.roles)} (verified from the cached JWKS)`
  })

  await step('call the protected service without a token', async () => {
    const res = await requestJson(`${service}/api/orders`)
    expectStatus(res, 401, 'missing_token')
    return `401 missing_token, WWW-Authenticate: ${res.headers.get('www-authenticate') ?? '(none)'}`
  })

  await step('refresh (POST /auth/refresh): the refresh token rotates', async () => {
    oldRefresh = refresh
    const res = await refreshWith(oldRefresh)
    expectStatus(res, 200)
    access = stringField(res, 'accessToken')
    refresh = stringField(res, 'refreshToken')
    if (refresh === oldRefresh) throw new StepFailed('the refresh token did not change')
    return `new refresh token ${short(refresh)} replaces ${short(oldRefresh)}`
  })

  await step('call the service with the new access token', async () => {
    expectStatus(await callService(access), 200)
    return '200'
  })

  await step(`retry the old refresh token within the ${GRACE_SEC} s grace window`, async () => {
    const res = await refreshWith(oldRefresh)
    expectStatus(res, 200)
    if (stringField(res, 'refreshToken') !== refresh) {
      throw new StepFailed('the retry returned a different successor (two live branches)')
    }
    return 'same successor again: a lost response or a second tab is not an attack'
  })

  await sleep(GRACE_SEC * 1000 + 300)

  await step('replay the old refresh token after the grace window', async () => {
    const res = await refreshWith(oldRefresh)
    expectStatus(res, 401, 'reuse_detected')
    return '401 reuse_detected: the whole session (family) is revoked'
  })

  await step('the issuer logged it as a security event', async () => {
    // The log line is written before the response, but reaches this process through a pipe.
    for (let i = 0; i < 20 && findLogEvent('refresh_reuse_detected') === undefined; i++) await sleep(50)
    const event = findLogEvent('refresh_reuse_detected')
    if (event?.security !== true) throw new StepFailed('no refresh_reuse_detected security log line')
    return `{"level":"${String(event.level)}","event":"refresh_reuse_detected","security":true,...} (ids only, no token)`
  })

  await step('the newest refresh token of that family is dead too', async () => {
    expectStatus(await refreshWith(refresh), 401, 'invalid_token')
    return '401 invalid_token'
  })

  await step('the access token issued before the revocation is refused by the service too', async () => {
    // The service follows the issuer's revocation feed (pushed, no call per request).
    const started = Date.now()
    let res = await callService(access)
    while (res.status === 200 && Date.now() - started < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      res = await callService(access)
    }
    expectStatus(res, 401, 'token_revoked')
    const left = Math.round(Number(decodeJwtPart(access, 1).exp) - Date.now() / 1000)
    return `401 token_revoked within ${Date.now() - started} ms, ${left} s before it would expire (the revocation feed)`
  })

  await step('log in again: a new session', async () => login())

  await step('log out (POST /auth/logout)', async () => {
    const res = await requestJson(`${issuer}/auth/logout`, { body: { refreshToken: refresh } })
    expectStatus(res, 200)
    return '200, session revoked'
  })

  await step('refresh after logout', async () => {
    expectStatus(await refreshWith(refresh), 401, 'invalid_token')
    return '401 invalid_token'
  })
}

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-demo-'))
  let issuer: IssuerProcess | undefined
  let service: Server | undefined
  const cleanup = async () => {
    service?.close()
    await issuer?.stop(5000)
    await rm(dir, { recursive: true, force: true })
  }
  // Ctrl-C must not leave an issuer running or key material in /tmp.
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  try {
    process.stdout.write(`tokensmith demo (temporary directory ${dir})\n`)
    const keysDir = join(dir, 'keys')
    const databaseUrl = `sqlite:${join(dir, 'issuer.db')}`
    const password = randomBytes(12).toString('base64url')
    await step('generate a signing key (pnpm genkeys)', async () => {
      await generateKeys(keysDir)
      return 'RS256, 2048 bits, current at once, and a standby published beside it'
    })
    await step(
      `create user "${USERNAME}" (pnpm users add ${USERNAME} --role user --password-stdin)`,
      async () => {
        await addUser({ databaseUrl, username: USERNAME, password, roles: ['user'] })
        return 'scrypt-hashed in the SQLite store'
      },
    )
    let issuerUrl = ''
    await step('start the issuer', async () => {
      const started = await startIssuerProcess({
        keysDir,
        databaseUrl,
        env: { AUDIENCE, REFRESH_GRACE: String(GRACE_SEC) },
        onLogLine: (line) => issuerLog.push(line),
      })
      issuer = started
      issuerUrl = started.url
      return `${started.url} (pid ${started.pid}), REFRESH_GRACE=${GRACE_SEC}s`
    })
    let serviceUrl = ''
    await step('start the protected service (Hono + @tokensmith/verifier-sdk)', async () => {
      const started = await startService(issuerUrl)
      service = started.server
      serviceUrl = started.url
      return `${started.url}/api/orders, audience "${AUDIENCE}"`
    })
    await tour({ issuer: issuerUrl, service: serviceUrl, password })
    process.stdout.write('\nEvery step behaved.\n')
    return 0
  } catch (err) {
    if (!(err instanceof Reported)) {
      process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`)
    }
    process.stdout.write('\nThe demo stopped at the first step that did not behave.\n')
    return 1
  } finally {
    await cleanup()
  }
}

main().then((code) => process.exit(code))
