// The WebAuthn Relying Party this issuer is (WebAuthn Level 3 §5.1.3, §5.1.4): its RP ID, the name
// authenticators show, and the one origin whose ceremonies it accepts (the issuer's own: a
// signature made for a look-alike site's origin is refused, which makes passkeys phishing-resistant).

export interface RelyingParty {
  /** A domain: ISSUER_URL's host, or WEBAUTHN_RP_ID (a registrable suffix of it). */
  rpId: string
  /** WEBAUTHN_RP_NAME, default `tokensmith`. */
  rpName: string
  /** ISSUER_URL's origin: the only `origin` a client data may name. */
  origin: string
}

/** Why `rpId` cannot be this issuer's RP ID, or null when it can. */
export function rpIdProblem(rpId: string, issuerUrl: string): string | null {
  const host = new URL(issuerUrl).hostname.toLowerCase()
  if (rpId !== rpId.toLowerCase()) return 'must be lower case'
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(rpId) || rpId.length > 253) {
    return `must be a domain name (got "${rpId.slice(0, 64)}")`
  }
  if (rpId === host) return null
  // §5.1.4: the RP ID is the origin's effective domain or a registrable suffix of it. Without a
  // public-suffix list, at least: a suffix on a label boundary, and more than one label ("com").
  if (!host.endsWith(`.${rpId}`)) return `must be ISSUER_URL's host "${host}" or a suffix of it`
  if (!rpId.includes('.')) return `must be a registrable domain, not a top-level one (got "${rpId}")`
  return null
}

/** The relying party of `issuerUrl`, with an optional RP ID and name. Throws when the RP ID does not fit. */
export function relyingPartyOf(issuerUrl: string, rpId?: string, rpName?: string): RelyingParty {
  const url = new URL(issuerUrl)
  const id = rpId ?? url.hostname.toLowerCase()
  if (rpId !== undefined) {
    const problem = rpIdProblem(rpId, issuerUrl)
    if (problem !== null) throw new Error(problem)
  }
  return { rpId: id, rpName: rpName ?? 'tokensmith', origin: url.origin }
}
