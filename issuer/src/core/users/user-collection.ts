// Users: the accounts that sign in, kept in the `users` table / `user:<id>` hashes.
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'

/**
 * The OpenID Connect Core §5.1 standard claims a user may have (all optional), released by the
 * `profile` and `email` scopes (§5.4) and the `claims` request parameter (§5.5).
 */
export interface UserProfile {
  email: string | null
  /** Whether the operator (or, later, a verification link) confirmed `email` belongs to the user. */
  emailVerified: boolean
  name: string | null
  givenName: string | null
  familyName: string | null
}

export interface UserRecord extends UserProfile {
  id: string
  /** Case-normalised (NFKC, lower case), unique. */
  username: string
  /** Self-describing scrypt string; never logged. */
  passwordHash: string
  roles: string[]
  disabled: boolean
  /**
   * Set before the user's first second factor is stored, and never cleared: false means the user
   * never had one, so a password login need not read the factor collections (core/mfa).
   */
  mfaEnrolled: boolean
  createdAt: number
  updatedAt: number
}

export interface NewUser extends Partial<UserProfile> {
  id: string
  username: string
  passwordHash: string
  roles: string[]
  createdAt: number
}

/** Fields to change; an absent field is kept, a null profile field is cleared. */
export interface UserPatch extends Partial<UserProfile> {
  passwordHash?: string
  roles?: string[]
  disabled?: boolean
  updatedAt: number
}

export const USERS = defineCollection<UserRecord>({
  name: 'users',
  redisKey: 'user',
  key: ['id'],
  unique: ['username'],
  listAll: true,
  fields: {
    id: f.text(),
    username: f.text(),
    passwordHash: f.text(),
    roles: f.json(),
    disabled: f.bool(),
    mfaEnrolled: f.bool(),
    email: f.text({ nullable: true }),
    emailVerified: f.bool(),
    name: f.text({ nullable: true }),
    givenName: f.text({ nullable: true }),
    familyName: f.text({ nullable: true }),
    createdAt: f.int(),
    updatedAt: f.int(),
  },
})
