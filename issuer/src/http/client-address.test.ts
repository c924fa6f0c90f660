import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { clientAddressFrom } from './client-address.ts'

const addressOf = async (trustProxy: boolean, forwarded: string) => {
  const app = new Hono().get('/', (c) => c.text(clientAddressFrom(trustProxy)(c) ?? 'none'))
  return (await app.request('/', { headers: { 'x-forwarded-for': forwarded } })).text()
}

describe('clientAddressFrom', () => {
  it('behind a trusted proxy, the hop the proxy added: what the client wrote before it is ignored', async () => {
    expect(await addressOf(true, '203.0.113.9')).toBe('203.0.113.9')
    // A proxy that appends (nginx $proxy_add_x_forwarded_for, most load balancers).
    expect(await addressOf(true, '10.0.0.1, 198.51.100.7')).toBe('198.51.100.7')
    expect(await addressOf(true, '1.2.3.4,5.6.7.8 ,  198.51.100.8')).toBe('198.51.100.8')
  })

  it('without a trusted proxy, the header is not read at all', async () => {
    expect(await addressOf(false, '198.51.100.7')).toBe('none')
  })
})
