// Test helpers for other packages' end-to-end tests and the bench (`@tokensmith/issuer/testing`).
export {
  type BrowserSession,
  createBrowserSession,
  followToRedirect,
  pkcePair,
} from './browser-session.ts'
export { type CollectedOutput, collectOutput } from './collect-output.ts'
export { freePort } from './free-port.ts'
export { launchChromium } from './launch-chromium.ts'
export { leakedLines } from './leaked-lines.ts'
export { type RelyingParty, type RelyingPartyLogin, startRelyingParty } from './openid-relying-party.ts'
export { type JsonResponse, requestJson } from './request-json.ts'
export { type RoundTripProxy, startRoundTripProxy } from './round-trip-proxy.ts'
export { type ScratchPostgresSchema, scratchPostgresSchema } from './scratch-postgres-schema.ts'
export { type SeedUser, seedIssuerData } from './seed-issuer-data.ts'
export { serviceClient } from './service-client.ts'
export { type SharedStoreBackend, sharedStoreBackends } from './shared-store-backends.ts'
export { type SpawnedIssuer, type SpawnIssuerOptions, spawnIssuer } from './spawn-issuer.ts'
export { type SpawnedService, type SpawnServiceOptions, spawnService } from './spawn-service.ts'
export { type IssuerProcess, type StartIssuerOptions, startIssuerProcess } from './start-issuer-process.ts'
export { median, quantile } from './stats.ts'
export { createTestIssuer, TEST_ISSUER_URL, type TestIssuer } from './test-issuer.ts'
export {
  createTlsCertificate,
  type TestCertificateAuthority,
  type TlsCertificate,
  type TlsCertificateOptions,
} from './tls-certificate.ts'
export { totpCodeAt } from './totp-code-at.ts'
export {
  addVirtualAuthenticator,
  type VirtualAuthenticator,
  type VirtualCredential,
} from './virtual-authenticator.ts'
export { createCredentialInPage, getCredentialInPage } from './webauthn-in-page.ts'
