// A browser for in-process tests of the hosted pages: a cookie jar (by name, as the issuer sets
// them on /oauth), redirects not followed, and the hidden fields of a page's form read back.
import { createHash, randomBytes } from 'node:crypto'

type Fetcher = (path: string, init?: RequestInit) => Promise<Response>

export interface BrowserSession {
  cookies: Map<string, string>
  get(pathOrUrl: string): Promise<Response>
  post(path: string, fields: Record<string, string> | URLSearchParams): Promise<Response>
}

/** A PKCE pair (RFC 7636 §4.1, §4.2 S256). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export function createBrowserSession(fetcher: Fetcher, issuerOrigin: string): BrowserSession {
  const cookies = new Map<string, string>()
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attrs.some((a) => /^\s*max-age=0$/i.test(a)) || value === ''
      if (expired) cookies.delete(name)
      else cookies.set(name, value)
    }
    return res
  }
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  const pathOf = (u: string) => (u.startsWith(issuerOrigin) ? u.slice(issuerOrigin.length) : u)
  return {
    cookies,
    async get(u) {
      return keep(await fetcher(pathOf(u), { headers: { cookie: cookieHeader() } }))
    },
    async post(path, fields) {
      const body = fields instanceof URLSearchParams ? fields : new URLSearchParams(fields)
      return keep(
        await fetcher(path, {
          method: 'POST',
          headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
          body: body.toString(),
        }),
      )
    },
  }
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
}

/**
 * The hidden fields of the page's first form (what a browser posts with its first submit button),
 * unescaped, in order.
 */
export function hiddenFieldsOf(page: string): URLSearchParams {
  const fields = new URLSearchParams()
  const start = page.indexOf('<form')
  const end = page.indexOf('</form>', start)
  const form = start < 0 ? page : page.slice(start, end < 0 ? undefined : end)
  for (const m of form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e)
    fields.append(decode(m[1] ?? ''), decode(m[2] ?? ''))
  }
  return fields
}

/**
 * From an authorization URL through the hosted pages (signing in with `credentials`, allowing
 * consent) to the redirect back to the client; answers that redirect's URL.
 */
export async function followToRedirect(
  browser: BrowserSession,
  url: string,
  credentials: { username: string; password: string },
): Promise<{ location: URL; response: Response }> {
  let res = await browser.get(url)
  for (let step = 0; step < 3 && res.status === 200; step++) {
    const page = await res.text()
    const fields = hiddenFieldsOf(page)
    if (page.includes('name="password"')) {
      fields.set('username', credentials.username)
      fields.set('password', credentials.password)
    } else if (page.includes('value="allow"')) {
      fields.set('decision', 'allow')
    }
    res = await browser.post('/oauth/authorize', fields)
  }
  const location = res.headers.get('location')
  if (location === null) throw new Error(`no redirect back: ${res.status}`)
  return { location: new URL(location), response: res }
}
