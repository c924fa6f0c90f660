// `pnpm bench <name>`: runs one benchmark. `issuer` is bench-issuer.ts; `ab` is bench-ab.ts (two
// issuer builds side by side); `verify` is bench-verify.ts (the verifier SDK's, loaded only when
// asked for).
const USAGE = `Usage: pnpm bench <issuer|ab|verify> [options]   (--help after the name for its options)`

interface VerifyBenchModule {
  runVerifyBench(argv: string[]): Promise<number | undefined>
}

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
    case 'verify': {
      // A dynamic import with a variable path: the verify bench may not exist in this checkout,
      // and `pnpm bench issuer` must not depend on it.
      const path = './bench-verify.ts'
      let mod: Partial<VerifyBenchModule>
      try {
        mod = (await import(path)) as Partial<VerifyBenchModule>
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
          process.stderr.write('pnpm bench verify: scripts/src/bench-verify.ts is not written yet.\n')
          return 2
        }
        throw err
      }
      if (typeof mod.runVerifyBench !== 'function') {
        process.stderr.write(
          'pnpm bench verify: scripts/src/bench-verify.ts does not export runVerifyBench().\n',
        )
        return 2
      }
      return (await mod.runVerifyBench(rest)) ?? 0
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
