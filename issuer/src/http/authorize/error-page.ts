import { html } from 'hono/html'
import { pageLayout } from './page-layout.ts'

/**
 * A request the issuer will not send back to the client (unknown client, unregistered
 * redirect URI, a forged form): the reason, and the browser stays here (RFC 6749 §4.1.2.1).
 */
export function errorPage(reason: string, title = 'Sign-in request refused') {
  return pageLayout(
    title,
    html`<h1>${title}</h1>
<p role="alert">${reason}</p>
<p>Go back to the application and try again.</p>`,
  )
}
