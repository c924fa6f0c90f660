// pnpm genkeys: rotate, list, prune and retire signing keys in KEYS_DIR (default ./keys).
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  ConfigError,
  formatDurationSec,
  KeyError,
  type KeyRotation,
  keyScheduleAt,
  type ManifestKey,
  parseDurationSec,
  pruneKeys,
  readManifest,
  retireKey,
  rotateIfOlder,
  rotateKeys,
  SIGNING_ALGS,
  type SigningAlg,
  withKeysDirLock,
} from '@tokensmith/issuer/admin'
import { formatTable } from './shared/format-table.ts'

const USAGE = `Usage: pnpm genkeys [options]
  (no option)            rotate: the standby signs after the publish lead (at once if it was
                         published that long), and a new standby is published beside it
                         (an empty directory: a key that signs now, and a standby)
  --alg RS256|ES256|EdDSA  algorithm of the keys created (default RS256)
  --bits 2048|3072|4096  RSA modulus size (default 2048)
  --now                  emergency: the standby every verifier already holds signs at once,
                         and a new standby is published; refused when no key is published to promote
  --rotate-if-older DUR  rotate only when the current key has signed for DUR (30d, 12h); for cron
  --publish-lead DUR     how long a new key is published before it signs (default 15m)
  --retire-after DUR     how long a replaced key stays published (default 16m: token lifetime + skew)
  --list                 print the schedule: kid, alg, state, activates, retires
  --prune                delete retired keys
  --retire KID           unpublish a key at once (compromised key; not the current one)
  --dir DIR              keys directory (default $KEYS_DIR or ./keys)
  --lock-wait DUR        how long to wait for another genkeys' lock (default 30s)
DUR is seconds or a number with s, m, h or d. Every command that writes holds the lock file
<dir>/.genkeys.lock. Exit codes: 0 done (rotated or not), 2 refused (flags, keys directory),
3 the keys directory stayed locked by another genkeys.`

function fail(message: string, code = 2): never {
  process.stderr.write(`genkeys: ${message}\n`)
  process.exit(code)
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const sec = parseDurationSec(text)
  if (sec === null) fail(`${flag} must be seconds or a duration like 15m (got "${text}")`)
  return sec
}

function when(at: number | null, now: number): string {
  if (at === null) return '-'
  if (at === Number.POSITIVE_INFINITY) return 'standby: on promotion'
  const rel = formatDurationSec((at - now) / 1000)
  return `${new Date(at).toISOString()} (${at > now ? `in ${rel}` : `${rel} ago`})`
}

async function list(dir: string, now: number): Promise<void> {
  const manifest = await readManifest(dir)
  const rows = keyScheduleAt(manifest, now).map((s) => [
    s.key.kid,
    s.key.alg,
    s.state,
    when(s.activateAt, now),
    when(s.retireAt, now),
  ])
  if (rows.length === 0) {
    process.stdout.write(`No keys in ${dir}. Run \`pnpm genkeys\` to create the first one.\n`)
    return
  }
  const header = ['KID', 'ALG', 'STATE', 'ACTIVATES', 'RETIRES']
  process.stdout.write(
    formatTable([header, ...rows], { style: 'plain' }) +
      `publish lead ${formatDurationSec(manifest.publishLeadSec)}, retire after ${formatDurationSec(manifest.retireAfterSec)}\n`,
  )
}

/**
 * `--retire KID` as `--retire=KID`: a kid is a base64url thumbprint and may start with `-`, which
 * parseArgs would otherwise read as a missing value. --retire always takes a kid, so joining is exact.
 */
function joinRetireKid(args: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    const next = args[i + 1]
    if (arg === '--retire' && next !== undefined && next !== '--') {
      out.push(`--retire=${next}`)
      i++
    } else out.push(arg)
  }
  return out
}

async function main(): Promise<void> {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        alg: { type: 'string' }
        bits: { type: 'string' }
        now: { type: 'boolean' }
        'rotate-if-older': { type: 'string' }
        'publish-lead': { type: 'string' }
        'retire-after': { type: 'string' }
        list: { type: 'boolean' }
        prune: { type: 'boolean' }
        retire: { type: 'string' }
        dir: { type: 'string' }
        'lock-wait': { type: 'string' }
        help: { type: 'boolean' }
      }
    }>
  >
  try {
    parsed = parseArgs({
      args: joinRetireKid(process.argv.slice(2)),
      options: {
        alg: { type: 'string' },
        bits: { type: 'string' },
        now: { type: 'boolean' },
        'rotate-if-older': { type: 'string' },
        'publish-lead': { type: 'string' },
        'retire-after': { type: 'string' },
        list: { type: 'boolean' },
        prune: { type: 'boolean' },
        retire: { type: 'string' },
        dir: { type: 'string' },
        'lock-wait': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    })
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`)
  }
  const v = parsed.values
  if (v.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const dir = resolve(v.dir ?? process.env.KEYS_DIR ?? './keys')
  const clock = Date.now

  if (v.list) return list(dir, clock())
  if ([v.now, v.prune, v.retire !== undefined, v['rotate-if-older'] !== undefined].filter(Boolean).length > 1)
    fail('use one of --now, --rotate-if-older, --prune, --retire at a time')
  const maxAgeSec = duration('--rotate-if-older', v['rotate-if-older'])
  const alg = (v.alg ?? 'RS256') as SigningAlg
  if (!SIGNING_ALGS.includes(alg)) fail(`--alg must be one of ${SIGNING_ALGS.join(', ')} (got "${v.alg}")`)
  if (v.bits !== undefined && alg !== 'RS256') fail('--bits applies to RS256 only')
  const bits = v.bits === undefined ? 2048 : Number(v.bits)
  const settings = {
    publishLeadSec: duration('--publish-lead', v['publish-lead']),
    retireAfterSec: duration('--retire-after', v['retire-after']),
  }
  const keyOptions = {
    dir,
    alg,
    bits,
    ...(settings.publishLeadSec === undefined ? {} : { publishLeadSec: settings.publishLeadSec }),
    ...(settings.retireAfterSec === undefined ? {} : { retireAfterSec: settings.retireAfterSec }),
  }
  // The manifest is read and rewritten under the lock, from the instant the lock is held.
  const lockWaitSec = duration('--lock-wait', v['lock-wait'])
  const waitMs = lockWaitSec === undefined ? {} : { waitMs: lockWaitSec * 1000 }
  const locked = <T>(fn: (now: number) => Promise<T>): Promise<T> =>
    withKeysDirLock({ dir, clock, ...waitMs }, () => fn(clock()))

  if (v.prune) {
    const removed = await locked((now) => pruneKeys(dir, now))
    process.stdout.write(
      removed.length
        ? `Pruned ${removed.length} retired key(s): ${removed.join(', ')}\n`
        : 'No retired keys to prune.\n',
    )
    return
  }
  if (v.retire !== undefined) {
    const kid = v.retire
    await locked((now) => retireKey(dir, kid, now))
    process.stdout.write(
      `Key ${kid} is retired: no longer published. Verifiers following the revocation feed refuse ` +
        'its tokens within about a second; others at their next JWKS refresh.\n',
    )
    return
  }
  if (maxAgeSec !== undefined) {
    const threshold = formatDurationSec(maxAgeSec)
    const result = await locked((now) => rotateIfOlder({ ...keyOptions, now, maxAgeSec }))
    if (result.rotated) {
      const r = result.rotation
      process.stdout.write(
        `rotated: ${r.signing.kid} signs from ${new Date(r.signsFrom).toISOString()}; standby ${r.standby.kid}\n`,
      )
      describeRotation(dir, r, clock(), false)
      return
    }
    process.stdout.write(
      result.reason === 'fresh'
        ? `not rotated: current key ${result.kid} is ${Math.floor(result.ageMs / 86_400_000)} days old ` +
            `(${formatDurationSec(result.ageMs / 1000)}; rotates at ${threshold})\n`
        : `not rotated: a rotation is already scheduled: ${result.kid} signs from ${new Date(result.signsFrom).toISOString()}\n`,
    )
    if (result.addedStandby) describeStandby(dir, result.addedStandby, true)
    return
  }

  const rotation = await locked((now) => rotateKeys({ ...keyOptions, now, emergency: v.now === true }))
  describeRotation(dir, rotation, clock(), v.now === true)
}

function describeStandby(dir: string, standby: ManifestKey, created: boolean): void {
  process.stdout.write(
    created
      ? `Created standby ${standby.alg} key ${standby.kid} in ${dir}/${standby.file} (mode 0600): published now, ` +
          'it signs only when promoted (`pnpm genkeys --now`, or the next rotation).\n'
      : `Standby key ${standby.kid} stays published.\n`,
  )
}

function describeRotation(dir: string, r: KeyRotation, now: number, emergency: boolean): void {
  const lead = formatDurationSec(r.manifest.publishLeadSec)
  const k = r.signing
  if (r.how === 'created') {
    process.stdout.write(`Created ${k.alg} key ${k.kid} in ${dir}/${k.file} (mode 0600).\n`)
    process.stdout.write(
      r.signsFrom <= now
        ? 'No key was signing, so it signs from now.\n'
        : `It is published now and signs from ${k.activateAt} (after the ${lead} publish lead), ` +
            'so every verifier has it before the first token signed with it.\n',
    )
  } else if (r.signsFrom <= now) {
    const held = r.publishedForMs >= r.manifest.publishLeadSec * 1000
    process.stdout.write(
      `Promoted ${k.alg} key ${k.kid}: it signs from now; it was published ${formatDurationSec(r.publishedForMs / 1000)} ago` +
        (held ? ', so every verifier already holds it.\n' : '.\n'),
    )
    if (emergency && !held) {
      process.stdout.write(
        `warning: that is less than the ${lead} publish lead: a verifier whose cached JWKS is older refuses its ` +
          'tokens until its unknown-kid refetch (after 1 s, backing off to the cooldown).\n',
      )
    }
    process.stdout.write(
      'Issuers reading this directory sign with it once they notice the manifest changed (about a second), ' +
        'or at once on SIGHUP.\n',
    )
  } else {
    process.stdout.write(
      `Promoted ${k.alg} key ${k.kid}: it signs from ${k.activateAt} (after the ${lead} publish lead), ` +
        'so every verifier has it before the first token signed with it.\n',
    )
  }
  describeStandby(dir, r.standby, r.createdStandby)
}

main().catch((err: unknown) => {
  if (err instanceof KeyError && err.code === 'keys_locked') fail(err.message, 3)
  if (err instanceof KeyError || err instanceof ConfigError) fail(err.message)
  throw err
})
