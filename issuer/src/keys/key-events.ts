import type { KeyStatus } from './key-schedule.ts'

/** A change of the key set, as the revocation feed tells verifiers (docs/issuer.md, "Revocation feed"). */
export interface KeyEvent {
  kid: string
  /** `published`: in the JWKS (a `next` key, before it signs); `promoted`: it signs;
   *  `retired`: out of the JWKS, every token it signed is to be refused. */
  event: 'published' | 'promoted' | 'retired'
  at: number
}

/**
 * The key events that are true at `now`, derived from the schedule alone so that every instance
 * reading the same manifest tells the same. A retired key's event stays for `retiredForMs` (the
 * access-token lifetime plus skew): a verifier that missed it then has no token of that key left.
 * Only the latest event of each key is told; order: by instant, then kid.
 */
export function keyEventsAt(statuses: readonly KeyStatus[], now: number, retiredForMs: number): KeyEvent[] {
  const events: KeyEvent[] = []
  for (const s of statuses) {
    const kid = s.key.kid
    if (s.state === 'retired') {
      const at = s.retireAt ?? now
      if (now < at + retiredForMs) events.push({ kid, event: 'retired', at })
    } else if (s.state === 'next') {
      const createdAt = Date.parse(s.key.createdAt)
      events.push({ kid, event: 'published', at: Number.isNaN(createdAt) ? s.activateAt : createdAt })
    } else {
      events.push({ kid, event: 'promoted', at: s.activateAt })
    }
  }
  return events.sort((a, b) => a.at - b.at || a.kid.localeCompare(b.kid))
}
