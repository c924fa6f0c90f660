/** The `kid` of a compact JWS's protected header (RFC 7515 §4.1.4), '' when it has none. */
export function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
    kid?: string
  }
  return header.kid ?? ''
}
