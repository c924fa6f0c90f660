/**
 * Whether `value` has the shape of a browser's `PublicKeyCredential.toJSON()` (WebAuthn Level 3
 * §5.1): an object with a string `id` and a `response` object. The WebAuthn library checks the
 * rest; this keeps anything else from reaching it.
 */
export function isCredentialJson(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const { id, response } = value as { id?: unknown; response?: unknown }
  return (
    typeof id === 'string' && response !== null && typeof response === 'object' && !Array.isArray(response)
  )
}
