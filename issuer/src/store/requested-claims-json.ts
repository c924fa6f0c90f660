// An authorization code's requested claims as every store keeps them: JSON text
// {"idToken": [...], "userinfo": [...]} (jsonb in PostgreSQL), null when the request asked for none.
import type { RequestedClaims } from '../core/authorization/authorization-store.ts'

export function claimsJson(claims: RequestedClaims | null): string | null {
  return claims === null ? null : JSON.stringify({ idToken: claims.idToken, userinfo: claims.userinfo })
}

/** What a store holds (JSON text, pg's parsed jsonb, or nothing) as RequestedClaims. */
export function claimsFromJson(stored: unknown): RequestedClaims | null {
  if (stored === undefined || stored === null) return null
  const value: unknown = typeof stored === 'string' ? JSON.parse(stored) : stored
  const { idToken, userinfo } = (value ?? {}) as { idToken?: unknown; userinfo?: unknown }
  if (!isStrings(idToken) || !isStrings(userinfo)) {
    throw new Error('stored requested claims are not {"idToken": [...], "userinfo": [...]} JSON')
  }
  return { idToken, userinfo }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')
