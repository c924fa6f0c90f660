import { fileURLToPath } from 'node:url'

/** The file `pnpm start` runs: launchers (tests, bench) start the issuer from here, never by a path of their own. */
export const ISSUER_ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url))
