import { html } from 'hono/html'
import { hiddenFields, pageLayout } from './page-layout.ts'

/** RP-Initiated Logout 1.0 §2: without a valid id_token_hint, the user confirms the sign-out. */
export function confirmLogoutPage(p: { action: string; fields: ReadonlyMap<string, string>; csrf: string }) {
  return pageLayout(
    'Sign out?',
    html`<h1>Sign out?</h1>
<p>You will be signed out of this sign-in service and of the applications you used it for.</p>
<form method="post" action="${p.action}">
${hiddenFields(p.fields)}<input type="hidden" name="csrf" value="${p.csrf}">
<button type="submit" name="confirm" value="yes">Sign out</button>
</form>`,
  )
}

export function signedOutPage() {
  return pageLayout('Signed out', html`<h1>Signed out</h1>\n<p role="status">You are signed out.</p>`)
}
