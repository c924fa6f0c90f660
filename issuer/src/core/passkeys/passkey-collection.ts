// A user's passkeys (WebAuthn credentials): `passkeys` / `passkey:<credential id>`, several per user.
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'

export interface PasskeyRecord {
  /** The credential id, base64url. */
  id: string
  userId: string
  /** The name the user gave it. */
  name: string
  /** The COSE public key, base64url. */
  publicKey: string
  /** The authenticator's signature counter (0 for authenticators that keep none). */
  counter: number
  /** The transports the authenticator reported (`internal`, `hybrid`, `usb`, ...). */
  transports: string[]
  /** WebAuthn backup eligibility: `multiDevice` for a synced passkey. */
  deviceType: 'singleDevice' | 'multiDevice'
  /** WebAuthn backup state (BS flag) as last seen. */
  backedUp: boolean
  createdAt: number
  lastUsedAt: number | null
}

export const PASSKEYS = defineCollection<PasskeyRecord>({
  name: 'passkeys',
  redisKey: 'passkey',
  key: ['id'],
  indexes: ['userId'],
  fields: {
    id: f.text(),
    userId: f.text(),
    name: f.text(),
    publicKey: f.text(),
    counter: f.int(),
    transports: f.json(),
    deviceType: f.text({ oneOf: ['singleDevice', 'multiDevice'] }),
    backedUp: f.bool(),
    createdAt: f.int(),
    lastUsedAt: f.int({ nullable: true }),
  },
})
