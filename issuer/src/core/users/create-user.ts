import type { Records } from '../records/records.ts'
import { newUserRecord } from './new-user-record.ts'
import { type NewUser, USERS, type UserRecord } from './user-collection.ts'

/** Stores a new user as every caller creates one (newUserRecord); StoreConflictError('username') when taken. */
export async function createUser(records: Records, user: NewUser): Promise<UserRecord> {
  const record = newUserRecord(user)
  await records.insert(USERS, record)
  return record
}
