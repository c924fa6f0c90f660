// Scans captured log lines for anything secret: free of vitest, so other packages' tests take it
// from `@tokensmith/issuer/testing` without loading a test runner into the bench.

// What a leaked secret looks like in a log line: a refresh token, a JWT (its base64url `{"`
// header), or a scrypt hash string.
const SECRET_SHAPES = [/rt_[A-Za-z0-9_-]{20}/, /eyJ[A-Za-z0-9_-]{10}/, /\$scrypt\$/]

/** Every log line that contains one of `secrets` or looks like a token or hash. */
export function leakedLines(logs: readonly string[], secrets: readonly string[]): string[] {
  const wanted = secrets.filter((s) => s.length >= 4)
  return logs.filter(
    (line) => SECRET_SHAPES.some((re) => re.test(line)) || wanted.some((s) => line.includes(s)),
  )
}
