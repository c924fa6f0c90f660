// WebAuthn challenges handed out and not yet answered: `webauthn_challenges` /
// `webauthn-challenge:<id>`. Each is answered once (compare-and-set on `usedAt`) before it expires.
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'

export interface WebauthnChallengeRecord {
  id: string
  /** The challenge, base64url. */
  challenge: string
  /** `register`: a new passkey for `userId`; `login`: a sign-in (userId null: any discoverable one). */
  purpose: 'register' | 'login'
  userId: string | null
  createdAt: number
  expiresAt: number
  usedAt: number | null
}

export const WEBAUTHN_CHALLENGES = defineCollection<WebauthnChallengeRecord>({
  name: 'webauthn_challenges',
  redisKey: 'webauthn-challenge',
  key: ['id'],
  expiry: { field: 'expiresAt' },
  fields: {
    id: f.text(),
    challenge: f.text(),
    purpose: f.text({ oneOf: ['register', 'login'] }),
    userId: f.text({ nullable: true }),
    createdAt: f.int(),
    expiresAt: f.int(),
    usedAt: f.int({ nullable: true }),
  },
})
