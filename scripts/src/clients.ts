// pnpm clients: add, list, show, update, rotate-secret, disable, enable and remove the issuer's
// registered OAuth clients, straight against the store in DATABASE_URL. A generated secret is printed once, alone
// on the last line of stdout, so a script can take it with `tail -n 1`; only its hash is kept, and
// nothing ever lists a secret or a hash.
import { readFile } from 'node:fs/promises'
import {
  CLIENTS,
  type ClientRecord,
  formatDurationSec,
  GRANT_TYPES,
  type GrantType,
  hashClientSecret,
  isClientId,
  isScopeToken,
  listAll,
  newClientSecret,
  PKCE_POLICIES,
  type PkcePolicy,
  parseDurationSec,
  redirectUriProblem,
  type Store,
  StoreConflictError,
  webOriginProblem,
  webOriginsOf,
} from '@tokensmith/issuer/admin'
import { formatTable } from './shared/format-table.ts'
import { parseCommandLine } from './shared/parse-command-line.ts'
import { runAdminCommand } from './shared/run-admin-command.ts'
import { UsageError } from './shared/usage-error.ts'
import { withDatabase } from './shared/with-database.ts'

const USAGE = `Usage: pnpm clients <command>
  add <id> [options]                    register a client; a confidential one without keys gets a secret
    --type public|confidential          default confidential
    --grant <grant>                     authorization_code, password, refresh_token or client_credentials;
                                        repeatable (default client_credentials, or refresh_token for a
                                        public client)
    --scope <scope>                     a scope the client may ask for; repeatable
    --audience <aud>                    an audience its tokens may carry; repeatable (default AUDIENCE)
    --jwks-file <file>                  its public keys (a JWKS) for private_key_jwt, instead of a secret
    --jwks-uri <url>                    or the https URL they are fetched from
    --name <name>                       shown to people (default the id)
    --first-party                       the operator's own client: the password grant needs it, and
                                        /oauth/authorize asks its users no consent
    --redirect-uri <uri>                where /oauth/authorize may send the browser back; repeatable;
                                        authorization_code needs one (https, http://127.0.0.1 or
                                        http://[::1] on any port, or a private-use scheme like com.example.app:)
    --post-logout-redirect-uri <uri>    where logout may send the browser back; repeatable
    --pkce required|openid-optional     when /oauth/authorize requires PKCE of a confidential client:
                                        always, or unless the request is OpenID Connect (default);
                                        a public client always requires it
    --web-origin <origin>               a browser origin (https://app.example.com) allowed to call the
                                        token, revocation and userinfo endpoints; repeatable
    --access-token-ttl <dur>            shorter access tokens for this client than ACCESS_TOKEN_TTL
    --require-mfa                       its users must have a second factor (TOTP or a passkey)
  list                                  id, type, PKCE, grants, scopes, audiences, auth, MFA, state
  show <id>                             one client in full: redirect URIs and web origins too (never a secret)
  update <id> [options]                 change a client; each list given replaces the stored one
    --redirect-uri <uri>                the new redirect URIs (repeatable)
    --no-redirect-uris                  or none
    --post-logout-redirect-uri <uri>    the new post-logout redirect URIs (repeatable)
    --no-post-logout-redirect-uris      or none
    --web-origin <origin>               the new web origins (repeatable)
    --no-web-origins                    or none
    --pkce required|openid-optional     the new PKCE policy
    --first-party | --third-party       whether its users are asked for consent
    --require-mfa | --no-require-mfa    whether its users must have a second factor
  rotate-secret <id> [--overlap <dur>]  a new secret; the previous one works for the overlap (default 24h)
  disable <id>                          refuse the client's authentication
  enable <id>                           accept it again
  remove <id>                           delete the client; its sessions live on until they end
A new secret is printed once, alone on the last line of stdout; only its hash is kept.
<dur> is seconds or a number with s, m, h or d.
Environment: DATABASE_URL (default sqlite:./data/issuer.db).`

const OPTIONS = {
  type: { type: 'string' },
  grant: { type: 'string', multiple: true },
  scope: { type: 'string', multiple: true },
  audience: { type: 'string', multiple: true },
  'jwks-file': { type: 'string' },
  'jwks-uri': { type: 'string' },
  name: { type: 'string' },
  'first-party': { type: 'boolean' },
  'third-party': { type: 'boolean' },
  'redirect-uri': { type: 'string', multiple: true },
  'no-redirect-uris': { type: 'boolean' },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'no-post-logout-redirect-uris': { type: 'boolean' },
  pkce: { type: 'string' },
  'web-origin': { type: 'string', multiple: true },
  'no-web-origins': { type: 'boolean' },
  'access-token-ttl': { type: 'string' },
  'require-mfa': { type: 'boolean' },
  'no-require-mfa': { type: 'boolean' },
  overlap: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

type OptionName = keyof typeof OPTIONS

const COMMANDS: Record<string, { takesId: boolean; options: readonly OptionName[] }> = {
  add: {
    takesId: true,
    options: [
      'type',
      'grant',
      'scope',
      'audience',
      'jwks-file',
      'jwks-uri',
      'name',
      'first-party',
      'redirect-uri',
      'post-logout-redirect-uri',
      'pkce',
      'web-origin',
      'access-token-ttl',
      'require-mfa',
    ],
  },
  list: { takesId: false, options: [] },
  show: { takesId: true, options: [] },
  update: {
    takesId: true,
    options: [
      'redirect-uri',
      'no-redirect-uris',
      'post-logout-redirect-uri',
      'no-post-logout-redirect-uris',
      'web-origin',
      'no-web-origins',
      'pkce',
      'first-party',
      'third-party',
      'require-mfa',
      'no-require-mfa',
    ],
  },
  'rotate-secret': { takesId: true, options: ['overlap'] },
  disable: { takesId: true, options: [] },
  enable: { takesId: true, options: [] },
  remove: { takesId: true, options: [] },
}

const DEFAULT_OVERLAP_SEC = 86_400
/** Members of a JWK that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
/** The public members each accepted key type needs (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2). */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
}
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost'])

/** The client `add` registers, minus what only the store run decides (secret, instants). */
type NewClient = Pick<
  ClientRecord,
  | 'id'
  | 'name'
  | 'type'
  | 'grants'
  | 'scopes'
  | 'audiences'
  | 'firstParty'
  | 'accessTokenTtlSec'
  | 'jwksUri'
  | 'redirectUris'
  | 'postLogoutRedirectUris'
  | 'pkce'
  | 'webOrigins'
  | 'requireMfa'
> & { jwksFile: string | null }

/** What `update` changes; an absent field is kept. */
type ClientChange = Partial<
  Pick<
    ClientRecord,
    'redirectUris' | 'postLogoutRedirectUris' | 'webOrigins' | 'pkce' | 'firstParty' | 'requireMfa'
  >
>

type Values = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values']

type Command =
  | { name: 'list' }
  | { name: 'add'; client: NewClient }
  | { name: 'update'; id: string; change: ClientChange }
  | { name: 'show'; id: string }
  | { name: 'rotate-secret'; id: string; overlapSec: number }
  | { name: 'disable' | 'enable' | 'remove'; id: string }

function parseCommand(argv: string[]): Command | 'help' {
  const { values, positionals } = parseCommandLine(argv, OPTIONS)
  if (values.help) return 'help'
  const [name, rawId, ...extra] = positionals
  if (name === undefined) throw new UsageError('missing command', { showUsage: true })
  const spec = COMMANDS[name]
  if (spec === undefined) throw new UsageError(`unknown command "${name}"`, { showUsage: true })
  if (extra.length > 0 || (!spec.takesId && rawId !== undefined)) {
    throw new UsageError(`unexpected argument "${extra[0] ?? rawId}"`)
  }
  for (const option of Object.keys(values) as OptionName[]) {
    if (option !== 'help' && !spec.options.includes(option)) {
      const owners = Object.entries(COMMANDS).flatMap(([n, c]) => (c.options.includes(option) ? [n] : []))
      throw new UsageError(`--${option} applies to ${owners.join(' and ')} only`)
    }
  }
  if (name === 'list') return { name }
  if (rawId === undefined) throw new UsageError(`${name} needs a client id`)
  if (!isClientId(rawId)) {
    throw new UsageError(`invalid client id "${rawId}": 1 to 128 of A-Z a-z 0-9 . _ ~ -`)
  }
  const id = rawId
  switch (name) {
    case 'add':
      return { name, client: parseNewClient(id, values) }
    case 'update':
      return { name, id, change: parseChange(values) }
    case 'show':
      return { name, id }
    case 'rotate-secret': {
      const overlapSec = values.overlap === undefined ? DEFAULT_OVERLAP_SEC : parseDurationSec(values.overlap)
      if (overlapSec === null) {
        throw new UsageError(`--overlap must be seconds or a duration like 24h (got "${values.overlap}")`)
      }
      return { name, id, overlapSec }
    }
    case 'disable':
    case 'enable':
    case 'remove':
      return { name, id }
    default:
      throw new UsageError(`unknown command "${name}"`, { showUsage: true })
  }
}

function parseNewClient(id: string, values: Values) {
  const type = values.type ?? 'confidential'
  if (type !== 'public' && type !== 'confidential') {
    throw new UsageError(`invalid --type "${type}": public or confidential`)
  }
  const grants = unique(values.grant ?? [type === 'public' ? 'refresh_token' : 'client_credentials'])
  for (const grant of grants) {
    if (!(GRANT_TYPES as readonly string[]).includes(grant)) {
      throw new UsageError(`invalid grant "${grant}": one of ${GRANT_TYPES.join(', ')}`)
    }
  }
  const firstParty = values['first-party'] === true
  if (grants.includes('password') && !firstParty) {
    throw new UsageError(
      'the password grant is for first-party clients only: add --first-party if the client is your own',
    )
  }
  if (grants.includes('client_credentials') && type === 'public') {
    throw new UsageError(
      'the client_credentials grant needs a confidential client: a public one cannot authenticate',
    )
  }
  const redirectUris = uris('--redirect-uri', values['redirect-uri'])
  const postLogoutRedirectUris = uris('--post-logout-redirect-uri', values['post-logout-redirect-uri'])
  if (grants.includes('authorization_code')) needsRedirectUri(redirectUris)
  const pkce = pkcePolicy(values.pkce) ?? (type === 'public' ? 'required' : 'openid-optional')
  if (type === 'public') publicNeedsPkce(pkce)
  const webOrigins = origins(values['web-origin'])
  const scopes = unique(values.scope ?? [])
  for (const scope of scopes) {
    if (!isScopeToken(scope)) {
      throw new UsageError(`invalid scope "${scope}": printable ASCII without spaces, quotes or backslashes`)
    }
  }
  const audiences = unique(values.audience ?? [])
  for (const audience of audiences) {
    if (audience === '' || /\s/.test(audience)) {
      throw new UsageError(`invalid audience "${audience}": not empty, without spaces`)
    }
  }
  const jwksFile = values['jwks-file'] ?? null
  const jwksUri = values['jwks-uri'] ?? null
  if (jwksFile !== null && jwksUri !== null) {
    throw new UsageError('--jwks-file and --jwks-uri are alternatives: give one')
  }
  if (type === 'public' && (jwksFile !== null || jwksUri !== null)) {
    throw new UsageError(
      'a public client has neither a secret nor keys: --jwks-file and --jwks-uri are for confidential clients',
    )
  }
  if (jwksUri !== null) checkJwksUri(jwksUri)
  const name = values.name ?? id
  if (name.trim() === '') throw new UsageError('--name must not be empty')
  let accessTokenTtlSec: number | null = null
  const ttl = values['access-token-ttl']
  if (ttl !== undefined) {
    accessTokenTtlSec = parseDurationSec(ttl)
    if (accessTokenTtlSec === null || accessTokenTtlSec <= 0) {
      throw new UsageError(`--access-token-ttl must be a positive duration like 5m (got "${ttl}")`)
    }
  }
  return {
    id,
    name,
    type,
    grants: grants as GrantType[],
    scopes,
    audiences,
    firstParty,
    accessTokenTtlSec,
    jwksFile,
    jwksUri,
    redirectUris,
    postLogoutRedirectUris,
    pkce,
    webOrigins,
    requireMfa: values['require-mfa'] === true,
  } satisfies NewClient
}

function parseChange(values: Values): ClientChange {
  const change: ClientChange = {}
  const list = (
    option: string,
    given: string[] | undefined,
    none: boolean | undefined,
    checked: (option: string, given: readonly string[]) => string[],
  ) => {
    if (given !== undefined && none) throw new UsageError(`${option} and --no-${option.slice(2)}s: give one`)
    return none ? [] : given === undefined ? undefined : checked(option, given)
  }
  const redirectUris = list('--redirect-uri', values['redirect-uri'], values['no-redirect-uris'], uris)
  const postLogout = list(
    '--post-logout-redirect-uri',
    values['post-logout-redirect-uri'],
    values['no-post-logout-redirect-uris'],
    uris,
  )
  const webOrigins = list('--web-origin', values['web-origin'], values['no-web-origins'], (_, given) =>
    origins(given),
  )
  if (redirectUris !== undefined) change.redirectUris = redirectUris
  if (postLogout !== undefined) change.postLogoutRedirectUris = postLogout
  if (webOrigins !== undefined) change.webOrigins = webOrigins
  const pkce = pkcePolicy(values.pkce)
  if (pkce !== null) change.pkce = pkce
  if (values['first-party'] && values['third-party']) {
    throw new UsageError('--first-party and --third-party: give one')
  }
  if (values['first-party']) change.firstParty = true
  if (values['third-party']) change.firstParty = false
  if (values['require-mfa'] && values['no-require-mfa']) {
    throw new UsageError('--require-mfa and --no-require-mfa: give one')
  }
  if (values['require-mfa']) change.requireMfa = true
  if (values['no-require-mfa']) change.requireMfa = false
  if (Object.keys(change).length === 0) {
    throw new UsageError('update needs something to change: see --help')
  }
  return change
}

/** Redirect URIs as registered: each checked (RFC 6749 §3.1.2, RFC 8252 §7), duplicates dropped. */
function uris(option: string, given: readonly string[] | undefined): string[] {
  const list = unique(given ?? [])
  for (const uri of list) {
    const problem = redirectUriProblem(uri)
    if (problem !== null) throw new UsageError(`invalid ${option} "${uri}": ${problem}`)
  }
  return list
}

/** Web origins as registered: each checked (scheme, host and port alone), duplicates dropped. */
function origins(given: readonly string[] | undefined): string[] {
  const list = unique(given ?? [])
  for (const origin of list) {
    const problem = webOriginProblem(origin)
    if (problem !== null) throw new UsageError(`invalid --web-origin "${origin}": ${problem}`)
  }
  return list
}

function pkcePolicy(given: string | undefined): PkcePolicy | null {
  if (given === undefined) return null
  if (!(PKCE_POLICIES as readonly string[]).includes(given)) {
    throw new UsageError(`invalid --pkce "${given}": ${PKCE_POLICIES.join(' or ')}`)
  }
  return given as PkcePolicy
}

function publicNeedsPkce(pkce: PkcePolicy): void {
  if (pkce !== 'required') {
    throw new UsageError(
      'a public client always requires PKCE: it has no authentication of its own to bind its codes, so --pkce openid-optional is for confidential clients only',
    )
  }
}

function needsRedirectUri(redirectUris: readonly string[]): void {
  if (redirectUris.length === 0) {
    throw new UsageError('the authorization_code grant needs at least one --redirect-uri')
  }
}

const unique = (values: readonly string[]): string[] => [...new Set(values)]

function checkJwksUri(text: string): void {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`--jwks-uri is not a URL (got "${text}")`)
  }
  const loopback = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)
  if (url.protocol !== 'https:' && !loopback) {
    throw new UsageError('--jwks-uri must be an https URL (http only for 127.0.0.1 or localhost)')
  }
}

/** The JWKS in `path`: public RSA, EC or OKP keys only, so no private key is ever registered. */
async function readJwks(path: string): Promise<{ keys: Record<string, unknown>[] }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new UsageError(
      `cannot read --jwks-file "${path}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    )
  }
  let jwks: unknown
  try {
    jwks = JSON.parse(text)
  } catch {
    throw new UsageError(`--jwks-file "${path}" is not JSON`)
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new UsageError(
      `--jwks-file "${path}" is not a JWKS: expected {"keys": [...]} with at least one key`,
    )
  }
  keys.forEach((key: unknown, i) => {
    const which = `key ${i + 1} of --jwks-file`
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      throw new UsageError(`${which} is not a JSON object`)
    }
    const jwk = key as Record<string, unknown>
    const secret = PRIVATE_MEMBERS.find((m) => m in jwk)
    if (secret !== undefined) {
      throw new UsageError(`${which} holds private key material ("${secret}"): register public keys only`)
    }
    const needs = typeof jwk.kty === 'string' ? PUBLIC_MEMBERS[jwk.kty] : undefined
    if (needs === undefined) {
      throw new UsageError(`${which} has kty ${JSON.stringify(jwk.kty)}: only RSA, EC and OKP public keys`)
    }
    const missing = needs.find((m) => typeof jwk[m] !== 'string')
    if (missing !== undefined) throw new UsageError(`${which} (${jwk.kty}) lacks "${missing}"`)
  })
  return { keys: keys as Record<string, unknown>[] }
}

async function findClient(store: Store, id: string): Promise<ClientRecord> {
  const client = await store.records.get(CLIENTS, { id: id })
  // Exit 1, not 2: the command was well formed; the registry has no such client.
  if (client === null) throw new Error(`no client "${id}"`)
  return client
}

/**
 * The PKCE policy /oauth/authorize holds the client to: a public client is always `required`,
 * whatever its record says (one registered before policies existed says `openid-optional`).
 */
function pkceOf(c: ClientRecord): PkcePolicy {
  return c.type === 'public' ? 'required' : c.pkce
}

function authOf(c: ClientRecord): string {
  if (c.secretHash !== null) return 'secret'
  if (c.jwks !== null || c.jwksUri !== null) return 'jwks'
  return 'none'
}

function printClients(clients: ClientRecord[]): void {
  if (clients.length === 0) {
    process.stdout.write('No clients. Add one with `pnpm clients add <id>`.\n')
    return
  }
  const list = (values: readonly string[]) => (values.length === 0 ? '-' : values.join(','))
  const header = ['ID', 'TYPE', 'PKCE', 'GRANTS', 'SCOPES', 'AUDIENCES', 'AUTH', 'MFA', 'STATE']
  const rows = clients.map((c) => [
    c.id,
    c.type,
    pkceOf(c),
    list(c.grants),
    list(c.scopes),
    list(c.audiences),
    authOf(c),
    c.requireMfa ? 'required' : '-',
    c.disabled ? 'disabled' : 'enabled',
  ])
  process.stdout.write(formatTable([header, ...rows], { style: 'plain' }))
}

/** The secret alone on the last line: nothing may be written after it. */
function printSecret(secret: string): void {
  process.stdout.write(`${secret}\n`)
}

async function add(store: Store, c: NewClient, now: number): Promise<void> {
  const jwks = c.jwksFile === null ? null : await readJwks(c.jwksFile)
  // Checked before anything is generated, for a clear message; the store's key decides races.
  if ((await store.records.get(CLIENTS, { id: c.id })) !== null)
    throw new Error(`client "${c.id}" already exists`)
  const secret = c.type === 'confidential' && jwks === null && c.jwksUri === null ? newClientSecret() : null
  const record: ClientRecord = {
    id: c.id,
    name: c.name,
    type: c.type,
    grants: c.grants,
    scopes: c.scopes,
    audiences: c.audiences,
    firstParty: c.firstParty,
    accessTokenTtlSec: c.accessTokenTtlSec,
    secretHash: secret === null ? null : hashClientSecret(secret),
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    jwks,
    jwksUri: c.jwksUri,
    redirectUris: c.redirectUris,
    postLogoutRedirectUris: c.postLogoutRedirectUris,
    pkce: c.pkce,
    webOrigins: c.webOrigins,
    requireMfa: c.requireMfa,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  }
  try {
    await store.records.insert(CLIENTS, record)
  } catch (err) {
    if (err instanceof StoreConflictError) throw new Error(`client "${c.id}" already exists`)
    throw err
  }
  const what = `Created ${c.firstParty ? 'first-party ' : ''}${c.type} client ${c.id} with grants ${c.grants.join(', ') || '(none)'}`
  if (secret !== null) {
    process.stdout.write(`${what}.\nIts secret, shown this once (only its hash is kept):\n`)
    printSecret(secret)
  } else if (jwks !== null) {
    const n = jwks.keys.length
    process.stdout.write(`${what}; it authenticates with private_key_jwt (${n} key${n === 1 ? '' : 's'}).\n`)
  } else if (c.jwksUri !== null) {
    process.stdout.write(`${what}; it authenticates with private_key_jwt (keys from ${c.jwksUri}).\n`)
  } else {
    process.stdout.write(`${what}; as a public client it authenticates with its id alone.\n`)
  }
}

async function rotateSecret(store: Store, id: string, overlapSec: number, now: number): Promise<void> {
  const client = await findClient(store, id)
  if (client.type === 'public') throw new UsageError(`client "${id}" is public: it has no secret`)
  if (client.secretHash === null) {
    throw new UsageError(`client "${id}" authenticates with private_key_jwt: it has no secret to rotate`)
  }
  const secret = newClientSecret()
  const until = now + overlapSec * 1000
  await store.records.update(
    CLIENTS,
    { id: id },
    {
      secretHash: hashClientSecret(secret),
      previousSecretHash: overlapSec > 0 ? client.secretHash : null,
      previousSecretExpiresAt: overlapSec > 0 ? until : null,
      updatedAt: now,
    },
  )
  process.stdout.write(
    overlapSec > 0
      ? `New secret for ${id}; the previous secret keeps working until ${new Date(until).toISOString()} (${formatDurationSec(overlapSec)}).\n`
      : `New secret for ${id}; the previous secret no longer works.\n`,
  )
  printSecret(secret)
}

async function update(store: Store, id: string, change: ClientChange, now: number): Promise<void> {
  const client = await findClient(store, id)
  const next = { ...client, ...change }
  if (next.grants.includes('authorization_code')) needsRedirectUri(next.redirectUris)
  if (next.type === 'public' && change.pkce !== undefined) publicNeedsPkce(change.pkce)
  if (next.grants.includes('password') && !next.firstParty) {
    throw new UsageError(`client "${id}" has the password grant, which is for first-party clients only`)
  }
  await store.records.update(CLIENTS, { id: id }, { ...change, updatedAt: now })
  const changed: string[] = []
  if (change.redirectUris !== undefined) changed.push(`redirect URIs ${listed(change.redirectUris)}`)
  if (change.postLogoutRedirectUris !== undefined) {
    changed.push(`post-logout redirect URIs ${listed(change.postLogoutRedirectUris)}`)
  }
  if (change.webOrigins !== undefined) changed.push(`web origins ${listed(change.webOrigins)}`)
  if (change.pkce !== undefined) changed.push(`PKCE ${change.pkce}`)
  if (change.firstParty !== undefined) changed.push(change.firstParty ? 'first-party' : 'third-party')
  if (change.requireMfa !== undefined) {
    changed.push(change.requireMfa ? 'second factor required' : 'second factor not required')
  }
  process.stdout.write(`Updated ${id}: ${changed.join('; ')}.\n`)
}

const listed = (values: readonly string[]): string => (values.length === 0 ? '(none)' : values.join(' '))

/** One client, a field a line; lists one item a line so long URIs stay readable. No secret, no hash. */
function printClient(c: ClientRecord): void {
  const field = (name: string, value: string) =>
    `${(name === '' ? '' : `${name}:`).padEnd(SHOW_LABEL_WIDTH)}${value}\n`
  const items = (name: string, values: readonly string[]) =>
    values.length === 0 ? field(name, '-') : values.map((v, i) => field(i === 0 ? name : '', v)).join('')
  const joined = (values: readonly string[]) => (values.length === 0 ? '-' : values.join(', '))
  const jwks = c.jwks === null ? null : `${c.jwks.keys.length} key${c.jwks.keys.length === 1 ? '' : 's'}`
  process.stdout.write(
    field('id', c.id) +
      field('name', c.name) +
      field('type', c.type) +
      field('first party', c.firstParty ? 'yes' : 'no') +
      field('grants', joined(c.grants)) +
      field('scopes', joined(c.scopes)) +
      field('audiences', joined(c.audiences)) +
      field('auth', authOf(c) === 'jwks' ? `jwks (${c.jwksUri ?? jwks})` : authOf(c)) +
      field('pkce', c.type === 'public' ? `${pkceOf(c)} (a public client)` : c.pkce) +
      items('redirect URIs', c.redirectUris) +
      items('post-logout redirect URIs', c.postLogoutRedirectUris) +
      items('web origins', c.webOrigins) +
      // A public client's pages live where its redirect URIs point: those origins count too.
      (c.type === 'public' ? items(FROM_REDIRECTS, derivedOrigins(c)) : '') +
      field(
        'access token TTL',
        c.accessTokenTtlSec === null ? 'default' : formatDurationSec(c.accessTokenTtlSec),
      ) +
      field('second factor', c.requireMfa ? 'required' : 'by policy') +
      field('state', c.disabled ? 'disabled' : 'enabled') +
      field('created', new Date(c.createdAt).toISOString()) +
      field('updated', new Date(c.updatedAt).toISOString()),
  )
}

const FROM_REDIRECTS = 'web origins (from redirect URIs)'
// The longest label, its colon and a space.
const SHOW_LABEL_WIDTH = FROM_REDIRECTS.length + 2

/** The origins a client is allowed beside those registered (webOriginsOf): a public client's redirect URIs'. */
function derivedOrigins(c: ClientRecord): string[] {
  return webOriginsOf(c).filter((origin) => !c.webOrigins.includes(origin))
}

async function setDisabled(store: Store, id: string, disabled: boolean, now: number): Promise<void> {
  const client = await findClient(store, id)
  if (client.disabled === disabled) {
    process.stdout.write(`${id} was ${disabled ? 'already disabled' : 'not disabled'}.\n`)
    return
  }
  await store.records.update(CLIENTS, { id: id }, { disabled, updatedAt: now })
  process.stdout.write(
    disabled
      ? `Disabled ${id}; its client authentication is refused from now on.\n`
      : `Enabled ${id}; its client authentication is accepted again.\n`,
  )
}

async function run(cmd: Command, store: Store): Promise<void> {
  const now = Date.now()
  switch (cmd.name) {
    case 'list':
      return printClients(await listAll(store.records, CLIENTS))
    case 'add':
      return add(store, cmd.client, now)
    case 'show':
      return printClient(await findClient(store, cmd.id))
    case 'update':
      return update(store, cmd.id, cmd.change, now)
    case 'rotate-secret':
      return rotateSecret(store, cmd.id, cmd.overlapSec, now)
    case 'disable':
    case 'enable':
      return setDisabled(store, cmd.id, cmd.name === 'disable', now)
    case 'remove':
      if (!(await store.records.delete(CLIENTS, { id: cmd.id }))) throw new Error(`no client "${cmd.id}"`)
      process.stdout.write(`Removed ${cmd.id}; its sessions live on until they end.\n`)
  }
}

async function main(): Promise<void> {
  const cmd = parseCommand(process.argv.slice(2))
  if (cmd === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  await withDatabase((store) => run(cmd, store))
}

runAdminCommand('clients', USAGE, main)
