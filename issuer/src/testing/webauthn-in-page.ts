// WebAuthn ceremonies run by a real page, as a site's script would: the server's JSON options
// parsed by the browser (WebAuthn Level 3 `parseCreationOptionsFromJSON`,
// `parseRequestOptionsFromJSON`), and the credential answered as its `toJSON()`. The page must be
// on the RP's origin (a secure context: https, or http://localhost).
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'
import type { Page } from 'playwright-core'

// The DOM types of the page, as far as these ceremonies need them (the issuer compiles without `dom`).
type PageCredentials = {
  create(o: { publicKey: unknown }): Promise<{ toJSON(): unknown } | null>
  get(o: { publicKey: unknown }): Promise<{ toJSON(): unknown } | null>
}
type PagePublicKeyCredential = {
  parseCreationOptionsFromJSON(o: unknown): unknown
  parseRequestOptionsFromJSON(o: unknown): unknown
}

/** `navigator.credentials.create` in `page` with the RP's creation options. */
export function createCredentialInPage(
  page: Page,
  options: PublicKeyCredentialCreationOptionsJSON,
): Promise<RegistrationResponseJSON> {
  return page.evaluate(async (json) => {
    const g = globalThis as unknown as {
      navigator: { credentials: PageCredentials }
      PublicKeyCredential: PagePublicKeyCredential
    }
    const publicKey = g.PublicKeyCredential.parseCreationOptionsFromJSON(json)
    const credential = await g.navigator.credentials.create({ publicKey })
    if (credential === null) throw new Error('no credential was created')
    return credential.toJSON() as RegistrationResponseJSON
  }, options)
}

/** `navigator.credentials.get` in `page` with the RP's request options. */
export function getCredentialInPage(
  page: Page,
  options: PublicKeyCredentialRequestOptionsJSON,
): Promise<AuthenticationResponseJSON> {
  return page.evaluate(async (json) => {
    const g = globalThis as unknown as {
      navigator: { credentials: PageCredentials }
      PublicKeyCredential: PagePublicKeyCredential
    }
    const publicKey = g.PublicKeyCredential.parseRequestOptionsFromJSON(json)
    const credential = await g.navigator.credentials.get({ publicKey })
    if (credential === null) throw new Error('no credential was returned')
    return credential.toJSON() as AuthenticationResponseJSON
  }, options)
}
