// The hosted pages' only script: a passkey ceremony (WebAuthn Level 3) for the button of the
// login page, the second page, or the account page (`data-mode="register"`: a new passkey). It asks the issuer for options, lets the browser run the
// ceremony, and posts the answer in the page's own form, so the server side stays one form post.
// Hand-written (no bundle) because the browser's JSON helpers do the encoding.
export const PASSKEY_SCRIPT = `(() => {
  const form = document.getElementById('passkey-form')
  const button = document.getElementById('passkey-button')
  if (!form || !button) return
  const say = (text) => {
    let p = document.getElementById('passkey-problem')
    if (!p) {
      p = document.createElement('p')
      p.id = 'passkey-problem'
      p.setAttribute('role', 'alert')
      form.prepend(p)
    }
    p.textContent = text
  }
  const register = form.dataset.mode === 'register'
  // The login page's button starts hidden: shown where this device can verify its user with a
  // passkey, so a browser without one sees only the password form.
  if (button.hidden && window.PublicKeyCredential && PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable) {
    PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable().then((yes) => {
      if (yes) button.hidden = false
    }, () => {})
  }
  button.addEventListener('click', async () => {
    if (!window.PublicKeyCredential || !PublicKeyCredential.parseRequestOptionsFromJSON) {
      say('This browser cannot use passkeys here.')
      return
    }
    const mfaToken = form.dataset.mfaToken
    try {
      // A form that names its options URL (the account page's) asks it with its anti-CSRF field.
      const res = form.dataset.optionsUrl
        ? await fetch(form.dataset.optionsUrl, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ csrf: form.elements.csrf.value }),
          })
        : await fetch(mfaToken ? '/auth/login/mfa/passkey-options' : '/auth/passkeys/login/options', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(mfaToken ? { mfaToken } : {}),
          })
      if (!res.ok) throw new Error('options')
      const { challengeId, options } = await res.json()
      const credential = register
        ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
        : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) })
      form.elements.passkey_challenge.value = challengeId
      form.elements.passkey_response.value = JSON.stringify(credential.toJSON())
      form.submit()
    } catch (err) {
      say(err && err.name === 'NotAllowedError' ? 'The passkey was not used.' : 'The passkey could not be used. Try again.')
    }
  })
})()
`
