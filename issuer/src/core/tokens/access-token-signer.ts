import { randomUUID } from 'node:crypto'
import type { KeyRing } from '../../keys/key-ring.ts'
import type { SigningKey } from '../../keys/load-signing-key.ts'
import type { Clock } from '../clock.ts'
import { compactJwsSigner } from './compact-jws-signer.ts'

export const ACCESS_TOKEN_TYP = 'at+jwt'

/** How a user authenticated, for the token's `acr`, `amr` and `auth_time` (RFC 9068 §2.2.1). */
export interface UserAuthentication {
  acr: string
  amr: readonly string[]
  /** When, in ms (the claim is in seconds). */
  authTime: number
}

/** A user's token: `sid` names the session (refresh family) it belongs to. */
export interface AccessTokenSubject {
  userId: string
  clientId: string
  sessionId: string
  roles: string[]
  /** The session's login context: every token of a session says how its user signed in. */
  authentication: UserAuthentication
  /** Granted scope (RFC 6749 §3.3); the `scope` claim, space-delimited. Default none. */
  scope?: readonly string[]
  /** Overrides the issuer's audience (a client's own audiences, or the account audience). */
  audience?: readonly string[]
  /** Shortens the issuer's lifetime (a client's own, never longer). */
  ttlSec?: number
}

/** A service's own token (client_credentials, RFC 6749 §4.4): `sub` is the client, no session. */
export interface ServiceTokenSubject {
  clientId: string
  scope: readonly string[]
  audience: readonly string[]
  ttlSec?: number
}

export interface SignedAccessToken {
  token: string
  expiresIn: number
  jti: string
}

export interface AccessTokenSigner {
  sign(subject: AccessTokenSubject): Promise<SignedAccessToken>
  signService(subject: ServiceTokenSubject): Promise<SignedAccessToken>
}

/**
 * Signs RFC 9068 access tokens with the key ring's current key, through node:crypto on libuv's
 * thread pool (compact-jws-signer.ts), so RSA work never blocks the event loop.
 */
export function createAccessTokenSigner(deps: {
  keyRing: KeyRing
  issuer: string
  audience: string[]
  ttlSec: number
  clock: Clock
}): AccessTokenSigner {
  // One signer per kid: its protected header is encoded once.
  const signers = new Map<string, (payload: string) => Promise<string>>()
  const signerFor = (signing: SigningKey) => {
    let signer = signers.get(signing.kid)
    if (!signer) {
      signer = compactJwsSigner(signing.alg, signing.privateKey, {
        alg: signing.alg,
        kid: signing.kid,
        typ: ACCESS_TOKEN_TYP,
      })
      signers.set(signing.kid, signer)
    }
    return signer
  }
  const aud = deps.audience.length === 1 ? (deps.audience[0] as string) : deps.audience

  const audOf = (audience: readonly string[] | undefined) =>
    audience === undefined || audience.length === 0
      ? aud
      : audience.length === 1
        ? (audience[0] as string)
        : [...audience]
  const ttlOf = (ttlSec: number | undefined) =>
    ttlSec === undefined ? deps.ttlSec : Math.max(1, Math.min(ttlSec, deps.ttlSec))

  /**
   * One RFC 9068 token: the registered claims, then `client_id`, the user's `sid`, `roles`,
   * `acr`, `amr` and `auth_time` (§2.2.1) when there is a user, and `scope`. Serialised here and signed as a compact JWS: SignJWT
   * would rebuild and re-validate the same claims on every call.
   */
  async function signFor(
    sub: string,
    clientId: string,
    user: { sid: string; roles: string[]; authentication: UserAuthentication } | null,
    scope: readonly string[] | undefined,
    audience: readonly string[] | undefined,
    requestedTtlSec: number | undefined,
  ): Promise<SignedAccessToken> {
    const now = deps.clock()
    const iat = Math.floor(now / 1000)
    const ttlSec = ttlOf(requestedTtlSec)
    const jti = randomUUID()
    const claims = {
      iss: deps.issuer,
      sub,
      aud: audOf(audience),
      iat,
      exp: iat + ttlSec,
      jti,
      client_id: clientId,
      ...(user === null
        ? {}
        : {
            sid: user.sid,
            roles: user.roles,
            acr: user.authentication.acr,
            amr: user.authentication.amr,
            auth_time: Math.floor(user.authentication.authTime / 1000),
          }),
      scope: (scope ?? []).join(' '),
    }
    const signing = deps.keyRing.signingKey(now)
    const token = await signerFor(signing)(JSON.stringify(claims))
    return { token, expiresIn: ttlSec, jti }
  }

  return {
    sign: (s) =>
      signFor(
        s.userId,
        s.clientId,
        { sid: s.sessionId, roles: s.roles, authentication: s.authentication },
        s.scope,
        s.audience,
        s.ttlSec,
      ),
    signService: (s) => signFor(s.clientId, s.clientId, null, s.scope, s.audience, s.ttlSec),
  }
}
