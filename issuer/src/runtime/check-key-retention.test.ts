import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors.ts'
import { checkKeyRetention, retentionNeededSec } from './check-key-retention.ts'

describe('checkKeyRetention', () => {
  const config = { accessTokenTtlSec: 900, clockSkewSec: 60 }

  it('needs replaced keys published for a token lifetime plus the clock skew', () => {
    expect(retentionNeededSec(config)).toBe(960)
    expect(() => checkKeyRetention(config, 960)).not.toThrow()
  })

  it('refuses a shorter retireAfterSec, naming the variable and the fix', () => {
    let thrown: unknown
    try {
      checkKeyRetention(config, 959)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect((thrown as ConfigError).variable).toBe('ACCESS_TOKEN_TTL')
    expect((thrown as ConfigError).message).toMatch(/pnpm genkeys --retire-after 960/)
  })
})
