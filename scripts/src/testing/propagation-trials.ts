// The revocation-feed propagation proof's trials: for one way a session can end, log a fresh user
// in, check that every verifier accepts its access token, end the session (or the user), and time
// until every verifier refuses the token with `token_revoked`. Trials run in parallel batches.
import { randomUUID } from 'node:crypto'
import { openStore, type Store, USERS } from '@tokensmith/issuer/admin'
import {
  createBrowserSession,
  followToRedirect,
  pkcePair,
  quantile,
  requestJson,
  serviceClient,
} from '@tokensmith/issuer/testing'
import type { FeedVerifier } from './feed-verifier-service.ts'

export const ENDINGS = [
  'logout',
  'logout-all',
  'DELETE /auth/sessions/:id',
  'reuse detection',
  '/oauth/revoke',
  'users disable',
  'users set-password',
  'code replay',
  'RP logout',
  'consent revocation',
] as const
export type Ending = (typeof ENDINGS)[number]

export const TRIAL_PASSWORD = 'propagation-pass-1'

/** The browser clients of the code-flow endings (seeded by the rig): first-party (no consent) and
 *  third-party (consent given in the trial, then revoked). */
const FIRST_PARTY_APP = 'propagation-app'
const THIRD_PARTY_APP = 'propagation-partner'
const APP_REDIRECT = 'http://127.0.0.1:9/callback'

/** The client records the rig seeds for the code-flow endings. */
export function propagationClients(now: number) {
  const app = {
    type: 'public' as const,
    grants: ['authorization_code' as const, 'refresh_token' as const],
    scopes: ['openid'],
    redirectUris: [APP_REDIRECT],
  }
  return [
    serviceClient(FIRST_PARTY_APP, now, { ...app, name: 'Propagation App', firstParty: true }),
    serviceClient(THIRD_PARTY_APP, now, { ...app, name: 'Propagation Partner' }),
  ]
}

export interface TrialContext {
  /** Where users log in and sessions end (instance A in the multi-instance case). */
  issuerUrl: string
  verifiers: readonly FeedVerifier[]
  /** The store the CLI's `users disable` / `set-password` steps run against (as `pnpm users` does). */
  databaseUrl: string
  /** A seeded username for a trial: a fresh one for an ending that ends the user (it cannot log in
   *  again, or its other trials would be ended with it), else any. */
  nextUser: (ending: Ending) => string
}

export interface TrialResults {
  ending: Ending
  latenciesMs: number[]
  p50: number
  p99: number
  max: number
  verifiedTokens: number
}

interface Pair {
  accessToken: string
  refreshToken: string
}

async function login(issuerUrl: string, username: string, scope?: string): Promise<Pair> {
  const res = await requestJson(`${issuerUrl}/auth/login`, {
    body: { username, password: TRIAL_PASSWORD, ...(scope === undefined ? {} : { scope }) },
  })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as unknown as Pair
}

interface CodeFlow {
  accessToken: string
  idToken: string
  /** Redeems the code again (RFC 6749 §4.1.2: the issuer must refuse, and SHOULD revoke). */
  replay: () => Promise<{ status: number; body: Record<string, unknown> }>
  /** The browser's login session, for RP-initiated logout. */
  browser: ReturnType<typeof createBrowserSession>
}

/** Through /oauth/authorize's hosted login (and consent for a third-party client) to the tokens. */
async function codeFlow(issuerUrl: string, username: string, clientId: string): Promise<CodeFlow> {
  const browser = createBrowserSession(
    (path, init) => fetch(`${issuerUrl}${path}`, { ...init, redirect: 'manual' }),
    issuerUrl,
  )
  const { verifier, challenge } = pkcePair()
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: APP_REDIRECT,
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })
  const { location } = await followToRedirect(browser, `/oauth/authorize?${query}`, {
    username,
    password: TRIAL_PASSWORD,
  })
  const code = location.searchParams.get('code')
  if (code === null) throw new Error(`no code: ${location}`)
  const redeem = async () => {
    const res = await fetch(`${issuerUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: APP_REDIRECT,
        client_id: clientId,
        code_verifier: verifier,
      }),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const first = await redeem()
  if (first.status !== 200)
    throw new Error(`code redeem answered ${first.status} ${JSON.stringify(first.body)}`)
  return {
    accessToken: first.body.access_token as string,
    idToken: first.body.id_token as string,
    replay: redeem,
    browser,
  }
}

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    sid: string
    sub: string
  }

/** Prepares the trial (logins) and returns the step that ends it. */
/** Awaits an ending's request; anything but 200 fails the trial, naming the ending. */
async function expectOk(p: Promise<{ status: number }>, what: string): Promise<void> {
  const { status } = await p
  if (status !== 200) throw new Error(`${what} answered ${status}`)
}

async function prepare(
  ending: Ending,
  ctx: TrialContext,
  store: Store,
): Promise<{ token: string; end: () => Promise<void> }> {
  const { issuerUrl } = ctx
  const username = ctx.nextUser(ending)
  if (ending === 'code replay' || ending === 'RP logout' || ending === 'consent revocation') {
    return prepareCodeFlow(ending, issuerUrl, username)
  }
  const victim = await login(issuerUrl, username)
  switch (ending) {
    case 'logout':
      return {
        token: victim.accessToken,
        end: () =>
          expectOk(
            requestJson(`${issuerUrl}/auth/logout`, { body: { refreshToken: victim.refreshToken } }),
            'logout',
          ),
      }
    case 'logout-all': {
      const manager = await login(issuerUrl, username, 'account')
      return {
        token: victim.accessToken,
        end: () =>
          expectOk(
            requestJson(`${issuerUrl}/auth/logout-all`, { method: 'POST', bearer: manager.accessToken }),
            'logout-all',
          ),
      }
    }
    case 'DELETE /auth/sessions/:id': {
      const manager = await login(issuerUrl, username, 'account')
      const sid = claimsOf(victim.accessToken).sid
      return {
        token: victim.accessToken,
        end: async () => {
          const res = await requestJson(`${issuerUrl}/auth/sessions/${sid}`, {
            method: 'DELETE',
            bearer: manager.accessToken,
          })
          if (res.status !== 204 && res.status !== 200)
            throw new Error(`DELETE session answered ${res.status}`)
        },
      }
    }
    case 'reuse detection': {
      const next = await requestJson(`${issuerUrl}/auth/refresh`, {
        body: { refreshToken: victim.refreshToken },
      })
      if (next.status !== 200) throw new Error(`refresh answered ${next.status}`)
      return {
        token: victim.accessToken,
        end: async () => {
          const reused = await requestJson(`${issuerUrl}/auth/refresh`, {
            body: { refreshToken: victim.refreshToken },
          })
          if (reused.body.code !== 'reuse_detected')
            throw new Error(`reuse answered ${JSON.stringify(reused.body)}`)
        },
      }
    }
    case '/oauth/revoke':
      return {
        token: victim.accessToken,
        end: () =>
          expectOk(
            fetch(`${issuerUrl}/oauth/revoke`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ token: victim.refreshToken, client_id: 'default' }),
            }),
            '/oauth/revoke',
          ),
      }
    case 'users disable':
    case 'users set-password': {
      const { sub } = claimsOf(victim.accessToken)
      // The store calls of scripts/src/users.ts, against the same store.
      return {
        token: victim.accessToken,
        end: async () => {
          const now = Date.now()
          if (ending === 'users disable') {
            await store.records.update(USERS, { id: sub }, { disabled: true, updatedAt: now })
            await store.revokeUserSessions(sub, 'user_disabled', now)
          } else {
            await store.records.update(
              USERS,
              { id: sub },
              { passwordHash: 'scrypt$replaced', updatedAt: now },
            )
            await store.revokeUserSessions(sub, 'password_changed', now)
          }
        },
      }
    }
  }
}

/** The endings of a session begun by the authorization code flow (docs/oidc.md). */
async function prepareCodeFlow(
  ending: 'code replay' | 'RP logout' | 'consent revocation',
  issuerUrl: string,
  username: string,
): Promise<{ token: string; end: () => Promise<void> }> {
  const flow = await codeFlow(
    issuerUrl,
    username,
    ending === 'consent revocation' ? THIRD_PARTY_APP : FIRST_PARTY_APP,
  )
  switch (ending) {
    case 'code replay':
      return {
        token: flow.accessToken,
        end: async () => {
          const replayed = await flow.replay()
          if (replayed.status !== 400 || replayed.body.error !== 'invalid_grant')
            throw new Error(`code replay answered ${replayed.status} ${JSON.stringify(replayed.body)}`)
        },
      }
    case 'RP logout':
      return {
        token: flow.accessToken,
        end: () => {
          // OpenID Connect RP-Initiated Logout 1.0 §2: a valid hint ends the browser's login session
          // and every session it started, without a confirmation page.
          const hint = new URLSearchParams({ id_token_hint: flow.idToken, client_id: FIRST_PARTY_APP })
          return expectOk(flow.browser.get(`/oauth/logout?${hint}`), 'RP logout')
        },
      }
    case 'consent revocation': {
      const manager = await login(issuerUrl, username, 'account')
      return {
        token: flow.accessToken,
        end: () =>
          expectOk(
            requestJson(`${issuerUrl}/auth/consents/${THIRD_PARTY_APP}`, {
              method: 'DELETE',
              bearer: manager.accessToken,
            }),
            'consent revocation',
          ),
      }
    }
  }
}

/** One trial: milliseconds from the ending's request to the last verifier's refusal. */
async function trial(ending: Ending, ctx: TrialContext, store: Store): Promise<number> {
  const { token, end } = await prepare(ending, ctx, store)
  for (const v of ctx.verifiers) {
    const ok = await requestJson(`${v.url}/api/me`, { bearer: token })
    if (ok.status !== 200) throw new Error(`a verifier refused a valid token: ${JSON.stringify(ok.body)}`)
  }
  const probes = ctx.verifiers.map((v) =>
    requestJson(`${v.url}/probe/refused?timeoutMs=5000&token=${encodeURIComponent(token)}`),
  )
  const startedAt = Date.now()
  await end()
  const answers = await Promise.all(probes)
  let last = startedAt
  for (const a of answers) {
    if (a.body.code !== 'token_revoked')
      throw new Error(`${ending}: a verifier answered ${JSON.stringify(a.body)}`)
    last = Math.max(last, Number(a.body.at))
  }
  // And over HTTP, through each framework's middleware.
  for (const v of ctx.verifiers) {
    const refused = await requestJson(`${v.url}/api/me`, { bearer: token })
    if (refused.status !== 401 || refused.body.code !== 'token_revoked') {
      throw new Error(`${ending}: the middleware answered ${refused.status} ${JSON.stringify(refused.body)}`)
    }
  }
  return last - startedAt
}

/** `count` trials of one ending, `parallel` at a time. */
export async function runTrials(
  ending: Ending,
  ctx: TrialContext,
  count: number,
  parallel: number,
): Promise<TrialResults> {
  const store = await openStore(ctx.databaseUrl)
  try {
    const latenciesMs: number[] = []
    for (let done = 0; done < count; done += parallel) {
      const batch = Math.min(parallel, count - done)
      latenciesMs.push(...(await Promise.all(Array.from({ length: batch }, () => trial(ending, ctx, store)))))
    }
    return {
      ending,
      latenciesMs,
      p50: quantile(latenciesMs, 0.5),
      p99: quantile(latenciesMs, 0.99),
      max: Math.max(...latenciesMs),
      verifiedTokens: count * ctx.verifiers.length,
    }
  } finally {
    await store.close()
  }
}

// Endings that end more than the trial's own session (the user's, or the user's at one client):
// each trial gets a user of its own, or parallel trials would end each other's tokens.
const USER_LEVEL: readonly Ending[] = [
  'logout-all',
  'users disable',
  'users set-password',
  'consent revocation',
]
const SHARED_USERS = 20

/** The users to seed for `trials` trials of every ending, and the picker of TrialContext.nextUser. */
export function trialUsers(trials: number): { usernames: string[]; nextUser: (ending: Ending) => string } {
  const prefix = randomUUID().slice(0, 8)
  const usernames = Array.from(
    { length: SHARED_USERS + USER_LEVEL.length * trials },
    (_, i) => `p-${prefix}-${i}`,
  )
  let shared = 0
  let fresh = SHARED_USERS
  return {
    usernames,
    nextUser(ending) {
      if (!USER_LEVEL.includes(ending)) return usernames[shared++ % SHARED_USERS] as string
      const name = usernames[fresh++]
      if (name === undefined) throw new Error('no fresh trial user left')
      return name
    },
  }
}
