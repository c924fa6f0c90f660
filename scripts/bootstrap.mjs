#!/usr/bin/env node
// Entry point of every root script: makes `npm start` / `npm test` work on a fresh machine
// with only Node and npm. It installs the pinned pnpm and the locked dependencies when they
// are missing or stale, then runs the given command with node_modules/.bin on PATH,
// forwarding signals so SIGTERM/SIGHUP reach the issuer.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const pnpmSpec = pkg.packageManager // e.g. pnpm@10.34.9

// node-gyp must build better-sqlite3 against this machine's Node headers.
const env = { ...process.env }
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr'

// pnpm keeps a copy of the lockfile it last installed from: equal bytes mean up to date.
function installedLockMatches() {
  const copy = join(root, 'node_modules', '.pnpm', 'lock.yaml')
  if (!existsSync(copy)) return false
  const lock = join(root, 'pnpm-lock.yaml')
  return !existsSync(lock) || readFileSync(lock, 'utf8') === readFileSync(copy, 'utf8')
}

function install() {
  const frozen = process.env.CI ? ['--frozen-lockfile'] : []
  process.stderr.write(`[bootstrap] installing dependencies with ${pnpmSpec}...\n`)
  const r = spawnSync('npx', ['--yes', pnpmSpec, 'install', ...frozen], { cwd: root, stdio: 'inherit', env })
  if (r.status !== 0) {
    process.stderr.write('[bootstrap] dependency install failed\n')
    process.exit(r.status ?? 1)
  }
}

if (!installedLockMatches()) install()

// The browser tests drive Debian's Chromium (never a downloaded browser build). On a fresh
// machine where we are root with apt, install it; elsewhere say what is missing.
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (!root || !existsSync('/usr/bin/apt-get')) {
    process.stderr.write(
      '[bootstrap] /usr/bin/chromium is missing: install Debian package "chromium" for the browser tests\n',
    )
    return
  }
  process.stderr.write('[bootstrap] installing Debian chromium for the browser tests...\n')
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' }
  spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env: aptEnv })
  spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], { stdio: 'inherit', env: aptEnv })
}

let argv = process.argv.slice(2)
if (argv[0] === '--browser') {
  ensureChromium()
  argv = argv.slice(1)
}
const [cmd, ...args] = argv
if (!cmd) process.exit(0)
env.PATH = `${join(root, 'node_modules', '.bin')}:${env.PATH ?? ''}`
const child = spawn(cmd, args, { stdio: 'inherit', env, cwd: process.env.INIT_CWD ?? process.cwd() })
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal)
  else process.exit(code ?? 1)
})
