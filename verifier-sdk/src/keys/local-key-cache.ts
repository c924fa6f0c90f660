import { readFile } from 'node:fs/promises'
import { VerifyError } from '../errors.ts'
import type { JwsAlgorithm } from '../jws/jws-algorithm.ts'
import { describeError } from './describe-error.ts'
import type { KeyCache } from './key-cache.ts'
import { buildKeySet } from './key-set.ts'
import type { KeySource } from './key-source.ts'
import { unknownKeyError } from './unknown-key-error.ts'

/**
 * Keys given in code or in a JWKS file: always usable, never fetched. `refresh` re-reads the file;
 * a file that no longer holds a usable JWKS leaves the keys as they were.
 */
export function createLocalKeyCache(
  source: Exclude<KeySource, { readonly kind: 'remote' }>,
  algorithms: readonly JwsAlgorithm[],
  onKeysChanged: (kids: ReadonlySet<string>) => void,
): KeyCache {
  let keys = source.keys
  return {
    find: (kid, alg) => keys.get(kid, alg),

    async resolve(kid, alg) {
      const key = keys.get(kid, alg)
      if (key === undefined) throw unknownKeyError('no key matches the kid and alg')
      return key
    },

    ready: () => Promise.resolve(),

    async refresh() {
      if (source.kind !== 'file') return
      try {
        keys = buildKeySet(JSON.parse(await readFile(source.path, 'utf8')), algorithms)
        onKeysChanged(keys.kids)
      } catch (error) {
        throw new VerifyError('keys_unavailable', {
          reason: 'refresh_failed',
          detail: `jwksFile reload failed: ${describeError(error)}`,
          cause: error,
        })
      }
    },

    close: noop,
  }
}

function noop(): void {}
