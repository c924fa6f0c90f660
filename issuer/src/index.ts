// Public surface of @tokensmith/issuer, re-exported by name.

export {
  type AuthService,
  type ClientMeta,
  createAuthService,
  type SessionView,
  type TokenPair,
} from './core/auth-service.ts'
export {
  AUTHORIZATION_CODES,
  type AuthorizationCodeRecord,
  type RequestedClaims,
} from './core/authorization/authorization-code-collection.ts'
export { CONSENTS, type ConsentRecord } from './core/authorization/consent-collection.ts'
export { LOGIN_SESSIONS, type LoginSessionRecord } from './core/authorization/login-session-collection.ts'
export { CLIENTS } from './core/clients/client-collection.ts'
export {
  type ClientPatch,
  type ClientRecord,
  type ClientType,
  firstPartyPublicClient,
  GRANT_TYPES,
  type GrantType,
  isClientId,
  isScopeToken,
  PKCE_POLICIES,
  type PkcePolicy,
} from './core/clients/client-record.ts'
export { hashClientSecret, newClientSecret } from './core/clients/client-secret.ts'
export { matchesRedirectUri, redirectUriProblem } from './core/clients/redirect-uri.ts'
export { webOriginProblem, webOriginsOf } from './core/clients/web-origin.ts'
export { type Clock, systemClock } from './core/clock.ts'
export { createMfa, type Mfa, type SecondFactor } from './core/mfa/create-mfa.ts'
export { type FactorList, listFactors } from './core/mfa/list-factors.ts'
export { RECOVERY_CODES, type RecoveryCodeRecord } from './core/mfa/recovery-code-collection.ts'
export { resetFactors } from './core/mfa/reset-factors.ts'
export { TOTP_FACTORS, type TotpRecord } from './core/mfa/totp-collection.ts'
export {
  createPasswordHasher,
  DEFAULT_MAX_PASSWORD_BYTES,
  type PasswordHasher,
  type PasswordHasherOptions,
  type VerifyResult,
} from './core/passwords/password-hasher.ts'
export { DEFAULT_SCRYPT_COST, type ScryptCost } from './core/passwords/scrypt-cost.ts'
export {
  type AnyCollection,
  type Collection,
  defineCollection,
  type RecordKey,
} from './core/records/collection.ts'
export { type FieldSpec, type FieldType, f } from './core/records/field-spec.ts'
export { listAll } from './core/records/list-all.ts'
export type { RecordPage, RecordQuery, Records } from './core/records/records.ts'
export type { Redeemable, RedeemResult } from './core/records/redeemable.ts'
export {
  DEFAULT_REVOCATION_TTL_MS,
  type RevocationEntry,
  type RevocationKind,
  type RevocationPage,
  type RevocationStore,
} from './core/revocations/revocation-store.ts'
export type { NewSession, SessionRecord } from './core/sessions/session-record.ts'
export type {
  CounterState,
  RefreshTokenRecord,
  RotateInput,
  RotateResult,
  Store,
} from './core/store.ts'
export { STORE_COLLECTIONS } from './core/store-collections.ts'
export { StoreConflictError, StoreError } from './core/store-error.ts'
export {
  ACCESS_TOKEN_TYP,
  type AccessTokenSigner,
  createAccessTokenSigner,
} from './core/tokens/access-token-signer.ts'
export {
  type AccessClaims,
  type AccessTokenVerifier,
  createAccessTokenVerifier,
} from './core/tokens/access-token-verifier.ts'
export {
  hashRefreshToken,
  isRefreshTokenShape,
  newRefreshToken,
  REFRESH_TOKEN_PREFIX,
} from './core/tokens/refresh-token.ts'
export { createUser } from './core/users/create-user.ts'
export { findUserByUsername } from './core/users/find-user-by-username.ts'
export { newUserRecord } from './core/users/new-user-record.ts'
export { normalizeUsername } from './core/users/normalize-username.ts'
export {
  type NewUser,
  USERS,
  type UserPatch,
  type UserProfile,
  type UserRecord,
} from './core/users/user-collection.ts'
export { userProfileProblem } from './core/users/user-profile-problem.ts'
export {
  ConfigError,
  IssuerError,
  type IssuerErrorCode,
  KeyError,
  PasswordError,
  type PasswordErrorCode,
} from './errors.ts'
export { CSRF_HEADER, createIssuerApp, type IssuerAppDeps, REFRESH_COOKIE } from './http/create-issuer-app.ts'
export { jwksMaxAgeFor } from './http/jwks-max-age.ts'
export { ensureStandby } from './keys/ensure-standby.ts'
export { type GeneratedKey, type GenerateKeyOptions, generateKey } from './keys/generate-key.ts'
export {
  DEFAULT_PUBLISH_LEAD_SEC,
  DEFAULT_RETIRE_AFTER_SEC,
  type KeyManifest,
  MANIFEST_FILE,
  type ManifestKey,
  readManifest,
  SIGNING_ALGS,
  type SigningAlg,
  STANDBY_ACTIVATE_AT,
  writeManifest,
} from './keys/key-manifest.ts'
export { createKeyRing, type Jwks, type KeyRing } from './keys/key-ring.ts'
export {
  activationOf,
  currentKeyAt,
  type KeyState,
  type KeyStatus,
  keyScheduleAt,
} from './keys/key-schedule.ts'
export {
  DEFAULT_LOCK_STALE_MS,
  DEFAULT_LOCK_WAIT_MS,
  KEYS_LOCK_FILE,
  type KeysDirLockOptions,
  withKeysDirLock,
} from './keys/keys-dir-lock.ts'
export { loadSigningKey, MIN_RSA_BITS, type SigningKey } from './keys/load-signing-key.ts'
export { pruneKeys } from './keys/prune-keys.ts'
export { type PublicJwk, publicJwkOf } from './keys/public-jwk.ts'
export { retireKey } from './keys/retire-key.ts'
export { type RotateIfOlderResult, rotateIfOlder } from './keys/rotate-if-older.ts'
export { type KeyRotation, type RotateKeysOptions, rotateKeys } from './keys/rotate-keys.ts'
export { RSA_BITS } from './keys/write-new-key-file.ts'
export { retentionNeededSec } from './runtime/check-key-retention.ts'
export { type IssuerConfig, loadConfig } from './runtime/config.ts'
export { ISSUER_ENTRY } from './runtime/issuer-entry.ts'
export { createLogger, type LogFields, type Logger, type LogLevel } from './runtime/logger.ts'
export { ISSUER_NODE_FLAGS } from './runtime/node-flags.ts'
export { formatDurationSec, parseDurationSec } from './runtime/parse-duration.ts'
export { type IssuerProcessOptions, runIssuerProcess } from './runtime/run-issuer-process.ts'
export { type Issuer, startIssuer } from './runtime/start-issuer.ts'
// Server stores are reached through openStore, which loads pg / ioredis only when chosen.
export { openStore } from './store/open-store.ts'
export { createSqliteStore, type SqliteStoreOptions } from './store/sqlite/sqlite-store.ts'
