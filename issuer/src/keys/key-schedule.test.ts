import { describe, expect, it } from 'vitest'
import type { KeyManifest, ManifestKey } from './key-manifest.ts'
import { currentKeyAt, type KeyState, keyScheduleAt, keyScheduleSpanAt } from './key-schedule.ts'

const T0 = Date.parse('2026-01-01T00:00:00.000Z')
const MIN = 60_000
const iso = (ms: number) => new Date(ms).toISOString()
const kid = (c: string) => c.repeat(43)

function key(c: string, activateAt: number, extra: Partial<ManifestKey> = {}): ManifestKey {
  return {
    kid: kid(c),
    alg: 'RS256',
    file: `${c}.pem`,
    createdAt: iso(T0),
    activateAt: iso(activateAt),
    ...extra,
  }
}

// A current at T0; B added at T0+5m with a 15-minute lead (activates T0+20m); retire after 16m.
const manifest: KeyManifest = {
  version: 1,
  retireAfterSec: 16 * 60,
  publishLeadSec: 15 * 60,
  keys: [key('B', T0 + 20 * MIN), key('A', T0)],
}

function states(m: KeyManifest, at: number): Record<string, KeyState> {
  return Object.fromEntries(keyScheduleAt(m, at).map((s) => [s.key.file[0], s.state]))
}

describe('keyScheduleAt', () => {
  it.each([
    [-1, { A: 'next', B: 'next' }],
    [0, { A: 'current', B: 'next' }],
    [5 * MIN, { A: 'current', B: 'next' }],
    [20 * MIN - 1, { A: 'current', B: 'next' }],
    [20 * MIN, { A: 'previous', B: 'current' }],
    [36 * MIN - 1, { A: 'previous', B: 'current' }],
    [36 * MIN, { A: 'retired', B: 'current' }],
    [400 * MIN, { A: 'retired', B: 'current' }],
  ] as const)('at T0%+d ms the states are %o', (offset, expected) => {
    expect(states(manifest, T0 + offset)).toEqual(expected)
  })

  it('gives activation and retirement instants', () => {
    const [a, b] = keyScheduleAt(manifest, T0)
    expect(a?.key.file).toBe('A.pem')
    expect(a?.retireAt).toBe(T0 + 36 * MIN)
    expect(b?.activateAt).toBe(T0 + 20 * MIN)
    expect(b?.retireAt).toBeNull()
  })

  it('names exactly one current key at every instant after the first activation', () => {
    const three: KeyManifest = { ...manifest, keys: [...manifest.keys, key('C', T0 + 30 * MIN)] }
    for (let t = T0; t < T0 + 120 * MIN; t += 37_000) {
      const current = keyScheduleAt(three, t).filter((s) => s.state === 'current')
      expect(current).toHaveLength(1)
    }
    expect(currentKeyAt(three, T0 + 25 * MIN)?.file).toBe('B.pem')
    expect(currentKeyAt(three, T0 + 30 * MIN)?.file).toBe('C.pem')
    // B signed for only 10 minutes but still stays published until its tokens expire.
    expect(states(three, T0 + 46 * MIN - 1)).toEqual({ A: 'retired', B: 'previous', C: 'current' })
    expect(states(three, T0 + 46 * MIN)).toEqual({ A: 'retired', B: 'retired', C: 'current' })
  })

  it('has no current key before the first activation', () => {
    expect(currentKeyAt(manifest, T0 - 1)).toBeUndefined()
    expect(currentKeyAt({ ...manifest, keys: [] }, T0)).toBeUndefined()
  })

  it('unpublishes a key retired by hand at that instant, without reviving older keys', () => {
    const m: KeyManifest = {
      ...manifest,
      keys: [
        key('A', T0),
        key('B', T0 + 20 * MIN, { retiredAt: iso(T0 + 25 * MIN) }),
        key('C', T0 + 24 * MIN),
      ],
    }
    expect(states(m, T0 + 24 * MIN)).toEqual({ A: 'previous', B: 'previous', C: 'current' })
    expect(states(m, T0 + 25 * MIN)).toEqual({ A: 'previous', B: 'retired', C: 'current' })
    expect(states(m, T0 + 36 * MIN)).toEqual({ A: 'retired', B: 'retired', C: 'current' })
  })
})

describe('keyScheduleSpanAt', () => {
  const emergency: KeyManifest = {
    ...manifest,
    keys: [key('A', T0, { retiredAt: iso(T0 + 25 * MIN) }), key('B', T0 + 20 * MIN), key('C', T0 + 40 * MIN)],
  }

  it('gives the span between the transitions around an instant', () => {
    expect(keyScheduleSpanAt(manifest, T0 - 1)).toMatchObject({ from: -Infinity, until: T0 })
    expect(keyScheduleSpanAt(manifest, T0)).toMatchObject({ from: T0, until: T0 + 20 * MIN })
    expect(keyScheduleSpanAt(manifest, T0 + 20 * MIN - 1)).toMatchObject({ from: T0, until: T0 + 20 * MIN })
    expect(keyScheduleSpanAt(manifest, T0 + 20 * MIN)).toMatchObject({
      from: T0 + 20 * MIN,
      until: T0 + 36 * MIN,
    })
    expect(keyScheduleSpanAt(manifest, T0 + 36 * MIN)).toMatchObject({ from: T0 + 36 * MIN, until: Infinity })
    expect(keyScheduleSpanAt(emergency, T0 + 24 * MIN)).toMatchObject({
      from: T0 + 20 * MIN,
      until: T0 + 25 * MIN,
    })
  })

  it('holds one schedule over its whole span, and a different one on either side', () => {
    for (const m of [manifest, emergency]) {
      for (let at = T0 - MIN; at < T0 + 80 * MIN; at += 30_000) {
        const { statuses, from, until } = keyScheduleSpanAt(m, at)
        expect(statuses).toEqual(keyScheduleAt(m, at))
        for (const inside of [from, until - 1].filter(Number.isFinite)) {
          expect(keyScheduleAt(m, inside)).toEqual(statuses)
        }
        if (Number.isFinite(until)) expect(keyScheduleAt(m, until)).not.toEqual(statuses)
        if (Number.isFinite(from)) expect(keyScheduleAt(m, from - 1)).not.toEqual(statuses)
      }
    }
  })
})

describe('keyScheduleAt with a standby', () => {
  const standby = (c: string, createdAt: number): ManifestKey =>
    key(c, 0, { createdAt: iso(createdAt), activateAt: '9999-12-31T23:59:59.999Z', standby: true })
  const withStandby: KeyManifest = { ...manifest, keys: [key('A', T0), standby('S', T0 + MIN)] }

  it('publishes it as next for ever, replacing nobody, however far its sentinel activateAt lies', () => {
    for (const at of [T0, T0 + 365 * 24 * 60 * MIN]) {
      expect(states(withStandby, at)).toEqual({ A: 'current', S: 'next' })
    }
    const [a, s] = keyScheduleAt(withStandby, T0)
    expect(a?.retireAt).toBeNull()
    expect(s?.activateAt).toBe(Number.POSITIVE_INFINITY)
    expect(keyScheduleSpanAt(withStandby, T0 + MIN).until).toBe(Number.POSITIVE_INFINITY)
  })

  it('an older reader that ignores the standby field still sees it as next: its activateAt never comes', () => {
    const asOldReaderSeesIt: KeyManifest = {
      ...withStandby,
      keys: withStandby.keys.map(({ standby: _ignored, ...k }) => k),
    }
    const inAMillenium = T0 + 1000 * 365 * 24 * 60 * MIN
    expect(states(asOldReaderSeesIt, inAMillenium)).toEqual({ A: 'current', S: 'next' })
  })

  it('keeps standbys last, behind a scheduled next key, and drops one retired by hand', () => {
    const m: KeyManifest = {
      ...manifest,
      keys: [standby('S', T0), key('A', T0), key('B', T0 + 20 * MIN)],
    }
    expect(keyScheduleAt(m, T0).map((s) => s.key.file[0])).toEqual(['A', 'B', 'S'])
    expect(states(m, T0 + 20 * MIN)).toEqual({ A: 'previous', B: 'current', S: 'next' })
    const retired = { ...m, keys: [...m.keys.slice(1), standby('S', T0)] }
    const r = retired.keys[2]
    if (r) r.retiredAt = iso(T0 + MIN)
    expect(states(retired, T0 + MIN)).toEqual({ A: 'current', B: 'next', S: 'retired' })
  })
})
