// A session's scope as every store keeps it: the space-separated string of RFC 6749 §3.3, ''
// for none (what the sessions from before scopes existed hold). Scope tokens contain no space.
// A session's requested claim names are kept the same way ('' for none, as every session from
// before them holds): a name with a space would come back split, so whoever accepts the `claims`
// request parameter must refuse such names.

export function joinScope(scope: readonly string[]): string {
  return scope.join(' ')
}
