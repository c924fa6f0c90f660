import type { KeySet } from './key-set.ts'

/** Where keys come from: the issuer over HTTP, a JWKS given in code, or a JWKS file. */
export type KeySource =
  | { readonly kind: 'remote'; readonly issuer: string; readonly jwksUri: string | undefined }
  | { readonly kind: 'static'; readonly keys: KeySet }
  | { readonly kind: 'file'; readonly path: string; readonly keys: KeySet }
