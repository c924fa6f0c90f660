import { isAbsolute, join, resolve } from 'node:path'
import { isClientId } from '../core/clients/client-record.ts'
import { rpIdProblem } from '../core/passkeys/relying-party.ts'
import { ConfigError } from '../errors.ts'
import { parseDurationSec } from './parse-duration.ts'

/** The PEM files the issuer serves HTTPS with (TLS_CERT_FILE, TLS_KEY_FILE), as absolute paths. */
export interface TlsFiles {
  /** The certificate, optionally followed by its chain (certbot's fullchain.pem). */
  certFile: string
  keyFile: string
}

export interface IssuerConfig {
  host: string
  port: number
  issuerUrl: string
  audience: string[]
  keysDir: string
  databaseUrl: string
  /** PostgreSQL connections per instance (DATABASE_POOL_SIZE); null: four per core. */
  databasePoolSize: number | null
  accessTokenTtlSec: number
  /** How often each instance reads the store for new revocation entries (REVOCATION_FEED_POLL_MS). */
  revocationFeedPollMs: number
  refreshIdleTtlSec: number
  sessionAbsoluteTtlSec: number
  refreshGraceSec: number
  /** The hosted login's session at the issuer (single sign-on): idle and absolute lifetimes. */
  loginSessionIdleTtlSec: number
  loginSessionAbsoluteTtlSec: number
  clockSkewSec: number
  scryptLogN: number
  loginWindowSec: number
  loginMaxFailuresPerAccount: number
  loginMaxFailuresPerAddress: number
  maxBodyBytes: number
  keysRescanSec: number
  purgeIntervalSec: number
  /** How much lower (nice) the helper threads run than the event loop; 0 leaves them equal. */
  helperThreadNice: number
  clientIds: string[]
  /** Origins allowed to use cookie-authenticated refresh and logout. */
  cookieOrigins: string[]
  cookieSecure: boolean
  /** Read the client address from X-Forwarded-For (only behind a trusted proxy). */
  trustProxy: boolean
  /** Serve HTTPS with these files; null: plain HTTP (a proxy in front terminates TLS). */
  tls: TlsFiles | null
  /** How often the TLS files are checked for a renewal (TLS_RELOAD_INTERVAL); 0: only on SIGHUP. */
  tlsReloadSec: number
  /** WebAuthn RP ID (WEBAUTHN_RP_ID); null: ISSUER_URL's host. */
  webauthnRpId: string | null
  /** The name authenticators show (WEBAUTHN_RP_NAME). */
  webauthnRpName: string
  /** MFA: whether every user must have a second factor (`required`) or only as below (`optional`). */
  mfa: 'optional' | 'required'
  /** MFA_REQUIRED_ROLES: users with any of these roles must have a second factor. */
  mfaRequiredRoles: string[]
  /** MFA_ENCRYPTION_KEY_FILE: the key TOTP secrets are sealed under (default `<KEYS_DIR>/mfa-encryption.key`). */
  mfaEncryptionKeyFile: string
  production: boolean
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
}

type Env = Record<string, string | undefined>

function read(env: Env, name: string): string | undefined {
  const v = env[name]
  return v === undefined || v.trim() === '' ? undefined : v.trim()
}

function duration(env: Env, name: string, fallbackSec: number, minSec: number): number {
  const raw = read(env, name)
  if (raw === undefined) return fallbackSec
  const sec = parseDurationSec(raw)
  if (sec === null) throw new ConfigError(name, `must be seconds or a duration like 15m, 7d (got "${raw}")`)
  if (sec < minSec) throw new ConfigError(name, `must be at least ${minSec} s (got ${sec} s)`)
  return sec
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`)
  }
  return Number(raw)
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)
  if (raw === undefined) return fallback
  if (/^(1|true|yes|on)$/i.test(raw)) return true
  if (/^(0|false|no|off)$/i.test(raw)) return false
  throw new ConfigError(name, `must be true or false (got "${raw}")`)
}

function list(env: Env, name: string, fallback: string[]): string[] {
  const raw = read(env, name)
  if (raw === undefined) return fallback
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (items.length === 0) throw new ConfigError(name, 'must list at least one value')
  return items
}

function clientId(name: string, raw: string): string {
  if (!isClientId(raw))
    throw new ConfigError(name, `"${raw.slice(0, 64)}" is not a client id (1 to 128 of A-Z a-z 0-9 . _ ~ -)`)
  return raw
}

function url(name: string, raw: string): string {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL (got "${raw}")`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError(name, `must be an http or https URL (got "${raw}")`)
  }
  if (u.search || u.hash) throw new ConfigError(name, 'must not have a query or fragment')
  return raw.replace(/\/+$/, '')
}

// Both or neither: one alone is a half-done setup, not a request for plain HTTP.
function tlsFiles(env: Env, cwd: string): TlsFiles | null {
  const certFile = read(env, 'TLS_CERT_FILE')
  const keyFile = read(env, 'TLS_KEY_FILE')
  if (certFile === undefined && keyFile === undefined) return null
  if (keyFile === undefined)
    throw new ConfigError('TLS_KEY_FILE', 'must be set with TLS_CERT_FILE (both or neither)')
  if (certFile === undefined)
    throw new ConfigError('TLS_CERT_FILE', 'must be set with TLS_KEY_FILE (both or neither)')
  return { certFile: resolve(cwd, certFile), keyFile: resolve(cwd, keyFile) }
}

/** Reads and validates the issuer's environment once. Throws ConfigError naming the variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): IssuerConfig {
  const production = (read(env, 'NODE_ENV') ?? '') === 'production'
  const host = read(env, 'HOST') ?? '127.0.0.1'
  const port = integer(env, 'PORT', 3000, 0, 65535)
  const tls = tlsFiles(env, cwd)
  const issuerUrl = url(
    'ISSUER_URL',
    read(env, 'ISSUER_URL') ?? `${tls ? 'https' : 'http'}://localhost:${port}`,
  )
  // The localhost default is for development, whatever its scheme.
  if (production && read(env, 'ISSUER_URL') === undefined) {
    throw new ConfigError('ISSUER_URL', 'must be set in production (the https URL clients and verifiers use)')
  }
  // Served over TLS, discovery must not send clients to plain http.
  if (tls && !issuerUrl.startsWith('https://')) {
    throw new ConfigError('ISSUER_URL', `must be an https URL when TLS_CERT_FILE is set (got "${issuerUrl}")`)
  }
  const audience = list(env, 'AUDIENCE', ['api'])
  const accessTokenTtlSec = duration(env, 'ACCESS_TOKEN_TTL', 15 * 60, 30)
  const refreshIdleTtlSec = duration(env, 'REFRESH_IDLE_TTL', 7 * 86400, 60)
  const sessionAbsoluteTtlSec = duration(env, 'SESSION_ABSOLUTE_TTL', 30 * 86400, 60)
  if (sessionAbsoluteTtlSec < refreshIdleTtlSec) {
    throw new ConfigError('SESSION_ABSOLUTE_TTL', 'must be at least REFRESH_IDLE_TTL')
  }
  const refreshGraceSec = duration(env, 'REFRESH_GRACE', 10, 0)
  if (refreshGraceSec > 120) throw new ConfigError('REFRESH_GRACE', 'must be at most 120 s (0 disables it)')
  const loginSessionIdleTtlSec = duration(env, 'LOGIN_SESSION_IDLE_TTL', 3600, 60)
  const loginSessionAbsoluteTtlSec = duration(env, 'LOGIN_SESSION_ABSOLUTE_TTL', 12 * 3600, 60)
  if (loginSessionAbsoluteTtlSec < loginSessionIdleTtlSec) {
    throw new ConfigError('LOGIN_SESSION_ABSOLUTE_TTL', 'must be at least LOGIN_SESSION_IDLE_TTL')
  }
  const keysDir = read(env, 'KEYS_DIR') ?? './keys'
  const databaseUrl = read(env, 'DATABASE_URL') ?? 'sqlite:./data/issuer.db'
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/|redis:\/\/|rediss:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(
      'DATABASE_URL',
      `must start with sqlite:, postgres://, postgresql://, redis:// or rediss:// (got "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}")`,
    )
  }
  // Checked at start-up: passkeys made for another RP ID would never sign in here.
  const webauthnRpId = read(env, 'WEBAUTHN_RP_ID') ?? null
  const rpIdIssue = webauthnRpId === null ? null : rpIdProblem(webauthnRpId, issuerUrl)
  if (rpIdIssue !== null) throw new ConfigError('WEBAUTHN_RP_ID', rpIdIssue)
  const webauthnRpName = read(env, 'WEBAUTHN_RP_NAME') ?? 'tokensmith'
  if ([...webauthnRpName].length > 64)
    throw new ConfigError('WEBAUTHN_RP_NAME', 'must be at most 64 characters')
  const mfa = read(env, 'MFA') ?? 'optional'
  if (mfa !== 'optional' && mfa !== 'required') {
    throw new ConfigError('MFA', `must be optional or required (got "${mfa}")`)
  }
  const keysDirAbsolute = isAbsolute(keysDir) ? keysDir : resolve(cwd, keysDir)
  const mfaKeyFile = read(env, 'MFA_ENCRYPTION_KEY_FILE')
  const logLevel = (read(env, 'LOG_LEVEL') ?? 'info') as IssuerConfig['logLevel']
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', 'must be one of debug, info, warn, error, silent')
  }
  return {
    host,
    port,
    issuerUrl,
    audience,
    keysDir: keysDirAbsolute,
    databaseUrl,
    databasePoolSize:
      read(env, 'DATABASE_POOL_SIZE') === undefined ? null : integer(env, 'DATABASE_POOL_SIZE', 0, 1, 1000),
    accessTokenTtlSec,
    refreshIdleTtlSec,
    sessionAbsoluteTtlSec,
    refreshGraceSec,
    loginSessionIdleTtlSec,
    loginSessionAbsoluteTtlSec,
    clockSkewSec: duration(env, 'CLOCK_SKEW', 60, 0),
    revocationFeedPollMs: integer(env, 'REVOCATION_FEED_POLL_MS', 250, 20, 10000),
    scryptLogN: integer(env, 'SCRYPT_LOG_N', 15, 10, 20),
    loginWindowSec: duration(env, 'LOGIN_WINDOW', 15 * 60, 1),
    loginMaxFailuresPerAccount: integer(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 1000),
    loginMaxFailuresPerAddress: integer(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 50, 1, 100000),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 8192, 1024, 1048576),
    keysRescanSec: duration(env, 'KEYS_RESCAN_INTERVAL', 60, 1),
    purgeIntervalSec: duration(env, 'PURGE_INTERVAL', 600, 1),
    helperThreadNice: integer(env, 'HELPER_THREAD_NICE', 5, 0, 19),
    clientIds: list(env, 'CLIENT_IDS', ['default']).map((id) => clientId('CLIENT_IDS', id)),
    cookieOrigins: list(env, 'COOKIE_ORIGINS', []).map((o) => url('COOKIE_ORIGINS', o)),
    cookieSecure: bool(env, 'COOKIE_SECURE', true),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    tls,
    tlsReloadSec: duration(env, 'TLS_RELOAD_INTERVAL', 5, 0),
    webauthnRpId,
    webauthnRpName,
    mfa,
    mfaRequiredRoles: list(env, 'MFA_REQUIRED_ROLES', []),
    mfaEncryptionKeyFile:
      mfaKeyFile === undefined ? join(keysDirAbsolute, 'mfa-encryption.key') : resolve(cwd, mfaKeyFile),
    production,
    logLevel,
  }
}
