// Public surface of @tokensmith/issuer, re-exported by name.
export { ConfigError, IssuerError, type IssuerErrorCode, KeyError } from './errors.ts'
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
export { createKeyRing, type Jwks, type KeyRing } from './keys/key-ring.ts'
export { currentKeyAt, type KeyState, type KeyStatus, keyScheduleAt } from './keys/key-schedule.ts'
export { loadSigningKey, MIN_RSA_BITS, type SigningKey } from './keys/load-signing-key.ts'
export { pruneKeys } from './keys/prune-keys.ts'
export { type PublicJwk, publicJwkOf } from './keys/public-jwk.ts'
export { retireKey } from './keys/retire-key.ts'
export { formatDurationSec, parseDurationSec } from './parse-duration.ts'
export { normalizeUsername } from './passwords/normalize-username.ts'
export { PasswordError, type PasswordErrorCode } from './passwords/password-error.ts'
export {
  createPasswordHasher,
  DEFAULT_MAX_PASSWORD_BYTES,
  type PasswordHasher,
  type PasswordHasherOptions,
  type VerifyResult,
} from './passwords/password-hasher.ts'
export { DEFAULT_SCRYPT_COST, type ScryptCost } from './passwords/scrypt-cost.ts'
