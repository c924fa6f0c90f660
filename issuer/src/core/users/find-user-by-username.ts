import type { Records } from '../records/records.ts'
import { USERS, type UserRecord } from './user-collection.ts'
import { usernameKey } from './username-key.ts'

/** The user named `username`, in any case or Unicode form of it (usernames are unique by their key). */
export function findUserByUsername(records: Records, username: string): Promise<UserRecord | null> {
  return records.findBy(USERS, 'username', usernameKey(username))
}
