// `pnpm bench <name>`: runs one benchmark. `issuer` is bench-issuer.ts; `ab` is bench-ab.ts (two
// issuer builds side by side); `verify` is bench-verify.ts (the verifier SDK's); `feed` is
// bench-feed.ts (the revocation feed's). Each is loaded only
// when asked for, so one bench's peers (oidc-provider, fast-jwt, ...) never load for another.
const USAGE = `Usage: pnpm bench <issuer|ab|verify|feed> [options]   (--help after the name for its options)`

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  switch (name) {
    case 'issuer': {
      const { runIssuerBench } = await import('./bench-issuer.ts')
      return runIssuerBench(rest)
    }
    case 'ab': {
      const { runAbBench } = await import('./bench-ab.ts')
      return runAbBench(rest)
    }
    case 'feed': {
      const { runFeedBench } = await import('./bench-feed.ts')
      return runFeedBench(rest)
    }
    case 'verify': {
      const { runVerifyBench } = await import('./bench-verify.ts')
      return runVerifyBench(rest)
    }
    default:
      process.stderr.write(
        `${name === undefined ? 'missing benchmark name' : `unknown benchmark "${name}"`}\n${USAGE}\n`,
      )
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  },
)
