// The single-page app of docs/oidc.md's oidc-client-ts recipe: UserManager configured as the
// library's README shows, against the issuer at another origin (so every call is cross-origin).
// config.js (written by the test's static server) sets window.NOTES_CONFIG = { issuer, clientId }.
/* global oidc */
const { issuer, clientId } = window.NOTES_CONFIG

const userManager = new oidc.UserManager({
  authority: issuer,
  client_id: clientId,
  redirect_uri: `${window.location.origin}/callback.html`,
  post_logout_redirect_uri: `${window.location.origin}/signed-out.html`,
  // offline_access is dropped unless the client is registered for it; the refresh token comes
  // with the refresh_token grant either way.
  scope: 'openid profile email offline_access',
})

/** The userinfo endpoint called from the page with the access token, as an app calls an API. */
async function userinfo() {
  const user = await userManager.getUser()
  const endpoint = await userManager.metadataService.getUserInfoEndpoint()
  const res = await fetch(endpoint, { headers: { Authorization: `Bearer ${user.access_token}` } })
  return { status: res.status, body: await res.json() }
}

function show(status) {
  document.getElementById('status').textContent = status
}

async function main() {
  if (window.location.pathname === '/callback.html') {
    await userManager.signinCallback()
    show('signed in')
  } else if (window.location.pathname === '/signed-out.html') {
    await userManager.signoutCallback()
    show('signed out')
  } else {
    show((await userManager.getUser()) ? 'signed in' : 'anonymous')
  }
}

document.getElementById('sign-in').addEventListener('click', () => userManager.signinRedirect())
document.getElementById('sign-out').addEventListener('click', () => userManager.signoutRedirect())
// For the test: what an app would do on its own (refresh, call an API) and what it holds.
window.notes = { userManager, userinfo }
main().catch((err) => show(`error: ${err.message}`))
