// The instants and the records the conformance suites build their cases from: users, sessions
// and rotations, each through the store's own port, as the issuer's core makes them.
import { randomBytes, randomUUID } from 'node:crypto'
import type { SessionRecord } from '../../core/sessions/session-record.ts'
import type { CounterState, InvalidReason, RotateResult, Store } from '../../core/store.ts'
import { createUser } from '../../core/users/create-user.ts'
import type { UserRecord } from '../../core/users/user-collection.ts'

export const T0 = 1_700_000_000_000
export const DAY = 86_400_000
export const IDLE = 7 * DAY
export const ABSOLUTE = 30 * DAY
export const GRACE = 10_000
// Remembered keys are spaced minutes apart: Redis also drops them by a TTL in its own time.
export const MINUTE = 60_000
/** What a user created without a profile reads back with. */
export const NO_PROFILE = { email: null, emailVerified: false, name: null, givenName: null, familyName: null }

export const newHash = (): string => randomBytes(32).toString('hex')
export const sealedFor = (hash: string): string => `sealed.${hash}`

/** A user with the role `reader`, as `createUser` stores every new one. */
export function addUser(store: Store, username = `user-${randomUUID()}`, at = T0): Promise<UserRecord> {
  return createUser(store.records, {
    id: randomUUID(),
    username,
    passwordHash: `scrypt$test$${username}`,
    roles: ['reader'],
    createdAt: at,
  })
}

export interface SessionOptions {
  absoluteMs?: number
  idleMs?: number
  clientId?: string
  scope?: string[]
  publicClient?: boolean
  /** Left out of the NewSession when absent, as most callers do. */
  claims?: string[]
  /** The login's context; left out when absent (as a session from before it was kept reads). */
  amr?: string[]
  acr?: string | null
  authTime?: number | null
}

/** A session of the user started at `at`, and the hash of its first refresh token. */
export async function startSession(
  store: Store,
  userId: string,
  at = T0,
  opts: SessionOptions = {},
): Promise<{ session: SessionRecord; tokenHash: string }> {
  const tokenHash = newHash()
  const session = await store.createSession({
    id: randomUUID(),
    userId,
    clientId: opts.clientId ?? 'cli',
    createdAt: at,
    absoluteExpiresAt: at + (opts.absoluteMs ?? ABSOLUTE),
    clientIp: '203.0.113.7',
    userAgent: 'conformance/1.0',
    scope: opts.scope ?? [],
    publicClient: opts.publicClient ?? true,
    ...(opts.claims === undefined ? {} : { claims: opts.claims }),
    ...(opts.amr === undefined ? {} : { amr: opts.amr }),
    ...(opts.acr === undefined ? {} : { acr: opts.acr }),
    ...(opts.authTime === undefined ? {} : { authTime: opts.authTime }),
    tokenHash,
    idleExpiresAt: at + (opts.idleMs ?? IDLE),
  })
  return { session, tokenHash }
}

/**
 * Rotates with a freshly prepared successor, presented by `clientId` (null: no client, as
 * /auth/refresh); returns the result and that successor's hash.
 */
export async function rotateAt(
  store: Store,
  tokenHash: string,
  now: number,
  graceMs = GRACE,
  clientId: string | null = null,
): Promise<{ result: RotateResult; successorHash: string }> {
  const successorHash = newHash()
  const result = await store.rotate({
    tokenHash,
    now,
    clientId,
    graceMs,
    successor: { hash: successorHash, idleExpiresAt: now + IDLE, sealed: sealedFor(successorHash) },
  })
  return { result, successorHash }
}

/** What a rotation refused for `reason` answers. */
export const invalid = (reason: InvalidReason): RotateResult => ({ kind: 'invalid', reason })

/** One counter's hit, through the batch method (the port has no single-key one). */
export async function hit(store: Store, key: string, now: number, windowMs = 60_000): Promise<CounterState> {
  return (await store.hitCounters([key], now, windowMs))[0]!
}
