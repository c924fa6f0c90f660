import { html } from 'hono/html'

/** The stylesheet every page links (served by the authorize routes): no inline style anywhere. */
export const STYLESHEET_PATH = '/oauth/assets/login.css'

/** The passkey script of the pages that offer one (served by the authorize routes). */
export const PASSKEY_SCRIPT_PATH = '/oauth/assets/passkey.js'

/** The frame of every hosted page: viewport for phones, the stylesheet, one `<main>`. */
export function pageLayout(title: string, body: unknown) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>`
}

/** The pending authorization request, carried as hidden fields so the post re-validates it. */
export function hiddenFields(fields: ReadonlyMap<string, string>) {
  return [...fields].map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)
}
