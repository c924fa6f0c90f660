// The browser origins a client may call the token, revocation and userinfo endpoints from with
// CORS (Fetch standard, CORS protocol): those registered with `--web-origin`, and for a public
// client (a single-page app) the origins of its https and loopback redirect URIs, where its pages
// live. A confidential client's redirect URIs name a server, not a browser app: they add none.
import type { ClientRecord } from './client-record.ts'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

/** Why `origin` cannot be registered as a web origin, or null when it can. */
export function webOriginProblem(origin: string): string | null {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return 'must be an origin such as https://app.example.com'
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    return 'must be https (http only for 127.0.0.1, [::1] or localhost)'
  }
  // An origin is scheme, host and port: nothing else, and exactly as browsers serialise it.
  if (url.origin !== origin) return `must be an origin alone, as browsers send it (${url.origin})`
  return null
}

/** The origins allowed for `client`, each as browsers send it in `Origin`. */
export function webOriginsOf(client: Pick<ClientRecord, 'type' | 'redirectUris' | 'webOrigins'>): string[] {
  const origins = new Set(client.webOrigins)
  if (client.type === 'public') {
    for (const uri of client.redirectUris) {
      const origin = redirectOrigin(uri)
      if (origin !== null) origins.add(origin)
    }
  }
  return [...origins]
}

function redirectOrigin(uri: string): string | null {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return null
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    return url.origin
  }
  return null
}
