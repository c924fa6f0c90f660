import { html } from 'hono/html'
import type { SecondFactor } from '../../core/mfa/create-mfa.ts'
import { hiddenFields, PASSKEY_SCRIPT_PATH, pageLayout } from './page-layout.ts'

export interface SecondStepPageInput {
  clientName: string
  action: string
  /** The authorization request's own parameters, carried on. */
  fields: ReadonlyMap<string, string>
  csrf: string
  /** The half-done sign-in (expires five minutes after the first step). */
  mfaToken: string
  factors: readonly SecondFactor[]
  problem: string | null
}

/**
 * The second page of a sign-in: a code from the authenticator app (`otp`), a recovery code
 * (`recovery_code`), or a passkey, whichever the account has. Each is its own form, so the
 * keyboard and password managers see one field at a time.
 */
export function secondStepPage(p: SecondStepPageInput) {
  const carried = html`${hiddenFields(p.fields)}<input type="hidden" name="csrf" value="${p.csrf}">
<input type="hidden" name="mfa_token" value="${p.mfaToken}">
<input type="hidden" name="mfa_factors" value="${p.factors.join(' ')}">`
  const invalid = p.problem === null ? '' : html` aria-invalid="true" aria-describedby="step-problem"`
  return pageLayout(
    'Confirm it is you',
    html`<h1>Confirm it is you to continue to ${p.clientName}</h1>
${p.problem === null ? '' : html`<p role="alert" id="step-problem">${p.problem}</p>`}
${
  p.factors.includes('otp')
    ? html`<form method="post" action="${p.action}">
${carried}
<label for="otp">Code from your authenticator app</label>
<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" maxlength="8" required autofocus${invalid}>
<button type="submit">Verify</button>
</form>`
    : ''
}
${
  p.factors.includes('passkey')
    ? html`<form method="post" action="${p.action}" id="passkey-form" data-mfa-token="${p.mfaToken}">
${carried}
<input type="hidden" name="passkey_challenge" value="">
<input type="hidden" name="passkey_response" value="">
<button type="button" id="passkey-button">Use a passkey</button>
</form>
<script src="${PASSKEY_SCRIPT_PATH}" defer></script>`
    : ''
}
${
  p.factors.includes('recovery_code')
    ? html`<details>
<summary>Use a recovery code</summary>
<form method="post" action="${p.action}">
${carried}
<label for="recovery_code">Recovery code</label>
<input type="text" id="recovery_code" name="recovery_code" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="64" required>
<button type="submit">Use recovery code</button>
</form>
</details>`
    : ''
}`,
  )
}
