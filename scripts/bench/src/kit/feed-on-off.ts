// `verify()` with the revocation feed followed vs not, on the same real token of a live issuer:
// what following the feed costs per verification (a few map lookups).
import { createVerifier } from '@tokensmith/verifier-sdk'
import { opsAsync, runRounds } from './throughput.ts'

export async function feedOnOffRounds(opts: {
  issuerUrl: string
  token: string
  rounds: number
  verifications: number
  inFlight: number
}): Promise<Map<string, number[]>> {
  const base = { issuer: opts.issuerUrl, audience: 'api' }
  const on = createVerifier({ ...base })
  const off = createVerifier({ ...base, revocation: false })
  try {
    await Promise.all([on.ready(), off.ready()])
    await on.verify(opts.token)
    await off.verify(opts.token)
    if (on.revocationEntries() === 0)
      throw new Error('the feed-on verifier holds no entry: is the feed followed?')
    return await runRounds(
      [
        { name: 'sdk feed on', run: (n) => opsAsync(() => on.verify(opts.token), n, opts.inFlight) },
        { name: 'sdk feed off', run: (n) => opsAsync(() => off.verify(opts.token), n, opts.inFlight) },
      ],
      opts.rounds,
      opts.verifications,
    )
  } finally {
    on.close()
    off.close()
  }
}
