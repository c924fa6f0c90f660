// `@tokensmith/issuer/admin`: what operator tools (genkeys, users, the bench's seeding) need to
// manage keys and accounts without starting the service, re-exported by name. Every name here is
// also exported from `.`; this entry is the narrower one scripts import.

export { PasswordError, type PasswordErrorCode } from './core/passwords/password-error.ts'
export {
  createPasswordHasher,
  DEFAULT_MAX_PASSWORD_BYTES,
  type PasswordHasher,
  type PasswordHasherOptions,
} from './core/passwords/password-hasher.ts'
export { DEFAULT_SCRYPT_COST, type ScryptCost } from './core/passwords/scrypt-cost.ts'
export type { NewUser, Store, UserPatch, UserRecord } from './core/store.ts'
export { StoreConflictError, StoreError } from './core/store-error.ts'
export { normalizeUsername } from './core/users/normalize-username.ts'
export { ConfigError, KeyError } from './errors.ts'
export { type GeneratedKey, type GenerateKeyOptions, generateKey, RSA_BITS } from './keys/generate-key.ts'
export {
  DEFAULT_PUBLISH_LEAD_SEC,
  DEFAULT_RETIRE_AFTER_SEC,
  type KeyManifest,
  MANIFEST_FILE,
  type ManifestKey,
  readManifest,
  SIGNING_ALGS,
  type SigningAlg,
  writeManifest,
} from './keys/key-manifest.ts'
export { currentKeyAt, type KeyState, type KeyStatus, keyScheduleAt } from './keys/key-schedule.ts'
export { pruneKeys } from './keys/prune-keys.ts'
export { retireKey } from './keys/retire-key.ts'
export { formatDurationSec, parseDurationSec } from './runtime/parse-duration.ts'
// Server stores are reached through openStore, which loads pg / ioredis only when chosen.
export { openStore } from './store/open-store.ts'
