// pnpm genkeys: add, list, prune and retire signing keys in KEYS_DIR (default ./keys).
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  ConfigError,
  formatDurationSec,
  generateKey,
  KeyError,
  keyScheduleAt,
  parseDurationSec,
  pruneKeys,
  readManifest,
  retireKey,
  SIGNING_ALGS,
  type SigningAlg,
} from '@tokensmith/issuer/admin'
import { formatTable } from './shared/format-table.ts'

const USAGE = `Usage: pnpm genkeys [options]
  (no option)            add a new RS256-2048 key as "next"; it signs after the publish lead
  --alg RS256|ES256|EdDSA  algorithm of the new key (default RS256)
  --bits 2048|3072|4096  RSA modulus size (default 2048)
  --now                  the new key signs at once (first key, or an emergency)
  --publish-lead DUR     how long a new key is published before it signs (default 15m)
  --retire-after DUR     how long a replaced key stays published (default 16m: token lifetime + skew)
  --list                 print the schedule: kid, alg, state, activates, retires
  --prune                delete retired keys
  --retire KID           unpublish a key at once (compromised key; not the current one)
  --dir DIR              keys directory (default $KEYS_DIR or ./keys)
DUR is seconds or a number with s, m, h or d.`

function fail(message: string): never {
  process.stderr.write(`genkeys: ${message}\n`)
  process.exit(2)
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const sec = parseDurationSec(text)
  if (sec === null) fail(`${flag} must be seconds or a duration like 15m (got "${text}")`)
  return sec
}

function when(at: number | null, now: number): string {
  if (at === null) return '-'
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

async function main(): Promise<void> {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        alg: { type: 'string' }
        bits: { type: 'string' }
        now: { type: 'boolean' }
        'publish-lead': { type: 'string' }
        'retire-after': { type: 'string' }
        list: { type: 'boolean' }
        prune: { type: 'boolean' }
        retire: { type: 'string' }
        dir: { type: 'string' }
        help: { type: 'boolean' }
      }
    }>
  >
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        alg: { type: 'string' },
        bits: { type: 'string' },
        now: { type: 'boolean' },
        'publish-lead': { type: 'string' },
        'retire-after': { type: 'string' },
        list: { type: 'boolean' },
        prune: { type: 'boolean' },
        retire: { type: 'string' },
        dir: { type: 'string' },
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
  const now = Date.now()

  if (v.list) return list(dir, now)
  if (v.prune) {
    const removed = await pruneKeys(dir, now)
    process.stdout.write(
      removed.length
        ? `Pruned ${removed.length} retired key(s): ${removed.join(', ')}\n`
        : 'No retired keys to prune.\n',
    )
    return
  }
  if (v.retire !== undefined) {
    await retireKey(dir, v.retire, now)
    process.stdout.write(
      `Key ${v.retire} is retired: no longer published. Verifiers drop it at their next JWKS refresh; ` +
        'tokens it signed fail from then on.\n',
    )
    return
  }

  const alg = (v.alg ?? 'RS256') as SigningAlg
  if (!SIGNING_ALGS.includes(alg)) fail(`--alg must be one of ${SIGNING_ALGS.join(', ')} (got "${v.alg}")`)
  if (v.bits !== undefined && alg !== 'RS256') fail('--bits applies to RS256 only')
  const bits = v.bits === undefined ? 2048 : Number(v.bits)
  const { entry, manifest, activatedNow } = await generateKey({
    dir,
    now,
    alg,
    bits,
    immediate: v.now === true,
    publishLeadSec: duration('--publish-lead', v['publish-lead']),
    retireAfterSec: duration('--retire-after', v['retire-after']),
  })
  process.stdout.write(`Created ${alg} key ${entry.kid} in ${dir}/${entry.file} (mode 0600).\n`)
  if (activatedNow) {
    process.stdout.write(
      v.now
        ? 'It signs from now. Verifiers that cached the JWKS before now do not know it yet: they refetch on ' +
            'the unknown kid (at most once per cooldown), so tokens signed in the next seconds may be refused ' +
            'until then. Use --now for the first key or an emergency only.\n'
        : 'No key was signing, so it signs from now.\n',
    )
  } else {
    process.stdout.write(
      `It is published now and signs from ${entry.activateAt} (after the ${formatDurationSec(manifest.publishLeadSec)} publish lead), ` +
        'so every verifier has it before the first token signed with it.\n',
    )
  }
}

main().catch((err: unknown) => {
  if (err instanceof KeyError || err instanceof ConfigError) fail(err.message)
  throw err
})
