import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CLIENTS, type ClientRecord, hashClientSecret } from '@tokensmith/issuer/admin'
import { scratchPostgresSchema } from '@tokensmith/issuer/testing'
import { exportJWK, generateKeyPair } from 'jose'
import { beforeEach, describe, expect, it } from 'vitest'
import { inParallel } from './shared/in-parallel.ts'
import { runScript, type ScriptResult } from './shared/run-script.ts'
import { useTempDatabase } from './shared/temp-database.ts'

const db = useTempDatabase('tokensmith-clients-')
/** Everything the CLI wrote, so a check can count where a secret was printed. */
let transcript: string

const SECRET = /^cs_[A-Za-z0-9_-]{43}$/

async function clients(args: string[]): Promise<ScriptResult> {
  const run = await runScript('clients', args, { env: { DATABASE_URL: db.url } })
  transcript += run.stdout + run.stderr
  return run
}

const lines = (out: string) => out.trimEnd().split('\n')
const lastLine = (out: string) => lines(out).at(-1) ?? ''
const occurrences = (text: string, part: string) => text.split(part).length - 1

/** A successful command that printed a secret: it is the whole last line, and nothing follows it. */
function secretOf(run: ScriptResult): string {
  expect(run).toMatchObject({ code: 0, stderr: '' })
  const secret = lastLine(run.stdout)
  expect(secret).toMatch(SECRET)
  expect(run.stdout.endsWith(`\n${secret}\n`)).toBe(true)
  return secret
}

const getClient = (id: string) => db.withStore((s) => s.records.get(CLIENTS, { id: id }))

async function publicJwks(): Promise<{ keys: Record<string, unknown>[] }> {
  const ec = await generateKeyPair('ES256', { extractable: true })
  const rsa = await generateKeyPair('RS256', { extractable: true })
  return {
    keys: [
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256' },
    ],
  }
}

async function jsonFile(name: string, value: unknown): Promise<string> {
  const path = join(db.dir, name)
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

/** The list never shows a secret or a hash of one. */
function expectNoSecrets(list: ScriptResult, clients: (ClientRecord | null)[], secrets: string[]): void {
  expect(list.stdout).not.toContain('cs_')
  for (const secret of secrets) expect(list.stdout).not.toContain(secret)
  for (const c of clients) {
    for (const hash of [c?.secretHash, c?.previousSecretHash])
      if (hash) expect(list.stdout).not.toContain(hash)
  }
}

/** Each command line exits 2 with its reason on stderr, and prints nothing on stdout. */
async function expectRefused(cases: [string[], RegExp][]): Promise<void> {
  const runs = await inParallel(cases, ([args]) => clients(args))
  cases.forEach(([args, stderr], i) => {
    expect(runs[i]?.code, args.join(' ')).toBe(2)
    expect(runs[i]?.stdout, args.join(' ')).toBe('')
    expect(runs[i]?.stderr, args.join(' ')).toMatch(stderr)
  })
}

beforeEach(() => {
  transcript = ''
})

// Every case starts Node processes: generous, since the suite shares two cores with others.
describe('pnpm clients', { timeout: 120_000 }, () => {
  it('adds a confidential client, its secret once on the last line, and lists it without it', async () => {
    const added = await clients([
      'add',
      'svc',
      '--scope',
      'orders:read',
      '--scope',
      'orders:read',
      '--audience',
      'orders',
      '--access-token-ttl',
      '5m',
      '--name',
      'Orders service',
    ])
    const secret = secretOf(added)
    expect(added.stdout).toBe(
      `Created confidential client svc with grants client_credentials.\nIts secret, shown this once (only its hash is kept):\n${secret}\n`,
    )
    const svc = await getClient('svc')
    expect(svc).toMatchObject({
      name: 'Orders service',
      type: 'confidential',
      grants: ['client_credentials'],
      scopes: ['orders:read'],
      audiences: ['orders'],
      firstParty: false,
      accessTokenTtlSec: 300,
      secretHash: hashClientSecret(secret),
      previousSecretHash: null,
      jwks: null,
      jwksUri: null,
      pkce: 'openid-optional',
      webOrigins: [],
      disabled: false,
    })

    const web = await clients(['add', 'web', '--type', 'public'])
    expect(web).toMatchObject({
      code: 0,
      stderr: '',
      stdout:
        'Created public client web with grants refresh_token; as a public client it authenticates with its id alone.\n',
    })
    expect(await getClient('web')).toMatchObject({
      name: 'web',
      type: 'public',
      grants: ['refresh_token'],
      secretHash: null,
      jwks: null,
      pkce: 'required',
    })
    const app = await clients([
      'add',
      'app',
      '--type',
      'public',
      '--first-party',
      '--grant',
      'password',
      '--grant',
      'refresh_token',
    ])
    expect(app.stdout).toMatch(/^Created first-party public client app with grants password, refresh_token;/)
    expect(await getClient('app')).toMatchObject({ firstParty: true, grants: ['password', 'refresh_token'] })

    const list = await clients(['list'])
    expect(list).toMatchObject({ code: 0, stderr: '' })
    const rows = lines(list.stdout)
    expect(rows[0]).toMatch(/^ID\s+TYPE\s+PKCE\s+GRANTS\s+SCOPES\s+AUDIENCES\s+AUTH\s+MFA\s+STATE$/)
    expect(rows[1]).toMatch(/^app\s+public\s+required\s+password,refresh_token\s+-\s+-\s+none\s+-\s+enabled$/)
    expect(rows[2]).toMatch(
      /^svc\s+confidential\s+openid-optional\s+client_credentials\s+orders:read\s+orders\s+secret\s+-\s+enabled$/,
    )
    expect(rows[3]).toMatch(/^web\s+public\s+required\s+refresh_token\s+-\s+-\s+none\s+-\s+enabled$/)
    expect(rows).toHaveLength(4)
    expectNoSecrets(list, [svc], [secret])
    expect(occurrences(transcript, secret)).toBe(1)
  })

  it('says so when there are no clients', async () => {
    expect(await clients(['list'])).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'No clients. Add one with `pnpm clients add <id>`.\n',
    })
  })

  it('registers private_key_jwt clients by a public JWKS file or a JWKS URL, with no secret', async () => {
    const jwks = await publicJwks()
    const file = await jsonFile('jwks.json', jwks)
    const signer = await clients([
      'add',
      'signer',
      '--jwks-file',
      file,
      '--scope',
      'a',
      '--audience',
      'orders',
    ])
    expect(signer).toMatchObject({
      code: 0,
      stderr: '',
      stdout:
        'Created confidential client signer with grants client_credentials; it authenticates with private_key_jwt (2 keys).\n',
    })
    expect(await getClient('signer')).toMatchObject({ jwks, jwksUri: null, secretHash: null })

    const remote = await clients(['add', 'fetcher', '--jwks-uri', 'https://keys.example/jwks.json'])
    expect(remote.stdout).toMatch(/private_key_jwt \(keys from https:\/\/keys\.example\/jwks\.json\)\.\n$/)
    const local = await clients(['add', 'local', '--jwks-uri', 'http://localhost:8080/jwks'])
    expect(local.code).toBe(0)
    expect(await getClient('fetcher')).toMatchObject({
      jwks: null,
      jwksUri: 'https://keys.example/jwks.json',
      secretHash: null,
    })
    expect(transcript).not.toContain('cs_')
    const list = await clients(['list'])
    expect(lines(list.stdout).slice(1)).toEqual([
      expect.stringMatching(/^fetcher\s+confidential\s.*\sjwks\s+-\s+enabled$/),
      expect.stringMatching(/^local\s+confidential\s.*\sjwks\s+-\s+enabled$/),
      expect.stringMatching(
        /^signer\s+confidential\s+openid-optional\s+client_credentials\s+a\s+orders\s+jwks\s+-\s+enabled$/,
      ),
    ])
  })

  it('rotate-secret prints a new secret last; the previous one works for the overlap', async () => {
    const first = secretOf(await clients(['add', 'svc']))
    const before = Date.now()
    const rotated = await clients(['rotate-secret', 'svc'])
    const second = secretOf(rotated)
    expect(second).not.toBe(first)
    const notice = lines(rotated.stdout).at(-2) ?? ''
    const until = /the previous secret keeps working until (\S+Z) \(1d\)\.$/.exec(notice)?.[1]
    expect(notice).toMatch(/^New secret for svc; /)
    expect(Date.parse(until ?? '') - before).toBeGreaterThanOrEqual(86_400_000)
    expect(Date.parse(until ?? '') - Date.now()).toBeLessThanOrEqual(86_400_000)
    expect(await getClient('svc')).toMatchObject({
      secretHash: hashClientSecret(second),
      previousSecretHash: hashClientSecret(first),
      previousSecretExpiresAt: Date.parse(until ?? ''),
    })

    const third = secretOf(await clients(['rotate-secret', 'svc', '--overlap', '1h']))
    const svc = await getClient('svc')
    expect(svc).toMatchObject({
      secretHash: hashClientSecret(third),
      previousSecretHash: hashClientSecret(second),
    })
    expect((svc?.previousSecretExpiresAt ?? 0) - Date.now()).toBeLessThanOrEqual(3_600_000)

    const abrupt = await clients(['rotate-secret', 'svc', '--overlap', '0'])
    const fourth = secretOf(abrupt)
    expect(lines(abrupt.stdout).at(-2)).toBe('New secret for svc; the previous secret no longer works.')
    expect(await getClient('svc')).toMatchObject({
      secretHash: hashClientSecret(fourth),
      previousSecretHash: null,
      previousSecretExpiresAt: null,
    })

    const list = await clients(['list'])
    expectNoSecrets(list, [svc, await getClient('svc')], [first, second, third, fourth])
    for (const secret of [first, second, third, fourth]) expect(occurrences(transcript, secret)).toBe(1)

    await clients(['add', 'web', '--type', 'public'])
    await clients(['add', 'signer', '--jwks-uri', 'https://keys.example/jwks.json'])
    const refused = await inParallel(['web', 'signer'], (id) => clients(['rotate-secret', id]))
    expect(refused[0]).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'clients: client "web" is public: it has no secret\n',
    })
    expect(refused[1]).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'clients: client "signer" authenticates with private_key_jwt: it has no secret to rotate\n',
    })
    expect(await getClient('signer')).toMatchObject({ secretHash: null })
  })

  it('disables, enables and removes; an unknown id or a taken one is exit 1', async () => {
    const secret = secretOf(await clients(['add', 'svc']))
    expect(await clients(['disable', 'svc'])).toMatchObject({
      code: 0,
      stdout: 'Disabled svc; its client authentication is refused from now on.\n',
    })
    expect(await getClient('svc')).toMatchObject({ disabled: true })
    expect(lines((await clients(['list'])).stdout)[1]).toMatch(/\ssecret\s+-\s+disabled$/)
    expect((await clients(['disable', 'svc'])).stdout).toBe('svc was already disabled.\n')
    expect((await clients(['enable', 'svc'])).stdout).toBe(
      'Enabled svc; its client authentication is accepted again.\n',
    )
    expect(await getClient('svc')).toMatchObject({ disabled: false })
    expect((await clients(['enable', 'svc'])).stdout).toBe('svc was not disabled.\n')

    const dup = await clients(['add', 'svc', '--type', 'public'])
    expect(dup).toMatchObject({ code: 1, stdout: '', stderr: 'clients: client "svc" already exists\n' })
    expect(await getClient('svc')).toMatchObject({
      type: 'confidential',
      secretHash: hashClientSecret(secret),
    })

    expect(await clients(['remove', 'svc'])).toMatchObject({
      code: 0,
      stdout: 'Removed svc; its sessions live on until they end.\n',
    })
    expect(await getClient('svc')).toBeNull()
    const unknown = await inParallel(
      [
        ['remove', 'svc'],
        ['rotate-secret', 'ghost'],
        ['disable', 'ghost'],
        ['enable', 'ghost'],
      ],
      (args) => clients(args),
    )
    for (const [i, id] of ['svc', 'ghost', 'ghost', 'ghost'].entries()) {
      expect(unknown[i]).toMatchObject({ code: 1, stdout: '', stderr: `clients: no client "${id}"\n` })
    }
    expect((await clients(['list'])).stdout).toMatch(/^No clients\./)
  })

  it('refuses bad ids, grants, scopes, audiences, keys and usage with exit 2, registering nothing', async () => {
    const good = await publicJwks()
    const first = good.keys[0] ?? {}
    const files = {
      privateEc: await jsonFile('d.json', { keys: [{ ...first, d: 'secret-part' }] }),
      privateRsa: await jsonFile('qi.json', { keys: [good.keys[1], { ...good.keys[1], qi: 'x' }] }),
      symmetric: await jsonFile('oct.json', { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }),
      octNoK: await jsonFile('oct2.json', { keys: [{ kty: 'oct' }] }),
      noKty: await jsonFile('nokty.json', { keys: [{ x: 'a' }] }),
      missingY: await jsonFile('noy.json', { keys: [{ ...first, y: undefined }] }),
      notJson: await jsonFile('bad.json', '{"keys": ['),
      notJwks: await jsonFile('list.json', [first]),
      empty: await jsonFile('empty.json', { keys: [] }),
      good: await jsonFile('good.json', good),
    }
    const cases: [string[], RegExp][] = [
      [['add', 'a b'], /^clients: invalid client id "a b": 1 to 128 of/],
      [['add', 'x'.repeat(129)], /^clients: invalid client id/],
      [['add', 'svc', '--type', 'secret'], /^clients: invalid --type "secret": public or confidential\n$/],
      [
        ['add', 'svc', '--grant', 'implicit'],
        /^clients: invalid grant "implicit": one of authorization_code, password, refresh_token, client_credentials\n$/,
      ],
      [['add', 'svc', '--grant', 'password'], /^clients: the password grant is for first-party clients only/],
      [['add', 'web', '--type', 'public', '--grant', 'client_credentials'], /needs a confidential client/],
      [['add', 'svc', '--scope', 'a"b'], /^clients: invalid scope "a"b"/],
      [['add', 'svc', '--scope', 'a b'], /^clients: invalid scope "a b"/],
      [['add', 'svc', '--audience', 'a b'], /^clients: invalid audience "a b": not empty, without spaces\n$/],
      [['add', 'svc', '--audience', ''], /^clients: invalid audience ""/],
      [
        ['add', 'svc', '--access-token-ttl', 'soon'],
        /^clients: --access-token-ttl must be a positive duration/,
      ],
      [['add', 'svc', '--access-token-ttl', '0'], /^clients: --access-token-ttl must be a positive duration/],
      [['add', 'svc', '--name', ' '], /^clients: --name must not be empty\n$/],
      [['add', 'svc', '--jwks-file', files.good, '--jwks-uri', 'https://k.example/j'], /are alternatives/],
      [
        ['add', 'web', '--type', 'public', '--jwks-file', files.good],
        /^clients: a public client has neither a secret nor keys/,
      ],
      [
        ['add', 'web', '--type', 'public', '--jwks-uri', 'https://k.example/j'],
        /^clients: a public client has neither/,
      ],
      [
        ['add', 'svc', '--jwks-uri', 'http://keys.example/jwks'],
        /^clients: --jwks-uri must be an https URL \(http only for 127\.0\.0\.1 or localhost\)\n$/,
      ],
      [['add', 'svc', '--jwks-uri', 'ftp://127.0.0.1/jwks'], /^clients: --jwks-uri must be an https URL/],
      [['add', 'svc', '--jwks-uri', 'keys.json'], /^clients: --jwks-uri is not a URL/],
      [
        ['add', 'svc', '--jwks-file', files.privateEc],
        /^clients: key 1 of --jwks-file holds private key material \("d"\): register public keys only\n$/,
      ],
      [
        ['add', 'svc', '--jwks-file', files.privateRsa],
        /^clients: key 2 of --jwks-file holds private key material \("qi"\)/,
      ],
      [
        ['add', 'svc', '--jwks-file', files.symmetric],
        /^clients: key 1 of --jwks-file holds private key material \("k"\)/,
      ],
      [
        ['add', 'svc', '--jwks-file', files.octNoK],
        /^clients: key 1 of --jwks-file has kty "oct": only RSA, EC and OKP public keys\n$/,
      ],
      [['add', 'svc', '--jwks-file', files.noKty], /^clients: key 1 of --jwks-file has kty undefined/],
      [['add', 'svc', '--jwks-file', files.missingY], /^clients: key 1 of --jwks-file \(EC\) lacks "y"\n$/],
      [['add', 'svc', '--jwks-file', files.notJson], /^clients: --jwks-file ".*bad\.json" is not JSON\n$/],
      [['add', 'svc', '--jwks-file', files.notJwks], /is not a JWKS/],
      [['add', 'svc', '--jwks-file', files.empty], /is not a JWKS/],
      [
        ['add', 'svc', '--jwks-file', join(db.dir, 'missing.json')],
        /^clients: cannot read --jwks-file ".*missing\.json": ENOENT\n$/,
      ],
      [
        ['rotate-secret', 'svc', '--overlap', 'a while'],
        /^clients: --overlap must be seconds or a duration like 24h/,
      ],
      [['add', 'svc', '--overlap', '1h'], /^clients: --overlap applies to rotate-secret only\n$/],
      [['list', '--scope', 'a'], /^clients: --scope applies to add only\n$/],
      [['disable', 'svc', '--first-party'], /^clients: --first-party applies to add and update only\n$/],
      [['list', 'svc'], /^clients: unexpected argument "svc"\n$/],
      [['remove', 'a', 'b'], /^clients: unexpected argument "b"\n$/],
      [['remove'], /^clients: remove needs a client id\n$/],
      [['add', 'svc', '--bogus'], /^clients: Unknown option '--bogus'[\s\S]*Usage: pnpm clients/],
      [['delete', 'svc'], /^clients: unknown command "delete"\nUsage: pnpm clients/],
      [[], /^clients: missing command\nUsage: pnpm clients/],
    ]
    await expectRefused(cases)
    expect((await clients(['list'])).stdout).toMatch(/^No clients\./)
    expect(transcript).not.toContain('secret-part')
  })

  it('refuses bad redirect URIs (RFC 8252 §7, §8.3) and bad update usage with exit 2, registering nothing', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['add', 'spa', '--type', 'public', '--grant', 'authorization_code'],
        /^clients: the authorization_code grant needs at least one --redirect-uri\n$/,
      ],
      [
        ['add', 'spa', '--redirect-uri', 'http://localhost:8080/cb'],
        /^clients: invalid --redirect-uri "http:\/\/localhost:8080\/cb": use http:\/\/127\.0\.0\.1 or http:\/\/\[::1\] instead of localhost \(RFC 8252 §8\.3\)\n$/,
      ],
      [
        ['add', 'spa', '--redirect-uri', 'https://app.example/cb#frag'],
        /^clients: invalid --redirect-uri "https:\/\/app\.example\/cb#frag": must not have a fragment/,
      ],
      [['add', 'spa', '--redirect-uri', 'http://app.example/cb'], /http is allowed only on the loopback/],
      [
        ['add', 'spa', '--redirect-uri', '/cb'],
        /^clients: invalid --redirect-uri "\/cb": must be an absolute URI\n$/,
      ],
      [['add', 'spa', '--redirect-uri', 'javascript:alert(1)'], /must use https, http on a loopback address/],
      [
        ['add', 'spa', '--post-logout-redirect-uri', 'https://user:pw@app.example/'],
        /^clients: invalid --post-logout-redirect-uri ".*": must not carry user information\n$/,
      ],
      [['add', 'spa', '--third-party'], /^clients: --third-party applies to update only\n$/],
      [['add', 'spa', '--no-redirect-uris'], /^clients: --no-redirect-uris applies to update only\n$/],
      [['update', 'spa'], /^clients: update needs something to change/],
      [
        ['update', 'spa', '--redirect-uri', 'https://a.example/cb', '--no-redirect-uris'],
        /^clients: --redirect-uri and --no-redirect-uris: give one\n$/,
      ],
      [
        ['update', 'spa', '--first-party', '--third-party'],
        /^clients: --first-party and --third-party: give one\n$/,
      ],
      [['update', 'spa', '--redirect-uri', 'ftp://a.example/'], /^clients: invalid --redirect-uri "ftp:/],
      [['show'], /^clients: show needs a client id\n$/],
    ]
    await expectRefused(cases)
    expect((await clients(['list'])).stdout).toMatch(/^No clients\./)
  })

  it('registers redirect URIs for the authorization code flow, shows them, and replaces them (RFC 6749 §3.1.2)', async () => {
    const added = await clients([
      'add',
      'spa',
      '--type',
      'public',
      '--grant',
      'authorization_code',
      '--grant',
      'refresh_token',
      '--redirect-uri',
      'https://app.example/callback',
      '--redirect-uri',
      'http://127.0.0.1/cb',
      '--redirect-uri',
      'https://app.example/callback',
      '--post-logout-redirect-uri',
      'https://app.example/',
    ])
    expect(added).toMatchObject({
      code: 0,
      stderr: '',
      stdout:
        'Created public client spa with grants authorization_code, refresh_token; as a public client it authenticates with its id alone.\n',
    })
    expect(await getClient('spa')).toMatchObject({
      grants: ['authorization_code', 'refresh_token'],
      firstParty: false,
      redirectUris: ['https://app.example/callback', 'http://127.0.0.1/cb'],
      postLogoutRedirectUris: ['https://app.example/'],
    })
    // A confidential web app with a secret, and a native app on its private-use scheme (RFC 8252 §7.1).
    const web = secretOf(
      await clients([
        'add',
        'grafana',
        '--grant',
        'authorization_code',
        '--redirect-uri',
        'https://grafana.example/login/generic_oauth',
      ]),
    )
    const native = await clients([
      'add',
      'mobile',
      '--type',
      'public',
      '--first-party',
      '--grant',
      'authorization_code',
      '--redirect-uri',
      'com.example.app:/oauth2redirect',
    ])
    expect(native.code).toBe(0)
    expect(await getClient('mobile')).toMatchObject({
      firstParty: true,
      redirectUris: ['com.example.app:/oauth2redirect'],
      postLogoutRedirectUris: [],
    })

    const shown = await clients(['show', 'spa'])
    expect(shown).toMatchObject({ code: 0, stderr: '' })
    const rows = lines(shown.stdout)
    expect(rows).toContain('grants:                           authorization_code, refresh_token')
    const at = rows.indexOf('redirect URIs:                    https://app.example/callback')
    expect(at).toBeGreaterThan(0)
    expect(rows[at + 1]).toBe(`${' '.repeat(34)}http://127.0.0.1/cb`)
    expect(rows[at + 2]).toBe('post-logout redirect URIs:        https://app.example/')
    const grafana = await clients(['show', 'grafana'])
    expect(grafana.stdout).toMatch(/^auth: +secret$/m)
    expectNoSecrets(grafana, [await getClient('grafana')], [web])
    // The list keeps its columns: redirect URIs are for `show`.
    expect(lines((await clients(['list'])).stdout)[0]).toMatch(
      /^ID\s+TYPE\s+PKCE\s+GRANTS\s+SCOPES\s+AUDIENCES\s+AUTH\s+MFA\s+STATE$/,
    )

    const replaced = await clients([
      'update',
      'spa',
      '--redirect-uri',
      'https://app.example/v2/callback',
      '--no-post-logout-redirect-uris',
      '--first-party',
    ])
    expect(replaced).toMatchObject({
      code: 0,
      stderr: '',
      stdout:
        'Updated spa: redirect URIs https://app.example/v2/callback; post-logout redirect URIs (none); first-party.\n',
    })
    expect(await getClient('spa')).toMatchObject({
      firstParty: true,
      redirectUris: ['https://app.example/v2/callback'],
      postLogoutRedirectUris: [],
      grants: ['authorization_code', 'refresh_token'],
    })
    // The authorization_code grant keeps at least one redirect URI.
    const emptied = await clients(['update', 'spa', '--no-redirect-uris'])
    expect(emptied).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'clients: the authorization_code grant needs at least one --redirect-uri\n',
    })
    expect((await getClient('spa'))?.redirectUris).toEqual(['https://app.example/v2/callback'])
    // The password grant stays with first-party clients.
    await clients(['add', 'app', '--type', 'public', '--first-party', '--grant', 'password'])
    expect(await clients(['update', 'app', '--third-party'])).toMatchObject({
      code: 2,
      stderr: 'clients: client "app" has the password grant, which is for first-party clients only\n',
    })
    expect(await clients(['update', 'ghost', '--third-party'])).toMatchObject({
      code: 1,
      stderr: 'clients: no client "ghost"\n',
    })
    expect(await clients(['show', 'ghost'])).toMatchObject({
      code: 1,
      stderr: 'clients: no client "ghost"\n',
    })
    expect(occurrences(transcript, web)).toBe(1)
  })

  it('registers a PKCE policy and web origins, shows them beside the origins of redirect URIs, and replaces them', async () => {
    const spa = await clients([
      'add',
      'spa',
      '--type',
      'public',
      '--grant',
      'authorization_code',
      '--redirect-uri',
      'https://app.example/callback',
      '--redirect-uri',
      'http://127.0.0.1/cb',
      '--redirect-uri',
      'com.example.app:/cb',
      '--web-origin',
      'https://static.example',
      '--web-origin',
      'https://static.example',
      '--web-origin',
      'http://localhost:5173',
    ])
    expect(spa).toMatchObject({ code: 0, stderr: '' })
    expect(await getClient('spa')).toMatchObject({
      pkce: 'required',
      webOrigins: ['https://static.example', 'http://localhost:5173'],
    })
    const web = secretOf(
      await clients([
        'add',
        'portal',
        '--grant',
        'authorization_code',
        '--redirect-uri',
        'https://portal.example/cb',
        '--pkce',
        'required',
        '--web-origin',
        'https://portal.example',
      ]),
    )
    expect(await getClient('portal')).toMatchObject({
      pkce: 'required',
      webOrigins: ['https://portal.example'],
    })
    await clients(['add', 'svc'])
    expect(await getClient('svc')).toMatchObject({ pkce: 'openid-optional', webOrigins: [] })

    const shown = lines((await clients(['show', 'spa'])).stdout)
    expect(shown).toContain(`${'pkce:'.padEnd(34)}required (a public client)`)
    const at = shown.indexOf(`${'web origins:'.padEnd(34)}https://static.example`)
    expect(at).toBeGreaterThan(0)
    expect(shown[at + 1]).toBe(`${' '.repeat(34)}http://localhost:5173`)
    // Registered origins are not repeated; a private-use scheme has no web origin.
    expect(shown[at + 2]).toBe('web origins (from redirect URIs): https://app.example')
    expect(shown[at + 3]).toBe(`${' '.repeat(34)}http://127.0.0.1`)
    expect(shown[at + 4]).toMatch(/^access token TTL: /)
    // A confidential client's redirect URIs name its server, not a browser app: no such line.
    const portal = lines((await clients(['show', 'portal'])).stdout)
    expect(portal).toContain(`${'pkce:'.padEnd(34)}required`)
    expect(portal).toContain(`${'web origins:'.padEnd(34)}https://portal.example`)
    expect(portal.some((line) => line.startsWith('web origins (from'))).toBe(false)
    expect(lines((await clients(['show', 'svc'])).stdout)).toContain(`${'web origins:'.padEnd(34)}-`)
    const list = lines((await clients(['list'])).stdout)
    expect(list[1]).toMatch(/^portal\s+confidential\s+required\s+authorization_code\s/)
    expect(list[2]).toMatch(/^spa\s+public\s+required\s+authorization_code\s/)
    expect(list[3]).toMatch(/^svc\s+confidential\s+openid-optional\s+client_credentials\s/)

    expect(
      await clients([
        'update',
        'portal',
        '--pkce',
        'openid-optional',
        '--web-origin',
        'https://portal.example:8443',
      ]),
    ).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'Updated portal: web origins https://portal.example:8443; PKCE openid-optional.\n',
    })
    expect(await getClient('portal')).toMatchObject({
      pkce: 'openid-optional',
      webOrigins: ['https://portal.example:8443'],
      redirectUris: ['https://portal.example/cb'],
    })
    expect(await clients(['update', 'spa', '--no-web-origins'])).toMatchObject({
      code: 0,
      stdout: 'Updated spa: web origins (none).\n',
    })
    expect(await getClient('spa')).toMatchObject({ pkce: 'required', webOrigins: [] })
    // Refused: a public client relieved of PKCE, or an origin that is not one.
    expect(await clients(['update', 'spa', '--pkce', 'openid-optional'])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(
        /^clients: a public client always requires PKCE: .*confidential clients only\n$/,
      ),
    })
    expect(await getClient('spa')).toMatchObject({ pkce: 'required' })
    expect(occurrences(transcript, web)).toBe(1)

    const cases: [string[], RegExp][] = [
      [
        ['add', 'web', '--type', 'public', '--pkce', 'openid-optional'],
        /^clients: a public client always requires PKCE: it has no authentication of its own to bind its codes, so --pkce openid-optional is for confidential clients only\n$/,
      ],
      [
        ['add', 'web', '--pkce', 'sometimes'],
        /^clients: invalid --pkce "sometimes": required or openid-optional\n$/,
      ],
      [
        ['add', 'web', '--web-origin', 'https://app.example/'],
        /^clients: invalid --web-origin "https:\/\/app\.example\/": must be an origin alone, as browsers send it \(https:\/\/app\.example\)\n$/,
      ],
      [
        ['add', 'web', '--web-origin', 'http://app.example'],
        /^clients: invalid --web-origin ".*": must be https/,
      ],
      [['add', 'web', '--web-origin', '*'], /^clients: invalid --web-origin "\*": must be an origin such as/],
      [['add', 'web', '--no-web-origins'], /^clients: --no-web-origins applies to update only\n$/],
      [['list', '--pkce', 'required'], /^clients: --pkce applies to add and update only\n$/],
      [
        ['update', 'portal', '--web-origin', 'https://a.example', '--no-web-origins'],
        /^clients: --web-origin and --no-web-origins: give one\n$/,
      ],
    ]
    await expectRefused(cases)
    expect(await getClient('web')).toBeNull()
    expect(await getClient('portal')).toMatchObject({ webOrigins: ['https://portal.example:8443'] })
  })

  it('prints the usage on --help', async () => {
    const help = await clients(['--help'])
    expect(help).toMatchObject({ code: 0, stderr: '' })
    expect(help.stdout).toMatch(/^Usage: pnpm clients <command>\n/)
  })

  it('works the same against PostgreSQL', async () => {
    const scratch = scratchPostgresSchema()
    db.url = scratch.url
    try {
      const first = secretOf(await clients(['add', 'svc', '--scope', 'orders:read', '--audience', 'orders']))
      expect((await clients(['add', 'web', '--type', 'public'])).code).toBe(0)
      const second = secretOf(await clients(['rotate-secret', 'svc', '--overlap', '2h']))
      expect((await clients(['disable', 'svc'])).code).toBe(0)
      const svc = await getClient('svc')
      expect(svc).toMatchObject({
        scopes: ['orders:read'],
        audiences: ['orders'],
        secretHash: hashClientSecret(second),
        previousSecretHash: hashClientSecret(first),
        disabled: true,
      })
      const list = await clients(['list'])
      expect(lines(list.stdout).slice(1)).toEqual([
        expect.stringMatching(
          /^svc\s+confidential\s+openid-optional\s+client_credentials\s+orders:read\s+orders\s+secret\s+-\s+disabled$/,
        ),
        expect.stringMatching(/^web\s+public\s+required\s+refresh_token\s+-\s+-\s+none\s+-\s+enabled$/),
      ])
      expectNoSecrets(list, [svc], [first, second])
      expect((await clients(['remove', 'web'])).code).toBe(0)
      expect(await clients(['remove', 'web'])).toMatchObject({
        code: 1,
        stderr: 'clients: no client "web"\n',
      })
    } finally {
      await scratch.drop()
    }
  })
})

describe('pnpm clients --require-mfa', { timeout: 60_000 }, () => {
  it('registers and changes whether a client requires a second factor, and shows it', async () => {
    expect((await clients(['add', 'app', '--type', 'public', '--require-mfa'])).code).toBe(0)
    expect(await getClient('app')).toMatchObject({ requireMfa: true })
    expect(lines((await clients(['list'])).stdout)[1]).toMatch(/\snone\s+required\s+enabled$/)
    expect((await clients(['show', 'app'])).stdout).toMatch(/^second factor: +required$/m)
    const off = await clients(['update', 'app', '--no-require-mfa'])
    expect(off).toMatchObject({ code: 0, stdout: 'Updated app: second factor not required.\n' })
    expect(await getClient('app')).toMatchObject({ requireMfa: false })
    expect((await clients(['show', 'app'])).stdout).toMatch(/^second factor: +by policy$/m)
    expect((await clients(['update', 'app', '--require-mfa', '--no-require-mfa'])).code).toBe(2)
    // A client registered without the flag does not require one.
    await clients(['add', 'svc'])
    expect(await getClient('svc')).toMatchObject({ requireMfa: false })
  })
})
