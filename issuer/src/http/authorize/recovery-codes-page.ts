import { html } from 'hono/html'
import { hiddenFields, pageLayout } from './page-layout.ts'

/** The recovery codes, shown once after enrolment, and the way on to the application. */
export function recoveryCodesPage(p: {
  clientName: string
  action: string
  fields: ReadonlyMap<string, string>
  csrf: string
  codes: readonly string[]
}) {
  return pageLayout(
    'Save your recovery codes',
    html`<h1>Save your recovery codes</h1>
<p>Each code signs you in once if you lose your authenticator. They are shown only now: store them somewhere safe.</p>
<ul class="codes" id="recovery-codes">
${p.codes.map((code) => html`<li><code>${code}</code></li>\n`)}</ul>
<form method="post" action="${p.action}">
${hiddenFields(p.fields)}<input type="hidden" name="csrf" value="${p.csrf}">
<button type="submit" name="continue" value="1">I saved them, continue to ${p.clientName}</button>
</form>`,
  )
}
