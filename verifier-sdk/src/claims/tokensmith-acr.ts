/**
 * tokensmith's authentication context classes (the `acr` claim), weakest first. The issuer orders
 * them; a resource server does not: `requireAcr` passes exactly the values listed, so a route
 * that wants "mfa or stronger" lists `[TOKENSMITH_ACR.mfa, TOKENSMITH_ACR.phishingResistant]`.
 * Copied from the issuer (the SDK never imports it); its discovery lists them in `acr_values_supported`.
 */
export const TOKENSMITH_ACR = Object.freeze({
  /** A password alone. */
  password: 'urn:tokensmith:acr:password',
  /** Two kinds of factor: a password and a code, or a passkey. */
  mfa: 'urn:tokensmith:acr:mfa',
  /** A passkey (WebAuthn with user verification): bound to the origin, so phishing cannot relay it. */
  phishingResistant: 'urn:tokensmith:acr:phishing-resistant',
} as const)
