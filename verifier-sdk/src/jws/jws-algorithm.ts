/** The asymmetric JWS algorithms the verifier can pin. Symmetric (HS*) and `none` are never accepted. */
export const JWS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const

export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number]

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && (JWS_ALGORITHMS as readonly string[]).includes(value)
}
