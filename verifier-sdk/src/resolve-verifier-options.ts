import { readFileSync } from 'node:fs'
import { isHttpUrl } from './is-http-url.ts'
import { isJwsAlgorithm, type JwsAlgorithm } from './jws/jws-algorithm.ts'
import { buildKeySet } from './keys/key-set.ts'
import type { KeySource } from './keys/key-source.ts'
import type { ResolvedRevocationOptions } from './revocation/revocation-options.ts'
import type { VerifierOptions } from './verifier-options.ts'

export interface ResolvedVerifierOptions {
  readonly issuer: string
  readonly audiences: readonly string[]
  readonly source: KeySource
  readonly algorithms: readonly JwsAlgorithm[]
  readonly clockToleranceSec: number
  readonly maxTokenBytes: number
  readonly maxStaleSec: number
  readonly minCacheSec: number
  readonly maxCacheSec: number
  readonly unknownKidCooldownSec: number
  readonly fetchTimeoutMs: number
  readonly cacheFile: string | undefined
  readonly cache: { readonly maxEntries: number; readonly maxAgeSec: number } | undefined
  /** Undefined: the feed is not followed. */
  readonly revocation: ResolvedRevocationOptions | undefined
  readonly fetch: typeof globalThis.fetch
  readonly clock: () => number
  readonly onWarning: (message: string) => void
}

const KNOWN_OPTIONS = new Set<string>([
  'issuer',
  'audience',
  'jwksUri',
  'jwks',
  'jwksFile',
  'algorithms',
  'clockToleranceSec',
  'maxTokenBytes',
  'maxStaleSec',
  'minCacheSec',
  'maxCacheSec',
  'unknownKidCooldownSec',
  'fetchTimeoutMs',
  'cacheFile',
  'cache',
  'fetch',
  'clock',
  'onWarning',
  'revocation',
])

const REVOCATION_OPTIONS = new Set<string>([
  'maxStaleSec',
  'whenStale',
  'onStale',
  'pollIntervalMs',
  'stream',
])

/**
 * The feed is followed by default where keys are discovered from the issuer (its metadata says
 * where the feed is); with a given jwksUri, jwks or jwksFile only when `revocation` is an object.
 */
function resolveRevocation(
  options: VerifierOptions,
  source: KeySource,
): ResolvedRevocationOptions | undefined {
  const given = options.revocation
  if (given === false) return undefined
  if (given === undefined) {
    if (source.kind !== 'remote' || source.jwksUri !== undefined) return undefined
  } else {
    if (typeof given !== 'object' || given === null) fail('revocation', 'false or an object')
    for (const name of Object.keys(given)) {
      if (!REVOCATION_OPTIONS.has(name))
        throw new TypeError(`createVerifier: unknown option "revocation.${name}"`)
    }
    if (!isHttpUrl(options.issuer)) fail('issuer', 'an http(s) URL when the revocation feed is followed')
  }
  const r = given ?? {}
  const maxStaleSec = r.maxStaleSec ?? 60
  // The issuer's stream beats every second: a smaller bound would go stale between beats.
  if (typeof maxStaleSec !== 'number' || !(maxStaleSec >= 2) || maxStaleSec > 86_400) {
    fail('revocation.maxStaleSec', 'a number of seconds from 2 to 86400')
  }
  const pollIntervalMs = r.pollIntervalMs ?? 1000
  if (typeof pollIntervalMs !== 'number' || !(pollIntervalMs >= 50) || pollIntervalMs > 600_000) {
    fail('revocation.pollIntervalMs', 'a number of milliseconds from 50 to 600000')
  }
  const whenStale = r.whenStale ?? 'fail-closed'
  if (whenStale !== 'fail-closed' && whenStale !== 'report') {
    fail('revocation.whenStale', "'fail-closed' or 'report'")
  }
  if (r.onStale !== undefined && typeof r.onStale !== 'function') fail('revocation.onStale', 'a function')
  if (r.stream !== undefined && typeof r.stream !== 'boolean') fail('revocation.stream', 'a boolean')
  return {
    maxStaleMs: maxStaleSec * 1000,
    failClosed: whenStale === 'fail-closed',
    onStale: r.onStale ?? (() => {}),
    pollIntervalMs,
    stream: r.stream ?? true,
  }
}

function fail(option: string, expected: string): never {
  throw new TypeError(`createVerifier: option "${option}" must be ${expected}`)
}

function number(
  options: VerifierOptions,
  name: keyof VerifierOptions,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = options[name]
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(name, `a number from ${min} to ${max}`)
  }
  return value
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function optionalFunction<T>(options: VerifierOptions, name: keyof VerifierOptions, fallback: T): T {
  const value = options[name]
  if (value === undefined) return fallback
  if (typeof value !== 'function') fail(name, 'a function')
  return value as T
}

/** Validates `createVerifier` options once and fills in the defaults. Throws TypeError naming the option. */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifierOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createVerifier: options must be an object')
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw new TypeError(`createVerifier: unknown option "${name}"`)
  }

  const { issuer, audience, jwksUri, jwks, jwksFile } = options
  if (!nonEmptyString(issuer)) fail('issuer', 'a non-empty string')
  const audiences = typeof audience === 'string' ? [audience] : audience
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every(nonEmptyString)) {
    fail('audience', 'a non-empty string or a non-empty list of them')
  }

  const algorithms = options.algorithms ?? ['RS256']
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isJwsAlgorithm)) {
    fail('algorithms', 'a non-empty list of asymmetric JWS algorithms (RS256, PS256, ES256, EdDSA, ...)')
  }

  const sources = [jwksUri, jwks, jwksFile].filter((s) => s !== undefined).length
  if (sources > 1) fail('jwksUri', 'given alone: use one of jwksUri, jwks, jwksFile')
  let source: KeySource
  if (jwks !== undefined) {
    try {
      source = { kind: 'static', keys: buildKeySet(jwks, algorithms) }
    } catch (error) {
      fail('jwks', `a JWKS with a usable public key (${(error as Error).message})`)
    }
  } else if (jwksFile !== undefined) {
    if (!nonEmptyString(jwksFile)) fail('jwksFile', 'a file path')
    try {
      source = {
        kind: 'file',
        path: jwksFile,
        keys: buildKeySet(JSON.parse(readFileSync(jwksFile, 'utf8')), algorithms),
      }
    } catch (error) {
      fail('jwksFile', `a readable JWKS file with a usable public key (${(error as Error).message})`)
    }
  } else {
    if (jwksUri !== undefined && !(nonEmptyString(jwksUri) && isHttpUrl(jwksUri)))
      fail('jwksUri', 'an http(s) URL')
    if (jwksUri === undefined && !isHttpUrl(issuer)) {
      fail('issuer', 'an http(s) URL when no jwksUri, jwks or jwksFile is given')
    }
    source = { kind: 'remote', issuer, jwksUri }
  }

  const minCacheSec = number(options, 'minCacheSec', 30, 0, 86_400)
  const maxCacheSec = number(options, 'maxCacheSec', 600, 1, 86_400)
  if (maxCacheSec < minCacheSec) fail('maxCacheSec', 'at least minCacheSec')

  const cacheFile = options.cacheFile
  if (cacheFile !== undefined && !nonEmptyString(cacheFile)) fail('cacheFile', 'a file path')
  if (cacheFile !== undefined && source.kind !== 'remote') fail('cacheFile', 'used only with a fetched JWKS')

  let cache: ResolvedVerifierOptions['cache']
  if (options.cache !== undefined) {
    if (typeof options.cache !== 'object' || options.cache === null) fail('cache', 'an object { maxEntries }')
    const { maxEntries, maxAgeSec = 60 } = options.cache
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) fail('cache.maxEntries', 'a positive integer')
    if (typeof maxAgeSec !== 'number' || !(maxAgeSec > 0) || maxAgeSec > 86_400) {
      fail('cache.maxAgeSec', 'a number of seconds above 0')
    }
    cache = { maxEntries, maxAgeSec }
  }

  const fetchImpl = optionalFunction<typeof globalThis.fetch | undefined>(options, 'fetch', undefined)
  return {
    issuer,
    audiences: [...audiences],
    source,
    algorithms: [...algorithms],
    clockToleranceSec: number(options, 'clockToleranceSec', 5, 0, 300),
    maxTokenBytes: number(options, 'maxTokenBytes', 8192, 64, 1_048_576),
    maxStaleSec: number(options, 'maxStaleSec', 3600, 0, 30 * 86_400),
    minCacheSec,
    maxCacheSec,
    unknownKidCooldownSec: number(options, 'unknownKidCooldownSec', 30, 0, 86_400),
    fetchTimeoutMs: number(options, 'fetchTimeoutMs', 5000, 1, 600_000),
    cacheFile,
    cache,
    revocation: resolveRevocation(options, source),
    // Resolved lazily so a test or polyfill that replaces globalThis.fetch later is honoured.
    fetch: fetchImpl ?? ((input, init) => globalThis.fetch(input, init)),
    clock: optionalFunction(options, 'clock', Date.now),
    onWarning: optionalFunction(options, 'onWarning', () => {}),
  }
}
