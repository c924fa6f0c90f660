import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const genkeysScript = fileURLToPath(new URL('../genkeys.ts', import.meta.url))

/** Runs the real `pnpm genkeys` CLI on `keysDir` (KEYS_DIR), as an operator does. */
export const runGenkeys = (keysDir: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', genkeysScript, ...args], {
    env: { ...process.env, KEYS_DIR: keysDir },
  })
