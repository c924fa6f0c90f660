// How every store keeps a UserRecord in flat fields (SQL columns, a Redis hash), in the encoding
// of flat-fields.ts, as client-fields.ts does for clients. The profile fields (OpenID Connect
// standard claims) came later: a user stored before them has none and reads back with no
// profile, every claim null and the e-mail unverified.
import type { UserRecord } from '../core/store.ts'
import { newUserRecord } from '../core/users/new-user-record.ts'
import { type FlatValue, flatReader, flattenFields } from './flat-fields.ts'

export type UserField = keyof UserRecord

// The keys of a whole record: a field added to UserRecord cannot be forgotten here.
const USER_FIELDS = Object.keys(
  newUserRecord({ id: '', username: '', passwordHash: '', roles: [], createdAt: 0 }),
) as UserField[]

/**
 * The fields present in `user` (a whole record or a patch), flattened, in a fixed order; a null
 * stays null, which clears the field.
 */
export function flattenUser(user: Partial<UserRecord>): [UserField, FlatValue][] {
  return flattenFields(USER_FIELDS, user)
}

/** A user read back field by field; `get` answers what the store holds (undefined or null when absent). */
export function userFromFlat(get: (field: UserField) => unknown): UserRecord {
  const { text, textOrNull, int, flag, strings, absent } = flatReader('user', get)
  return {
    id: text('id'),
    username: text('username'),
    passwordHash: text('passwordHash'),
    roles: strings('roles'),
    disabled: flag('disabled'),
    email: textOrNull('email'),
    emailVerified: absent('emailVerified') ? false : flag('emailVerified'),
    name: textOrNull('name'),
    givenName: textOrNull('givenName'),
    familyName: textOrNull('familyName'),
    createdAt: int('createdAt'),
    updatedAt: int('updatedAt'),
  }
}
