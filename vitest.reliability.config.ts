import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{issuer,verifier-sdk,scripts,scripts/interop,scripts/bench}/src/**/*.reliability.test.ts'],
    exclude: ['**/node_modules/**'],
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
})
