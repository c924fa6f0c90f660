import { Hono } from 'hono'
import type { Clock } from '../core/clock.ts'
import type { Store } from '../core/store.ts'
import type { KeyRing } from '../keys/key-ring.ts'

/** `/healthz` (the process answers) and `/readyz` (the store answers and a key is current). */
export function createHealthRoutes(deps: { store: Store; keyRing: KeyRing; clock: Clock }): Hono {
  const routes = new Hono()
  routes.get('/healthz', (c) => c.json({ status: 'ok' }))
  routes.get('/readyz', async (c) => {
    const checks: Record<string, 'ok' | 'failing'> = { store: 'ok', keys: 'ok' }
    try {
      await deps.store.ping()
    } catch {
      checks.store = 'failing'
    }
    try {
      deps.keyRing.signingKey(deps.clock())
    } catch {
      checks.keys = 'failing'
    }
    const ready = checks.store === 'ok' && checks.keys === 'ok'
    return c.json({ status: ready ? 'ready' : 'unavailable', checks }, ready ? 200 : 503)
  })
  return routes
}
