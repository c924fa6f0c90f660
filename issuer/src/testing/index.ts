// Test helpers for other packages' end-to-end tests (`@tokensmith/issuer/testing`).
export { type SeedUser, seedIssuerData } from './seed-issuer-data.ts'
export { type SpawnedIssuer, spawnIssuer } from './spawn-issuer.ts'
export { createTestIssuer, TEST_ISSUER_URL, type TestIssuer } from './test-issuer.ts'
