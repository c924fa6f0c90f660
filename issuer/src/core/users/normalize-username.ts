// The one spelling of a username: NFKC folds compatibility forms (full-width letters, ligatures),
// so "Ａｌｉｃｅ", " alice " and "ALICE" are one account. The charset is deliberately narrow (ASCII
// only after folding) so that no two distinct names look alike in logs or the admin list.

const VALID = /^[a-z0-9._@-]{1,64}$/

/** Returns the normalised username, or null when it is empty, too long or has other characters. */
export function normalizeUsername(name: string): string | null {
  if (typeof name !== 'string') return null
  const normalized = name.normalize('NFKC').trim().toLowerCase()
  return VALID.test(normalized) ? normalized : null
}
