import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.ts'
import { type ClientRecord, firstPartyPublicClient, GRANT_TYPES } from '../clients/client-record.ts'
import { createTokenGrants } from './create-token-grants.ts'

// The grants' operations are proved through /oauth/token (http/oauth/*.test.ts); this file proves
// the list itself: what the metadata advertises and what no grant may skip.
const unused = () => {
  throw new Error('a refused grant must not reach the core operation')
}
const grants = createTokenGrants({
  login: { loginAs: unused },
  codes: { redeem: unused },
  refresh: { refresh: unused },
  signer: { sign: unused, signService: unused } as never,
  defaultAudience: ['api'],
})
const meta = { clientIp: null, userAgent: null }

describe('the token grants', () => {
  it('are the grants a client can be registered for, in the registry order the metadata lists', () => {
    expect(grants.map((g) => g.type)).toEqual([...GRANT_TYPES])
  })

  it('each name their parameters once, and never grant_type or client authentication', () => {
    for (const { params } of grants) {
      const names = [...params.required, ...params.optional]
      expect(new Set(names).size).toBe(names.length)
      for (const taken of ['grant_type', 'client_id', 'client_secret', 'client_assertion']) {
        expect(names).not.toContain(taken)
      }
    }
  })

  it.each(grants.map((g) => [g.type, g] as const))(
    '%s refuses a client not registered for it, as unauthorized_client',
    async (type, grant) => {
      const client: ClientRecord = {
        ...firstPartyPublicClient('app', 0),
        type: 'confidential',
        grants: GRANT_TYPES.filter((g) => g !== type),
      }
      const params = Object.fromEntries(grant.params.required.map((name) => [name, 'x']))
      const refused = await grant.handle(client, params, meta).catch((err: unknown) => err)
      expect(refused).toBeInstanceOf(OAuthError)
      expect(refused).toMatchObject({ code: 'unauthorized_client' })
    },
  )
})
