// Chromium's virtual WebAuthn authenticator, through the DevTools protocol (WebAuthn domain): a
// platform authenticator (CTAP2, internal transport) with resident keys and user verification
// that always passes, so a real browser makes and uses passkeys without a person or a device.
import type { Page } from 'playwright-core'

export interface VirtualCredential {
  /** base64url, as WebAuthn's JSON and the issuer's records say it (CDP answers base64). */
  credentialId: string
  isResidentCredential: boolean
  rpId?: string
  /** base64 (not base64url) of the user handle. */
  userHandle?: string
  signCount: number
  backupEligibility?: boolean
  backupState?: boolean
}

export interface VirtualAuthenticator {
  authenticatorId: string
  /** The credentials it holds now, with their signature counters. */
  credentials(): Promise<VirtualCredential[]>
  /** Unplugs it: the page then has no authenticator. */
  remove(): Promise<void>
}

/** Plugs a virtual authenticator into `page`'s browser context (options: CDP's VirtualAuthenticatorOptions). */
export async function addVirtualAuthenticator(
  page: Page,
  options: Record<string, unknown> = {},
): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable', { enableUI: false })
  const { authenticatorId } = (await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      ...options,
    },
  })) as { authenticatorId: string }
  return {
    authenticatorId,
    async credentials() {
      const { credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as {
        credentials: VirtualCredential[]
      }
      return credentials.map((c) => ({
        ...c,
        credentialId: Buffer.from(c.credentialId, 'base64').toString('base64url'),
      }))
    },
    async remove() {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId })
    },
  }
}
