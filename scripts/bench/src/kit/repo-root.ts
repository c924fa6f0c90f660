import { fileURLToPath } from 'node:url'

/** The workspace root: where docs/performance.md is, and what the bench's printed paths are relative to. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
