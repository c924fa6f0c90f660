import { isHttpUrl } from '../is-http-url.ts'
import { type AssertionKey, assertionKeyOf } from './assertion-key.ts'
import { optionError } from './option-error.ts'
import type { ServiceTokenClientOptions, TokenClientOptions } from './token-client-options.ts'

/** What both kinds of client run on. */
export interface ResolvedCommonOptions {
  /** The issuer URL, as given (metadata must name exactly this). */
  readonly issuer: string
  /** The issuer URL without a trailing slash, to append paths to. */
  readonly base: string
  readonly fetch: typeof globalThis.fetch
  readonly clock: () => number
  readonly skewMs: number
  readonly scope: string | undefined
}

export interface ResolvedUserOptions extends ResolvedCommonOptions {
  readonly mode: 'user'
  readonly clientId: string
  readonly account: boolean
  readonly onSessionEnded: (reason: string) => void
}

/** How a service authenticates at the token endpoint. */
export type ServiceCredential =
  | { readonly method: 'client_secret_basic'; readonly secret: string }
  | { readonly method: 'private_key_jwt'; readonly signer: AssertionKey }

export interface ResolvedServiceOptions extends ResolvedCommonOptions {
  readonly mode: 'service'
  readonly clientId: string
  readonly audience: string | undefined
  readonly credential: ServiceCredential
}

const COMMON = ['issuer', 'fetch', 'clock', 'refreshSkewSec', 'scope', 'clientId']
const USER_ONLY = ['account', 'onSessionEnded']
const SERVICE_ONLY = ['clientSecret', 'privateKey', 'keyId', 'algorithm', 'audience']
const KNOWN = new Set([...COMMON, ...USER_ONLY, ...SERVICE_ONLY])

/** RFC 6749 appendix A: a scope token is NQCHARs, scopes are separated by one space. */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/
/** RFC 6749 appendix A.1: a client id is VSCHARs. */
const CLIENT_ID = /^[\x20-\x7e]+$/

function noop(): void {}

function fail(option: string, expected: string): never {
  throw optionError(option, expected)
}

function optionalFunction<T>(value: unknown, option: string, fallback: T): T {
  if (value === undefined) return fallback
  if (typeof value !== 'function') fail(option, 'a function')
  return value as T
}

function optionalString(
  value: unknown,
  option: string,
  pattern: RegExp,
  expected: string,
): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !pattern.test(value)) fail(option, expected)
  return value
}

/**
 * Validates `createTokenClient` options once and fills in the defaults: a client secret or a
 * private key makes a service's client, anything else a user's. Throws a TypeError naming the option.
 */
export function resolveTokenClientOptions(
  options: TokenClientOptions | ServiceTokenClientOptions,
): ResolvedUserOptions | ResolvedServiceOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createTokenClient: options must be an object')
  }
  const given = options as unknown as Readonly<Record<string, unknown>>
  for (const name of Object.keys(given)) {
    if (!KNOWN.has(name)) throw new TypeError(`createTokenClient: unknown option "${name}"`)
  }
  const { issuer, refreshSkewSec = 5 } = given
  if (!isHttpUrl(issuer)) fail('issuer', 'an http(s) URL')
  if (typeof refreshSkewSec !== 'number' || !(refreshSkewSec >= 0 && refreshSkewSec <= 3600)) {
    fail('refreshSkewSec', 'a number from 0 to 3600')
  }
  const fetchOption = optionalFunction<typeof globalThis.fetch | undefined>(given.fetch, 'fetch', undefined)
  const common: ResolvedCommonOptions = {
    issuer,
    base: issuer.replace(/\/+$/, ''),
    fetch: fetchOption ?? ((input, init) => globalThis.fetch(input, init)),
    clock: optionalFunction(given.clock, 'clock', Date.now),
    skewMs: refreshSkewSec * 1000,
    scope: optionalString(given.scope, 'scope', SCOPE, 'space-separated scopes (RFC 6749 section 3.3)'),
  }
  const clientId = optionalString(
    given.clientId,
    'clientId',
    CLIENT_ID,
    'a non-empty string of printable ASCII',
  )

  const { clientSecret, privateKey } = given
  if (clientSecret === undefined && privateKey === undefined) {
    for (const name of SERVICE_ONLY) {
      if (given[name] !== undefined) fail(name, 'given only with clientSecret or privateKey')
    }
    if (given.account !== undefined && typeof given.account !== 'boolean') fail('account', 'a boolean')
    return {
      ...common,
      mode: 'user',
      clientId: clientId ?? 'default',
      account: given.account === true,
      onSessionEnded: optionalFunction(given.onSessionEnded, 'onSessionEnded', noop),
    }
  }

  for (const name of USER_ONLY) {
    if (given[name] !== undefined)
      fail(name, "given only to a user's client (without clientSecret or privateKey)")
  }
  if (clientId === undefined) fail('clientId', 'given with clientSecret or privateKey')
  const audience = optionalString(given.audience, 'audience', /^[\x21-\x7e]+$/, 'a non-empty string')
  let credential: ServiceCredential
  if (clientSecret !== undefined) {
    if (privateKey !== undefined)
      fail('clientSecret', 'given alone: use clientSecret or privateKey, not both')
    if (typeof clientSecret !== 'string' || clientSecret.length === 0)
      fail('clientSecret', 'a non-empty string')
    for (const name of ['keyId', 'algorithm']) {
      if (given[name] !== undefined) fail(name, 'given only with privateKey')
    }
    credential = { method: 'client_secret_basic', secret: clientSecret }
  } else {
    credential = {
      method: 'private_key_jwt',
      signer: assertionKeyOf(privateKey, given.algorithm, given.keyId),
    }
  }
  return { ...common, mode: 'service', clientId, audience, credential }
}
