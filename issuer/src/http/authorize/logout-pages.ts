import { html } from 'hono/html'
import { hiddenFields, pageLayout } from './page-layout.ts'

/** RP-Initiated Logout 1.0 §2: unless the id_token_hint is of this login session, the user confirms. */
export function confirmLogoutPage(p: {
  action: string
  fields: ReadonlyMap<string, string>
  csrf: string
  /** Whether this browser is signed in here; if not, there is nothing to end but the page says so. */
  signedIn: boolean
}) {
  return pageLayout(
    'Sign out?',
    html`<h1>Sign out?</h1>
<p>${
      p.signedIn
        ? 'An application asked to sign you out. You will be signed out of this sign-in service and of the applications you used it for.'
        : 'An application asked to sign you out. This browser is not signed in here.'
    }</p>
<form method="post" action="${p.action}">
${hiddenFields(p.fields)}<input type="hidden" name="csrf" value="${p.csrf}">
<button type="submit" name="confirm" value="yes">Sign out</button>
</form>`,
  )
}

export function signedOutPage() {
  return pageLayout('Signed out', html`<h1>Signed out</h1>\n<p role="status">You are signed out.</p>`)
}
