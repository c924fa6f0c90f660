/** Discovery documents and JWKS larger than this are refused: an issuer's are far smaller. */
export const MAX_DOCUMENT_CHARS = 1 << 20

/** The body of `response` as text, refused (without reading it) when it declares more than the bound. */
export async function readBoundedText(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > MAX_DOCUMENT_CHARS) {
    await response.body?.cancel()
    throw new Error('response too large')
  }
  const text = await response.text()
  if (text.length > MAX_DOCUMENT_CHARS) throw new Error('response too large')
  return text
}
