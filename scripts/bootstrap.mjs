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

// Debian software the project drives but npm cannot install: Chromium for the browser tests
// (never a downloaded browser build), wrk for the issuer benchmark's load, Apache with
// mod_auth_openidc and Python's authlib and requests-oauthlib for the interop suites
// (scripts/interop: relying parties and clients nobody here wrote, as Debian ships them). On a
// fresh machine where we are root with apt, install what is missing in one apt run; elsewhere
// say what is missing. Each flag lists a file each package installs, to tell whether it is there.
const TOOLS = {
  '--browser': { purpose: 'the browser tests', needs: [['/usr/bin/chromium', 'chromium']] },
  '--wrk': { purpose: 'the benchmark load generator', needs: [['/usr/bin/wrk', 'wrk']] },
  '--apache-oidc': {
    purpose: 'the Apache mod_auth_openidc interop tests',
    needs: [
      ['/usr/sbin/apache2', 'apache2'],
      ['/usr/lib/apache2/modules/mod_auth_openidc.so', 'libapache2-mod-auth-openidc'],
    ],
  },
  '--python-oauth': {
    purpose: 'the Python authlib and requests-oauthlib interop tests',
    needs: [
      ['/usr/bin/python3', 'python3'],
      ['/usr/lib/python3/dist-packages/authlib/__init__.py', 'python3-authlib'],
      ['/usr/lib/python3/dist-packages/requests_oauthlib/__init__.py', 'python3-requests-oauthlib'],
    ],
  },
}

function ensureDebianPackages({ purpose, needs }) {
  const missing = needs.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg)
  if (missing.length === 0) return
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (!root || !existsSync('/usr/bin/apt-get')) {
    const list = missing.map((p) => `"${p}"`).join(' ')
    process.stderr.write(`[bootstrap] missing for ${purpose}: install Debian package(s) ${list}\n`)
    return
  }
  process.stderr.write(`[bootstrap] installing Debian ${missing.join(' ')} for ${purpose}...\n`)
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' }
  const apt = ['install', '-y', '-q', ...missing]
  if (spawnSync('apt-get', apt, { stdio: 'inherit', env: aptEnv }).status !== 0) {
    // A fresh machine's package lists may be empty or stale: refresh once and try again.
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env: aptEnv })
    spawnSync('apt-get', apt, { stdio: 'inherit', env: aptEnv })
  }
}

let argv = process.argv.slice(2)
while (argv[0] in TOOLS) {
  ensureDebianPackages(TOOLS[argv[0]])
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
