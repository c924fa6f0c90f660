// The spelling a store indexes usernames by: NFKC, trimmed, lower case, the same folding as
// `normalize-username.ts` (which also validates). Applying it again inside every store
// keeps "Alice" and "ALICE" one account even if a caller skips validation, such as an admin script.

export function usernameKey(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase()
}
