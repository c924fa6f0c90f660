import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{issuer,verifier-sdk,scripts,scripts/interop,scripts/bench}/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/*.reliability.test.ts'],
    // Several suites start real processes and hash with scrypt: keep the 2-core machine responsive.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
