// What an authorization request asks of the login's strength: `acr_values` (OpenID Connect Core
// §3.1.2.1, voluntary) and the `claims` request for `acr` (§5.5.1.1, voluntary or essential).
// Only the classes this issuer defines count; an essential request naming none of them cannot be
// met (OpenID Connect Unmet Authentication Requirements 1.0, `unmet_authentication_requirements`).
import { ACR_VALUES } from './acr-values.ts'

export interface AcrRequest {
  /** The classes asked for that this issuer defines, in the order it ranks them (weakest first). */
  values: string[]
  /** Whether the `claims` request marked `acr` essential: not meeting it is an error. */
  essential: boolean
}

export type AcrRequestCheck = { ok: true; acr: AcrRequest | null } | { ok: false; reason: string }

/** From the raw parameters (the `claims` text already passed parseClaimsParameter's checks). */
export function acrRequestOf(acrValues: string | null, claimsText: string | null): AcrRequestCheck {
  const asked = new Set((acrValues ?? '').split(' ').filter(Boolean))
  let essential = false
  const fromClaims = claimsText === null ? undefined : acrClaimOf(claimsText)
  if (fromClaims === 'malformed') {
    return {
      ok: false,
      reason: 'The acr member of the claims parameter is malformed (OpenID Connect Core 5.5.1).',
    }
  }
  if (fromClaims !== undefined) {
    essential = fromClaims.essential
    for (const v of fromClaims.values) asked.add(v)
  }
  if (asked.size === 0) return { ok: true, acr: essential ? { values: [], essential } : null }
  return { ok: true, acr: { values: ACR_VALUES.filter((v) => asked.has(v)), essential } }
}

/** The `id_token.acr` member: undefined when absent or null (a plain request for the claim). */
function acrClaimOf(text: string): { essential: boolean; values: string[] } | 'malformed' | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  const idToken = (parsed as { id_token?: unknown } | null)?.id_token
  if (typeof idToken !== 'object' || idToken === null) return undefined
  const acr = (idToken as { acr?: unknown }).acr
  if (acr === undefined || acr === null) return undefined
  if (typeof acr !== 'object' || Array.isArray(acr)) return 'malformed'
  const { essential, value, values } = acr as { essential?: unknown; value?: unknown; values?: unknown }
  if (essential !== undefined && typeof essential !== 'boolean') return 'malformed'
  if (value !== undefined && typeof value !== 'string') return 'malformed'
  if (values !== undefined && !(Array.isArray(values) && values.every((v) => typeof v === 'string'))) {
    return 'malformed'
  }
  const all = [...(typeof value === 'string' ? [value] : []), ...((values as string[] | undefined) ?? [])]
  // An essential acr with no value asks only that the claim be present: always met here.
  return { essential: essential === true && all.length > 0, values: all }
}
