import { html, raw } from 'hono/html'
import { hiddenFields, pageLayout } from './page-layout.ts'

/**
 * Enrolment during a sign-in, for an account that must have a second factor and has none: the
 * QR code and secret of a new TOTP authenticator, confirmed by its first code (field `otp`).
 */
export function enrolPage(p: {
  clientName: string
  action: string
  fields: ReadonlyMap<string, string>
  csrf: string
  mfaToken: string
  secret: string
  otpauthUri: string
  /** The QR code of `otpauthUri`, an SVG made here from it (no user input in it). */
  qrSvg: string
  problem: string | null
}) {
  return pageLayout(
    'Set up a second factor',
    html`<h1>Set up two-step sign-in to continue to ${p.clientName}</h1>
<p>Your account needs a second factor. Scan this code with an authenticator app, or enter the key by hand, then type the code it shows.</p>
<figure class="qr">${raw(p.qrSvg)}</figure>
<p>Key: <code id="totp-secret">${p.secret}</code></p>
${p.problem === null ? '' : html`<p role="alert" id="enrol-problem">${p.problem}</p>`}
<form method="post" action="${p.action}">
${hiddenFields(p.fields)}<input type="hidden" name="csrf" value="${p.csrf}">
<input type="hidden" name="mfa_token" value="${p.mfaToken}">
<label for="otp">Code from your authenticator app</label>
<input type="text" id="otp" name="enrol_otp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" maxlength="8" required autofocus${p.problem === null ? '' : html` aria-invalid="true" aria-describedby="enrol-problem"`}>
<button type="submit">Turn on</button>
</form>`,
  )
}
