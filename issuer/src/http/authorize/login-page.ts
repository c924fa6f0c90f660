import { html } from 'hono/html'
import { hiddenFields, PASSKEY_SCRIPT_PATH, pageLayout } from './page-layout.ts'

export interface LoginPageInput {
  clientName: string
  /** Where the form posts (the authorization endpoint). */
  action: string
  fields: ReadonlyMap<string, string>
  csrf: string
  username: string
  /** The refusal to announce, and which field it is about. */
  problem: { message: string; field: 'username' | 'password' } | null
  /** Whether to offer "Sign in with a passkey" (a passkey as the only step). */
  passkey: boolean
}

/**
 * The hosted login form. A refusal is announced (`role="alert"`), its field marked invalid and
 * focused; the username keeps its value, the password never comes back.
 */
export function loginPage(p: LoginPageInput) {
  const focus = p.problem?.field ?? (p.username === '' ? 'username' : 'password')
  const invalid = (field: 'username' | 'password') =>
    p.problem?.field === field || (p.problem !== null && field === 'password')
      ? html` aria-invalid="true" aria-describedby="login-problem"`
      : ''
  const autofocus = (field: 'username' | 'password') => (focus === field ? html` autofocus` : '')
  return pageLayout(
    'Sign in',
    html`<h1>Sign in to continue to ${p.clientName}</h1>
${p.problem === null ? '' : html`<p role="alert" id="login-problem">${p.problem.message}</p>`}
<form method="post" action="${p.action}">
${hiddenFields(p.fields)}<input type="hidden" name="csrf" value="${p.csrf}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${p.username}" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256"${invalid('username')}${autofocus('username')}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required maxlength="4096"${invalid('password')}${autofocus('password')}>
<button type="submit">Sign in</button>
</form>${
      p.passkey
        ? html`
<form method="post" action="${p.action}" id="passkey-form">
${hiddenFields(p.fields)}<input type="hidden" name="csrf" value="${p.csrf}">
<input type="hidden" name="passkey_challenge" value="">
<input type="hidden" name="passkey_response" value="">
<button type="button" id="passkey-button" hidden>Sign in with a passkey</button>
</form>
<script src="${PASSKEY_SCRIPT_PATH}" defer></script>`
        : ''
    }`,
  )
}
