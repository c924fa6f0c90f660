/** Whether `id` can be a WebAuthn credential id as kept here: base64url, at most 1023 bytes (§5.8.3 bounds it). */
export function isCredentialId(id: string): boolean {
  return id.length > 0 && id.length <= 1364 && /^[A-Za-z0-9_-]+$/.test(id)
}
