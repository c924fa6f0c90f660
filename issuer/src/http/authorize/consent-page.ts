import { html } from 'hono/html'
import { hiddenFields, pageLayout } from './page-layout.ts'

/** What each scope the issuer itself defines lets the application do, in words. */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'Know who you are (your account id)',
  profile: 'See your name and username',
  email: 'See your e-mail address',
  offline_access: 'Stay signed in while you are away',
  roles: 'See your roles',
  account: 'Manage your sign-in sessions',
}

/** The consent page of a third-party client: every scope asked, Allow or Deny. */
export function consentPage(p: {
  clientName: string
  username: string
  scope: readonly string[]
  action: string
  fields: ReadonlyMap<string, string>
  csrf: string
}) {
  return pageLayout(
    'Allow access?',
    html`<h1>${p.clientName} wants to access your account</h1>
<p>Signed in as ${p.username}. If you allow it, ${p.clientName} may:</p>
<ul>
${p.scope.map((s) => html`<li>${SCOPE_WORDS[s] === undefined ? s : html`${SCOPE_WORDS[s]} (${s})`}</li>\n`)}</ul>
<form method="post" action="${p.action}">
${hiddenFields(p.fields)}<input type="hidden" name="csrf" value="${p.csrf}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  )
}
