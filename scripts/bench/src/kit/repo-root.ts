import { fileURLToPath } from 'node:url'

/** The workspace root: child processes run there so `--import tsx` resolves from its node_modules. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
