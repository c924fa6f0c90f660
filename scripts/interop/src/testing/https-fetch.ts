// fetch() for a server whose certificate a test CA signed. Node's own fetch trusts only the
// system store (NODE_EXTRA_CA_CERTS is read once, at start), so the test's browser and its checks
// go through node:https with the CA given here, answering WHATWG Responses like fetch does.
// Redirects are never followed: the tests read each Location themselves.
import { request } from 'node:https'

export type Fetcher = (url: string, init?: RequestInit) => Promise<Response>

export function httpsFetcher(caPem: string): Fetcher {
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      const headers = new Headers(init.headers)
      const body = init.body === undefined || init.body === null ? undefined : String(init.body)
      if (body !== undefined) headers.set('content-length', String(Buffer.byteLength(body)))
      const req = request(
        url,
        { method: init.method ?? 'GET', headers: Object.fromEntries(headers), ca: caPem, agent: false },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', reject)
          res.on('end', () => {
            const answer = new Headers()
            for (const [name, value] of Object.entries(res.headers)) {
              for (const v of Array.isArray(value) ? value : [value ?? '']) answer.append(name, v)
            }
            const status = res.statusCode ?? 0
            const nullBody = status === 204 || status === 304
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: answer }))
          })
        },
      )
      req.on('error', reject)
      req.end(body)
    })
}
