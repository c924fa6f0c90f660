import { describe, expect, it } from 'vitest'
import { keyEventsAt } from './key-events.ts'
import type { KeyManifest, ManifestKey } from './key-manifest.ts'
import { keyScheduleAt } from './key-schedule.ts'

const T0 = Date.parse('2026-01-01T00:00:00.000Z')
const MIN = 60_000
const iso = (ms: number) => new Date(ms).toISOString()
const HORIZON = 16 * MIN

function key(
  c: string,
  createdAt: number,
  activateAt: number,
  extra: Partial<ManifestKey> = {},
): ManifestKey {
  return {
    kid: c,
    alg: 'RS256',
    file: `${c}.pem`,
    createdAt: iso(createdAt),
    activateAt: iso(activateAt),
    ...extra,
  }
}

// A signs from T0; B published at T0+5m, promoted at T0+20m; A retires 16 minutes after that.
const manifest: KeyManifest = {
  version: 1,
  retireAfterSec: 16 * 60,
  publishLeadSec: 15 * 60,
  keys: [key('A', T0, T0), key('B', T0 + 5 * MIN, T0 + 20 * MIN)],
}

const eventsAt = (m: KeyManifest, at: number) => keyEventsAt(keyScheduleAt(m, at), at, HORIZON)

describe('keyEventsAt (the feed\u2019s key events, from the schedule alone)', () => {
  it.each([
    [
      T0 + 10 * MIN,
      [
        { kid: 'A', event: 'promoted', at: T0 },
        { kid: 'B', event: 'published', at: T0 + 5 * MIN },
      ],
    ],
    [
      T0 + 25 * MIN,
      [
        { kid: 'A', event: 'promoted', at: T0 },
        { kid: 'B', event: 'promoted', at: T0 + 20 * MIN },
      ],
    ],
    [
      T0 + 40 * MIN,
      [
        { kid: 'B', event: 'promoted', at: T0 + 20 * MIN },
        { kid: 'A', event: 'retired', at: T0 + 36 * MIN },
      ],
    ],
    // A retired key is told for the horizon after it retired, then no more.
    [T0 + 36 * MIN + HORIZON, [{ kid: 'B', event: 'promoted', at: T0 + 20 * MIN }]],
  ])('at %s', (at, expected) => {
    expect(eventsAt(manifest, at)).toEqual(expected)
  })

  it('tells a key retired by hand (an emergency) from that instant', () => {
    const emergency: KeyManifest = {
      ...manifest,
      keys: [key('A', T0, T0, { retiredAt: iso(T0 + 12 * MIN) }), key('B', T0 + 5 * MIN, T0 + 11 * MIN)],
    }
    expect(eventsAt(emergency, T0 + 12 * MIN)).toEqual([
      { kid: 'B', event: 'promoted', at: T0 + 11 * MIN },
      { kid: 'A', event: 'retired', at: T0 + 12 * MIN },
    ])
  })
})
