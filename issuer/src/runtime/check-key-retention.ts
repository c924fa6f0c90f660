import { ConfigError } from '../errors.ts'
import type { IssuerConfig } from './config.ts'

/** How long a replaced key must stay published: a token it signed may live that long. */
export function retentionNeededSec(config: Pick<IssuerConfig, 'accessTokenTtlSec' | 'clockSkewSec'>): number {
  return config.accessTokenTtlSec + config.clockSkewSec
}

/**
 * Refuses a configuration whose access tokens outlive the key manifest's `retireAfterSec`:
 * replaced keys would leave the JWKS while tokens they signed are still valid.
 */
export function checkKeyRetention(
  config: Pick<IssuerConfig, 'accessTokenTtlSec' | 'clockSkewSec'>,
  retireAfterSec: number,
): void {
  const needed = retentionNeededSec(config)
  if (retireAfterSec < needed) {
    throw new ConfigError(
      'ACCESS_TOKEN_TTL',
      `plus CLOCK_SKEW is ${needed} s, longer than the key manifest's retireAfterSec ` +
        `(${retireAfterSec} s): replaced keys would leave the JWKS before their tokens expire. ` +
        `Run \`pnpm genkeys --retire-after ${needed}\` or shorten ACCESS_TOKEN_TTL.`,
    )
  }
}
