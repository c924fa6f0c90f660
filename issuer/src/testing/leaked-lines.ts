// The log scan every suite that runs an issuer ends with, apart from http-probe's vitest
// helpers so that other packages' harnesses can import it through `@tokensmith/issuer/testing`
// without loading vitest at run time (the bench imports that entry point too).

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
