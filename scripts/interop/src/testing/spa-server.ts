// The static server of the single-page app (scripts/interop/spa/): its own origin, no bundler.
// oidc-client-ts ships a browser bundle that sets the global `oidc`; it is served straight from
// node_modules, and config.js tells the page where the issuer is and which client it is.
import { readFile } from 'node:fs/promises'
import type { RequestListener } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SPA_DIR = fileURLToPath(new URL('../../spa/', import.meta.url))
const OIDC_CLIENT_BUNDLE = join(
  dirname(createRequire(import.meta.url).resolve('oidc-client-ts/package.json')),
  'dist/browser/oidc-client-ts.min.js',
)
/** The app's pages: one document, app.js acts on the path. */
const PAGES = new Set(['/', '/callback.html', '/signed-out.html'])

export function spaServer(config: { issuer: string; clientId: string }): RequestListener {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://spa').pathname
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body)
    }
    const file = (name: string, type: string) =>
      readFile(name).then(
        (body) => send(type, body),
        () => res.writeHead(500).end(),
      )
    if (PAGES.has(path)) return void file(join(SPA_DIR, 'index.html'), 'text/html; charset=utf-8')
    if (path === '/app.js') return void file(join(SPA_DIR, 'app.js'), 'text/javascript')
    if (path === '/oidc-client-ts.min.js') return void file(OIDC_CLIENT_BUNDLE, 'text/javascript')
    if (path === '/config.js') {
      return send('text/javascript', `window.NOTES_CONFIG = ${JSON.stringify(config)}\n`)
    }
    res.writeHead(404).end()
  }
}
