import { type AuthService, createAuthService } from '../core/auth-service.ts'
import { type Clock, systemClock } from '../core/clock.ts'
import { createPasswordHasher } from '../core/passwords/password-hasher.ts'
import type { Store } from '../core/store.ts'
import { createAccessTokenSigner } from '../core/tokens/access-token-signer.ts'
import { createAccessTokenVerifier } from '../core/tokens/access-token-verifier.ts'
import { ConfigError } from '../errors.ts'
import { createIssuerApp } from '../http/create-issuer-app.ts'
import { generateKey } from '../keys/generate-key.ts'
import { readManifest } from '../keys/key-manifest.ts'
import { createKeyRing, type KeyRing } from '../keys/key-ring.ts'
import { currentKeyAt } from '../keys/key-schedule.ts'
import { openStore } from '../store/open-store.ts'
import type { IssuerConfig } from './config.ts'
import { createLogger, type Logger } from './logger.ts'

export interface Issuer {
  app: ReturnType<typeof createIssuerApp>
  auth: AuthService
  keyRing: KeyRing
  store: Store
  logger: Logger
  /** Re-reads the keys directory; logs and keeps the last good set on failure. */
  reloadKeys(): Promise<boolean>
  /** Stops timers and closes the store. */
  close(): Promise<void>
}

/** Longest the JWKS may be cached: well under the publish lead, so verifiers see `next` keys in time. */
export function jwksMaxAgeFor(publishLeadSec: number): number {
  return Math.max(0, Math.min(300, Math.floor(publishLeadSec / 3)))
}

/**
 * Wires the issuer from its configuration: store (migrated), keys (the first one generated in
 * an empty directory), hasher, signer and HTTP app. Background work: key rescan and purge.
 */
export async function startIssuer(
  config: IssuerConfig,
  opts: { clock?: Clock; logger?: Logger; store?: Store } = {},
): Promise<Issuer> {
  const clock = opts.clock ?? systemClock
  const logger = opts.logger ?? createLogger({ level: config.logLevel, clock })

  const retireAfterNeeded = config.accessTokenTtlSec + config.clockSkewSec
  const manifest = await readManifest(config.keysDir)
  if (currentKeyAt(manifest, clock()) === undefined && manifest.keys.length === 0) {
    const { entry } = await generateKey({
      dir: config.keysDir,
      now: clock(),
      retireAfterSec: retireAfterNeeded,
    })
    logger.warn('keys_generated', {
      kid: entry.kid,
      dir: config.keysDir,
      message:
        'No signing key was found, so a first RS256 key was generated. Use `pnpm genkeys` in production.',
    })
  }
  const keyRing = await createKeyRing({ dir: config.keysDir, clock })
  if (keyRing.manifest().retireAfterSec < retireAfterNeeded) {
    throw new ConfigError(
      'ACCESS_TOKEN_TTL',
      `plus CLOCK_SKEW is ${retireAfterNeeded} s, longer than the key manifest's retireAfterSec ` +
        `(${keyRing.manifest().retireAfterSec} s): replaced keys would leave the JWKS before their tokens expire. ` +
        `Run \`pnpm genkeys --retire-after ${retireAfterNeeded}\` or shorten ACCESS_TOKEN_TTL.`,
    )
  }
  keyRing.signingKey(clock()) // refuse to start with no current key

  const store =
    opts.store ??
    (await openStore(config.databaseUrl, {
      server: true,
      // Idle server connections fail on their own; log it (the driver's message holds no secret).
      onError: (err) =>
        logger.error('store_connection_error', {
          name: err.name,
          code: String((err as { code?: unknown }).code ?? ''),
        }),
    }))
  await store.migrate()

  const hasher = createPasswordHasher({ cost: { logN: config.scryptLogN, r: 8, p: 1 } })
  const signer = createAccessTokenSigner({
    keyRing,
    issuer: config.issuerUrl,
    audience: config.audience,
    ttlSec: config.accessTokenTtlSec,
    clock,
  })
  const verifier = createAccessTokenVerifier({
    keyRing,
    issuer: config.issuerUrl,
    audience: config.audience,
    clockSkewSec: config.clockSkewSec,
    clock,
  })
  const auth = createAuthService({ store, signer, hasher, clock, logger, config })
  const app = createIssuerApp({
    auth,
    verifier,
    keyRing,
    store,
    clock,
    logger,
    config,
    jwksMaxAgeSec: jwksMaxAgeFor(keyRing.manifest().publishLeadSec),
  })

  const reloadKeys = async (): Promise<boolean> => {
    try {
      await keyRing.reload()
      logger.info('keys_reloaded', { published: keyRing.jwks(clock()).keys.length })
      return true
    } catch (err) {
      logger.error('keys_reload_failed', { message: (err as Error).message })
      return false
    }
  }
  const purge = async () => {
    try {
      const removed = await store.purgeExpired(clock())
      if (removed > 0) logger.info('purged_expired', { rows: removed })
    } catch (err) {
      logger.error('purge_failed', { name: (err as Error).name })
    }
  }
  const timers = [
    setInterval(reloadKeys, config.keysRescanSec * 1000),
    setInterval(purge, config.purgeIntervalSec * 1000),
  ]
  for (const t of timers) t.unref()

  return {
    app,
    auth,
    keyRing,
    store,
    logger,
    reloadKeys,
    async close() {
      for (const t of timers) clearInterval(t)
      await store.close()
    },
  }
}
