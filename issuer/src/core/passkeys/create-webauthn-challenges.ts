import { randomBytes, randomUUID } from 'node:crypto'
import type { Clock } from '../clock.ts'
import type { Records } from '../records/records.ts'
import { WEBAUTHN_CHALLENGES, type WebauthnChallengeRecord } from './webauthn-challenge-collection.ts'

/** How long a ceremony may take: the options' `timeout` and the challenge's life. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000

export interface WebauthnChallenges {
  /** A fresh random challenge (32 bytes, base64url) stored for `purpose` and `userId`; answers its record. */
  issue(purpose: WebauthnChallengeRecord['purpose'], userId: string | null): Promise<WebauthnChallengeRecord>
  /**
   * Takes the challenge `id` for an answer: only a live one of this purpose and user, and only once
   * (compare-and-set of `usedAt` from null, so of two racing answers one wins, on every store).
   * Null when it is unknown, expired, used, or was issued for something else.
   */
  take(
    id: string,
    purpose: WebauthnChallengeRecord['purpose'],
    userId: string | null,
  ): Promise<WebauthnChallengeRecord | null>
}

export function createWebauthnChallenges(deps: { records: Records; clock: Clock }): WebauthnChallenges {
  const { records, clock } = deps
  return {
    async issue(purpose, userId) {
      const now = clock()
      const record: WebauthnChallengeRecord = {
        id: randomUUID(),
        challenge: randomBytes(32).toString('base64url'),
        purpose,
        userId,
        createdAt: now,
        expiresAt: now + CHALLENGE_TTL_MS,
        usedAt: null,
      }
      await records.insert(WEBAUTHN_CHALLENGES, record)
      return record
    },

    async take(id, purpose, userId) {
      // Key values hold no `:`; anything but a UUID cannot be one of ours.
      if (!/^[0-9a-f-]{36}$/.test(id)) return null
      const now = clock()
      const found = await records.get(WEBAUTHN_CHALLENGES, { id })
      if (found === null || found.purpose !== purpose || found.userId !== userId) return null
      if (found.usedAt !== null || found.expiresAt <= now) return null
      return records.update(WEBAUTHN_CHALLENGES, { id }, { usedAt: now }, { usedAt: null })
    },
  }
}
