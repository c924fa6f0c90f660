// Usernames are compared case-insensitively and Unicode-normalised, so that "Alice" and "ALICE"
// (or a composed and a decomposed "é") cannot be two accounts. Every store applies this on
// write and lookup, so uniqueness holds even if a caller forgets to normalise.

export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase()
}
