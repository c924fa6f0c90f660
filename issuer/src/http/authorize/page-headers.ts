import type { Context } from 'hono'

/**
 * The headers of every page the issuer renders: no script but the issuer's own passkey script, styles from the issuer's own
 * stylesheet, never framed (clickjacking), never cached, no referrer leaking the query. A page
 * whose form is answered with a redirect to the client lists that origin in `form-action`:
 * Chromium applies `form-action` to the redirect that follows the post.
 */
export function setPageHeaders(c: Context, redirectTarget?: string, opts: { script?: boolean } = {}): void {
  const formAction = ["'self'", ...(redirectTarget === undefined ? [] : [cspSourceOf(redirectTarget)])]
  // A page with a passkey button runs the issuer's own script, which only talks to the issuer.
  const script = opts.script === true ? " script-src 'self'; connect-src 'self';" : ''
  c.header(
    'Content-Security-Policy',
    `default-src 'none';${script} style-src 'self'; img-src 'self'; form-action ${formAction.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
  )
  c.header('X-Frame-Options', 'DENY')
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Referrer-Policy', 'no-referrer')
  c.header('Cache-Control', 'no-store')
  c.header('Pragma', 'no-cache')
}

/** An http(s) URI's origin, or a private-use scheme as a scheme-source (`com.example.app:`). */
function cspSourceOf(uri: string): string {
  const url = new URL(uri)
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol
}
