import { html, raw } from 'hono/html'
import { PASSKEY_SCRIPT_PATH, pageLayout } from '../authorize/page-layout.ts'

/** A passkey as the security page lists it. */
export interface PasskeyRow {
  id: string
  name: string
  createdAt: number
  lastUsedAt: number | null
}

export interface SecurityPageInput {
  action: string
  csrf: string
  username: string
  totp: boolean
  passkeys: readonly PasskeyRow[] | null
  recoveryCodesLeft: number
  /** What the last change did, or why it was refused. */
  notice: { text: string; problem: boolean } | null
  /** The body of a step in progress (TOTP set-up, new recovery codes, a fresh check) instead of the lists. */
  panel:
    | 'none'
    | { kind: 'totp-setup'; secret: string; otpauthUri: string; qrSvg: string }
    | { kind: 'codes'; codes: readonly string[] }
    | { kind: 'reauth'; passkey: boolean }
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * `/account/security`: the user's second factors, each change a form of its own that posts back
 * with the anti-CSRF token; a change needs a sign-in no older than five minutes (`reauth`).
 */
export function securityPage(p: SecurityPageInput) {
  const form = (action: string, body: unknown, attrs: unknown = '') =>
    html`<form method="post" action="${p.action}"${attrs}>
<input type="hidden" name="csrf" value="${p.csrf}">
<input type="hidden" name="action" value="${action}">
${body}
</form>`
  const notice =
    p.notice === null
      ? ''
      : html`<p role="${p.notice.problem ? 'alert' : 'status'}" id="security-notice">${p.notice.text}</p>`
  const panel = p.panel
  if (panel !== 'none' && panel.kind === 'totp-setup') {
    return pageLayout(
      'Set up an authenticator app',
      html`<h1>Set up an authenticator app</h1>
${notice}
<p>Scan this code with an authenticator app, or enter the key by hand, then type the code it shows.</p>
<figure class="qr">${raw(panel.qrSvg)}</figure>
<p>Key: <code id="totp-secret">${panel.secret}</code></p>
${form(
  'totp-confirm',
  html`<label for="otp">Code from your authenticator app</label>
<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" maxlength="8" required autofocus>
<button type="submit">Turn on</button>`,
)}`,
    )
  }
  if (panel !== 'none' && panel.kind === 'codes') {
    return pageLayout(
      'Your recovery codes',
      html`<h1>Save your recovery codes</h1>
${notice}
<p>Each code signs you in once if you lose your authenticator. They are shown only now: store them somewhere safe. Older codes no longer work.</p>
<ul class="codes" id="recovery-codes">
${panel.codes.map((code) => html`<li><code>${code}</code></li>\n`)}</ul>
<p><a href="${p.action}">Back to sign-in security</a></p>`,
    )
  }
  if (panel !== 'none' && panel.kind === 'reauth') {
    return pageLayout(
      'Confirm it is you',
      html`<h1>Confirm it is you</h1>
${notice}
<p>Changes to how you sign in need a recent sign-in. Confirm with your password${panel.passkey ? ' or a passkey' : ''}, then make the change again.</p>
${form(
  'reauth',
  html`<input type="hidden" name="username" value="${p.username}" autocomplete="username">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required maxlength="4096" autofocus>
<button type="submit">Confirm</button>`,
)}
${
  panel.passkey
    ? html`${form(
        'reauth-passkey',
        html`<input type="hidden" name="passkey_challenge" value="">
<input type="hidden" name="passkey_response" value="">
<button type="button" id="passkey-button">Use a passkey</button>`,
        html` id="passkey-form" data-options-url="${p.action}/passkeys/reauth-options"`,
      )}
<script src="${PASSKEY_SCRIPT_PATH}" defer></script>`
    : ''
}`,
    )
  }
  return pageLayout(
    'Sign-in security',
    html`<h1>Sign-in security</h1>
<p>Signed in as ${p.username}.</p>
${notice}
<h2>Authenticator app</h2>
${
  p.totp
    ? html`<p id="totp-status">On: sign-in asks for a code from your app.</p>
${form('totp-remove', html`<button type="submit">Turn off</button>`)}`
    : html`<p id="totp-status">Off.</p>
${form('totp-begin', html`<button type="submit">Set up an authenticator app</button>`)}`
}
${
  p.passkeys === null
    ? ''
    : html`<h2>Passkeys</h2>
${
  p.passkeys.length === 0
    ? html`<p>No passkeys yet.</p>`
    : html`<ul id="passkeys">
${p.passkeys.map(
  (
    k,
  ) => html`<li>${k.name} <small>added ${day(k.createdAt)}${k.lastUsedAt === null ? '' : html`, last used ${day(k.lastUsedAt)}`}</small>
${form(
  'passkey-rename',
  html`<input type="hidden" name="id" value="${k.id}">
<label for="name-${k.id}">New name</label>
<input type="text" id="name-${k.id}" name="name" value="${k.name}" maxlength="64" required>
<button type="submit">Rename</button>`,
)}
${form('passkey-remove', html`<input type="hidden" name="id" value="${k.id}"><button type="submit">Remove</button>`)}
</li>\n`,
)}</ul>`
}
${form(
  'passkey-add',
  html`<label for="passkey-name">Name for a new passkey</label>
<input type="text" id="passkey-name" name="name" maxlength="64" value="Passkey" required>
<input type="hidden" name="passkey_challenge" value="">
<input type="hidden" name="passkey_response" value="">
<button type="button" id="passkey-button">Add a passkey</button>`,
  html` id="passkey-form" data-mode="register" data-options-url="${p.action}/passkeys/options"`,
)}
<script src="${PASSKEY_SCRIPT_PATH}" defer></script>`
}
<h2>Recovery codes</h2>
<p id="recovery-status">${p.recoveryCodesLeft} left.</p>
${form('recovery-regenerate', html`<button type="submit">Make new recovery codes</button>`)}`,
  )
}
