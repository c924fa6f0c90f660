import type { NewUser, UserRecord } from './user-collection.ts'
import { usernameKey } from './username-key.ts'

/** The record a new user is stored as: every store creates users the same way. */
export function newUserRecord(user: NewUser): UserRecord {
  return {
    id: user.id,
    username: usernameKey(user.username),
    passwordHash: user.passwordHash,
    roles: [...user.roles],
    disabled: false,
    mfaEnrolled: false,
    email: user.email ?? null,
    emailVerified: user.emailVerified ?? false,
    name: user.name ?? null,
    givenName: user.givenName ?? null,
    familyName: user.familyName ?? null,
    createdAt: user.createdAt,
    updatedAt: user.createdAt,
  }
}
