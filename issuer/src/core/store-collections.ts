// The collections the issuer keeps, as every store lays them out (SQL tables, Redis hashes) and
// purges them. A feature that declares a new collection adds it here, and nowhere in the stores.
import { AUTHORIZATION_CODES } from './authorization/authorization-code-collection.ts'
import { CONSENTS } from './authorization/consent-collection.ts'
import { LOGIN_SESSIONS } from './authorization/login-session-collection.ts'
import { CLIENTS } from './clients/client-collection.ts'
import { LOGIN_TICKETS } from './login/login-ticket-collection.ts'
import { RECOVERY_CODES } from './mfa/recovery-code-collection.ts'
import { TOTP_FACTORS } from './mfa/totp-collection.ts'
import { PASSKEYS } from './passkeys/passkey-collection.ts'
import { WEBAUTHN_CHALLENGES } from './passkeys/webauthn-challenge-collection.ts'
import type { AnyCollection } from './records/collection.ts'
import { USERS } from './users/user-collection.ts'

export const STORE_COLLECTIONS: readonly AnyCollection[] = [
  USERS,
  CLIENTS,
  CONSENTS,
  LOGIN_SESSIONS,
  AUTHORIZATION_CODES,
  LOGIN_TICKETS,
  TOTP_FACTORS,
  RECOVERY_CODES,
  PASSKEYS,
  WEBAUTHN_CHALLENGES,
]
